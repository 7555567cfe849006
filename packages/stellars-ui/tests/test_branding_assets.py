import pytest

from stellars_ui import Branding, BrandingError, load_asset
from stellars_ui.branding import MAX_ASSET_BYTES, BrandAsset

PNG = b"\x89PNG\r\n\x1a\n-not-decoded-here"


@pytest.fixture
def branding_dir(tmp_path):
    directory = tmp_path / "branding"
    directory.mkdir()
    (directory / "logo.png").write_bytes(PNG)
    (directory / "icon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return directory


def test_an_empty_uri_is_no_image(branding_dir):
    assert load_asset("", branding_dir) is None


@pytest.mark.parametrize("uri", ["https://cdn.example.org/logo.svg", "http://intranet/logo.png"])
def test_an_http_url_is_kept_as_it_is(uri, branding_dir):
    assert load_asset(uri, branding_dir) == BrandAsset(url=uri)


def test_a_file_inside_the_directory_is_read_with_its_type(branding_dir):
    logo = load_asset((branding_dir / "logo.png").as_uri(), branding_dir)
    assert (logo.url, logo.content, logo.content_type) == (None, PNG, "image/png")
    svg = load_asset((branding_dir / "icon.svg").as_uri(), branding_dir)
    assert svg.content_type == "image/svg+xml"


def test_a_file_in_a_subdirectory_and_a_quoted_path_are_fine(branding_dir):
    (branding_dir / "our team").mkdir()
    (branding_dir / "our team" / "logo.png").write_bytes(PNG)
    uri = (branding_dir / "our team" / "logo.png").as_uri()
    assert "%20" in uri
    assert load_asset(uri, branding_dir).content == PNG


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("../secret.png", "outside the branding directory"),
        ("missing.png", "no such file"),
        ("notes.txt", "is not one of"),
    ],
)
def test_files_the_hub_must_not_serve_are_refused(branding_dir, relative, message):
    (branding_dir.parent / "secret.png").write_bytes(PNG)
    (branding_dir / "notes.txt").write_text("not an image")
    uri = "file://" + str(branding_dir) + "/" + relative
    with pytest.raises(BrandingError, match=message):
        load_asset(uri, branding_dir)


def test_a_link_inside_the_directory_to_a_file_outside_is_outside(branding_dir):
    secret = branding_dir.parent / "database.png"
    secret.write_bytes(PNG)
    (branding_dir / "innocent.png").symlink_to(secret)
    with pytest.raises(BrandingError, match="outside the branding directory"):
        load_asset((branding_dir / "innocent.png").as_uri(), branding_dir)


def test_a_directory_and_an_oversized_file_are_refused(branding_dir):
    (branding_dir / "folder.png").mkdir()
    with pytest.raises(BrandingError, match="not a file"):
        load_asset((branding_dir / "folder.png").as_uri(), branding_dir)
    (branding_dir / "huge.png").write_bytes(b"\0" * (MAX_ASSET_BYTES + 1))
    with pytest.raises(BrandingError, match="bytes"):
        load_asset((branding_dir / "huge.png").as_uri(), branding_dir)


@pytest.mark.parametrize(
    "uri",
    [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "ftp://example.org/logo.png",
        "/srv/branding/logo.png",
        "https:///no-host.png",
        "file://otherhost/srv/logo.png",
    ],
)
def test_other_uris_are_refused(uri, branding_dir):
    with pytest.raises(BrandingError):
        load_asset(uri, branding_dir)


def test_a_missing_branding_directory_is_named(tmp_path):
    with pytest.raises(BrandingError, match="does not exist"):
        load_asset("file:///anything.png", tmp_path / "nowhere")


def test_hrefs_point_at_the_hub_with_the_images_digest_or_at_the_url():
    served = BrandAsset(content=PNG, content_type="image/png")
    branding = Branding(logo=served, lab_main_icon=BrandAsset(url="https://x.example/i.svg"))
    assert (
        branding.href("logo", "/base/hub/")
        == f"/base/hub/stellars/branding/logo?v={served.version}"
    )
    assert branding.href("lab-main-icon", "/hub/") == "https://x.example/i.svg"
    assert branding.href("favicon", "/hub/") is None
    assert set(branding.assets()) == {"logo", "lab-main-icon"}
    changed = BrandAsset(content=PNG + b"!", content_type="image/png")
    assert changed.version != served.version

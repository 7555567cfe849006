"""The original ``stellars_hub`` functions an original-style jupyterhub_config.py calls."""

import pytest
from jupyterhub import orm

import stellars_hub
from stellars_docker import GpuResolution
from stellars_hub import (
    SettingsError,
    ensure_groups,
    get_services_and_roles,
    get_user_volume_suffixes,
    resolve_gpu_mode,
    setup_branding,
)
from stellars_hub.groups import ensure_groups as ensure_groups_from_groups
from stellars_ui import BrandingError

# The original deployment's mapping, shared volume included.
ORIGINAL_VOLUMES = {
    "jupyterlab-{username}_home": "/home",
    "jupyterlab-{username}_workspace": "/home/lab/workspace",
    "jupyterlab-{username}_cache": "/home/lab/.cache",
    "jupyterhub_shared": "/mnt/shared",
}
BUILTIN_GROUPS = ["docker-sock", "docker-privileged"]


def test_the_original_names_are_importable_where_the_original_had_them():
    for name in ("StellarsNativeAuthenticator", "ensure_groups", "get_user_volume_suffixes"):
        assert hasattr(stellars_hub, name), name
    assert ensure_groups_from_groups is ensure_groups


def test_the_user_volume_suffixes_leave_shared_volumes_out():
    assert get_user_volume_suffixes(ORIGINAL_VOLUMES) == ["home", "workspace", "cache"]


def test_names_of_another_form_are_not_user_volumes():
    volumes = {
        "jupyterlab-{username}_": "/nothing",
        "jupyterlab-{username}_{servername}": "/per-server",
        "scratch-{username}_data": "/scratch",
        "jupyterlab-{username}_data.v2": "/data",
    }
    assert get_user_volume_suffixes(volumes) == ["data.v2"]
    assert get_user_volume_suffixes({}) == []


@pytest.mark.parametrize(("mode", "expected"), [(0, (0, 0)), (1, (1, 0))])
def test_gpu_modes_off_and_forced_need_no_probe(mode, expected):
    # No image exists by this name: a probe would not find GPUs, so (1, 0) shows none ran.
    assert resolve_gpu_mode(mode, "no-such-image:for-the-probe") == expected


def test_an_unknown_gpu_mode_is_an_error():
    with pytest.raises(ValueError, match="3"):
        resolve_gpu_mode(3, "any")


def test_auto_detection_on_an_engine_without_gpus_gives_none(docker_run, lab_image):
    # The probe runs on the real engine, which has no NVIDIA runtime here.
    assert resolve_gpu_mode(2, lab_image, timeout_s=30) == (0, 0)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def _groups(db_url):
    session = orm.new_session_factory(db_url)()
    try:
        return {
            group.name: [user.name for user in group.users] for group in session.query(orm.Group)
        }
    finally:
        session.close()
        session.get_bind().dispose()


def test_ensure_groups_creates_the_missing_ones_once_and_keeps_members(db_url):
    assert ensure_groups(BUILTIN_GROUPS, db_url=db_url) == BUILTIN_GROUPS
    session = orm.new_session_factory(db_url)()
    ada = orm.User(name="ada")
    session.add(ada)
    docker_sock = session.query(orm.Group).filter_by(name="docker-sock").one()
    docker_sock.users.append(ada)
    session.commit()
    session.close()
    session.get_bind().dispose()

    assert ensure_groups([*BUILTIN_GROUPS, "gpu"], db_url=db_url) == ["gpu"]
    assert _groups(db_url) == {"docker-sock": ["ada"], "docker-privileged": [], "gpu": []}


def test_a_hub_starts_on_the_database_ensure_groups_made(platform_hub, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'original.sqlite'}"
    ensure_groups(BUILTIN_GROUPS, db_url=db_url)
    hub = platform_hub(
        {"JUPYTERHUB_SPAWNER": "local", "JUPYTERHUB_GPU_ENABLED": "0"}, db_url=db_url
    )
    names = {group["name"] for group in hub.api("GET", "groups").json()}
    assert set(BUILTIN_GROUPS) <= names


# ------------------------------------------------------------ setup_branding

BRANDING_KEYS = {
    "logo_file",
    "favicon_uri",
    "lab_main_icon_static",
    "lab_main_icon_url",
    "lab_splash_icon_static",
    "lab_splash_icon_url",
}


def test_no_branding_gives_the_original_keys_unused():
    info = setup_branding()
    assert set(info) == BRANDING_KEYS
    assert info["logo_file"] is None
    assert {info[key] for key in BRANDING_KEYS - {"logo_file"}} == {""}


def test_file_images_are_served_and_urls_linked(tmp_path):
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / "main.png").write_bytes(b"\x89PNG main")
    info = setup_branding(
        logo_uri=(tmp_path / "logo.svg").as_uri(),
        favicon_uri="https://cdn.example.org/favicon.ico",
        lab_main_icon_uri=(tmp_path / "icons" / "main.png").as_uri(),
        lab_splash_icon_uri="https://cdn.example.org/splash.svg",
    )
    assert set(info) == BRANDING_KEYS
    assert info["logo_file"] == str((tmp_path / "logo.svg").resolve())
    assert info["favicon_uri"] == "https://cdn.example.org/favicon.ico"
    assert info["lab_main_icon_static"].startswith("stellars/branding/lab-main-icon?v=")
    assert info["lab_main_icon_url"] == ""
    assert (info["lab_splash_icon_static"], info["lab_splash_icon_url"]) == (
        "",
        "https://cdn.example.org/splash.svg",
    )
    assert info.images.lab_main_icon.content == b"\x89PNG main"


def test_a_file_that_is_not_an_image_is_refused(tmp_path):
    (tmp_path / "passwd").write_text("root:x:0:0")
    with pytest.raises(BrandingError, match="is not one of"):
        setup_branding(logo_uri=(tmp_path / "passwd").as_uri())


# ------------------------------------------------------------ get_services_and_roles


def test_the_activity_sampler_is_always_a_service_sampling_at_the_interval():
    services, roles = get_services_and_roles(0, 86400, 600, 0, 120)
    assert [service["name"] for service in services] == ["activity-sampler"]
    assert services[0]["environment"]["STELLARS_ACTIVITY_INTERVAL_S"] == "120.0"
    assert [role["services"] for role in roles] == [["activity-sampler"]]


def test_the_culler_is_a_service_when_enabled_with_the_given_times():
    services, roles = get_services_and_roles(1, 3600, 300, 7200, 600)
    culler = next(service for service in services if service["name"] == "idle-culler")
    assert {"--timeout=3600", "--cull-every=300", "--max-age=7200"} <= set(culler["command"])
    assert {role["name"] for role in roles} == {"activity-sampler", "idle-culler"}
    assert all("admin:users" not in role["scopes"] for role in roles)


def test_values_out_of_the_platforms_range_are_named():
    with pytest.raises(SettingsError) as raised:
        get_services_and_roles(2, 1, 600, 0, 1)
    variables = {problem.variable for problem in raised.value.problems}
    assert variables == {
        "JUPYTERHUB_IDLE_CULLER_ENABLED",
        "JUPYTERHUB_IDLE_CULLER_TIMEOUT",
        "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL",
    }


def test_the_original_handler_classes_are_the_platforms():
    from stellars_hub import handlers  # noqa: PLC0415 - the module under test
    from stellars_ui.handlers.branding import LabFaviconHandler  # noqa: PLC0415
    from stellars_ui.handlers.notifications import BroadcastHandler  # noqa: PLC0415

    assert len(handlers.__all__) == 14
    assert handlers.BroadcastNotificationHandler is BroadcastHandler
    assert handlers.FaviconRedirectHandler is LabFaviconHandler


def test_auto_detection_that_finds_gpus_gives_both_flags(monkeypatch):
    # The flags are a mapping of the platform's decision; the probe itself is
    # tested against real nvidia-smi output in stellars-docker.
    found = GpuResolution(enabled=True, detected=True)
    monkeypatch.setattr("stellars_hub.original.gpu.detect_gpus", lambda *_, **__: found)
    assert resolve_gpu_mode(2, "cuda-probe") == (1, 1)


def test_user_volumes_other_than_the_platforms_are_named_in_the_log(caplog):
    from stellars_hub.original import completion  # noqa: PLC0415 - the module under test

    completion._warn_about_other_volumes({"user_volume_suffixes": ["home", "workspace", "cache"]})
    assert caplog.records == []
    completion._warn_about_other_volumes({"user_volume_suffixes": ["home", "data"]})
    assert "home, data" in caplog.text
    assert "home, workspace, cache" in caplog.text


def test_the_original_volumes_keep_their_mount_points_and_descriptions():
    from stellars_hub.original.volumes import user_volumes_of  # noqa: PLC0415 - under test

    volumes = {
        "jupyterlab-{username}_home": "/home",
        "jupyterlab-{username}_data": {"bind": "/srv/data", "mode": "rw"},
        "jupyterhub_shared": "/mnt/shared",
    }
    described = user_volumes_of(volumes, {"data": "Team data"})
    assert [(v.suffix, v.name_template, v.mount_point, v.description) for v in described] == [
        ("home", "jupyterlab-{username}_home", "/home", "Home directory and settings"),
        ("data", "jupyterlab-{username}_data", "/srv/data", "Team data"),
    ]
    assert user_volumes_of({}) == ()

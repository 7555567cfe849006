"""Branding on a real hub and proxy: the images the hub serves, the pages, the lab favicons.

The local spawner runs real ``jupyterhub-singleuser`` servers, which serve
Jupyter Server's own favicons; getting the platform's bytes back through
the proxy shows that the favicon route, not the lab, answered. The hub
checks its proxy routes every second here (``last_activity_interval``), so
the route check that deletes unexpected routes runs many times in a test.
The lab containers, JupyterLab's own page and a hub restart are in
test_branding_on_docker.py.
"""

import base64
import time

import pytest
import requests
from accounts import local_platform
from branding_images import digest, write_images
from logo_contrast import logo_contrast
from playwright.sync_api import expect

from stellars_testing import HubSession, wait_until
from stellars_testing.browser import screenshot, visit

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

ADMIN = "brand-admin"
PASSWORD = "branding-passphrase"
EXTERNAL_ICON = "https://images.example.org/main-icon.svg"
FRAMES = ("favicon.ico", "favicon-busy-1.ico", "favicon-busy-3.ico", "favicon-notebook.ico")
CHECK_ROUTES_EVERY_S = 1


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    directory = tmp_path_factory.mktemp("branding")
    return directory, write_images(directory)


@pytest.fixture(scope="module")
def hub(module_platform_hub, images):
    directory, _ = images
    environ = {
        **local_platform(ADMIN, PASSWORD),
        "JUPYTERHUB_BRANDING_DIR": str(directory),
        "JUPYTERHUB_LOGO_URI": (directory / "logo.png").as_uri(),
        "JUPYTERHUB_FAVICON_URI": (directory / "favicon.png").as_uri(),
        "JUPYTERHUB_LAB_MAIN_ICON_URI": EXTERNAL_ICON,
    }
    return module_platform_hub(
        environ, f"c.JupyterHub.last_activity_interval = {CHECK_ROUTES_EVERY_S}\n"
    )


def _get(hub, path, **kwargs):
    return requests.get(hub.hub_url(path), timeout=hub.api_timeout, **kwargs)


def test_the_hub_serves_each_file_image_to_anyone(hub, images):
    _, content = images
    for name, file_name in (("logo", "logo.png"), ("favicon", "favicon.png")):
        response = _get(hub, f"stellars/branding/{name}")
        assert response.status_code == 200, name
        assert digest(response.content) == digest(content[file_name])
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]


def test_an_external_image_is_a_redirect_and_an_unset_one_is_not_found(hub):
    external = _get(hub, "stellars/branding/lab-main-icon", allow_redirects=False)
    assert (external.status_code, external.headers["Location"]) == (302, EXTERNAL_ICON)
    assert _get(hub, "stellars/branding/lab-splash-icon").status_code == 404
    assert _get(hub, "stellars/branding/jupyterhub.sqlite").status_code == 404


def test_every_page_links_the_logo_and_the_favicon(hub, images, browser):
    _, content = images
    page = browser.new_context().new_page()
    visit(page, hub.hub_url("login"))
    logo = page.get_by_test_id("stellars-logo")
    assert "stellars/branding/logo?v=" in logo.get_attribute("src")
    # Loaded and decoded by the browser, not a broken image.
    assert page.evaluate("(img) => img.complete && img.naturalWidth", logo.element_handle()) == 8
    favicon = page.locator("link[rel=icon]")
    assert favicon.count() == 1
    fetched = page.evaluate(
        """async (href) => {
            const bytes = new Uint8Array(await (await fetch(href)).arrayBuffer());
            return btoa(String.fromCharCode(...bytes));
        }""",
        favicon.get_attribute("href"),
    )
    assert digest(base64.b64decode(fetched)) == digest(content["favicon.png"])
    page.context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_operators_logo_stays_legible_in_either_theme(hub, browser, theme):
    page = browser.new_context().new_page()
    page.emulate_media(color_scheme=theme)  # JupyterHub's theme follows it
    visit(page, hub.hub_url("login"))
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    expect(page.get_by_test_id("stellars-logo")).to_be_visible()
    # The test logo is a dark red: on the dark bar it is 2.4:1 without a backdrop.
    ratio = logo_contrast(page)
    screenshot(page, f"operator-logo-{theme}", full_page=False)
    page.context.close()
    assert ratio >= 3.0, f"the logo is {ratio:.2f}:1 on its backdrop ({theme})"


def test_a_running_labs_favicons_come_from_the_hub_and_stay_through_route_checks(hub, images):
    _, content = images
    token = hub.create_user("lena")
    hub.api("POST", "users/lena/server").raise_for_status()
    hub.wait_for_server("lena", running=True)
    session = HubSession(hub)
    ours = digest(content["favicon.png"])

    def frames_are_ours():
        for frame in FRAMES:
            response = session.get(
                hub.user_url("lena", f"static/favicons/{frame}"),
                allow_redirects=False,
                timeout=hub.api_timeout,
            )
            if (response.status_code, digest(response.content)) != (200, ours):
                return False
        return True

    assert frames_are_ours()
    # The rest of the lab is still the lab's, answered without a redirect.
    status = session.get(
        hub.user_url("lena", "api/status"),
        headers={"Authorization": f"token {token}"},
        allow_redirects=False,
        timeout=hub.api_timeout,
    )
    assert status.status_code == 200, status.text

    # The hub checks its routes every second: the favicon route outlives several checks.
    checks_before = hub.log_since_start().count("Checking routes")
    wait_until(
        lambda: hub.log_since_start().count("Checking routes") >= checks_before + 3,
        timeout_s=30,
        what="three route checks",
    )
    time.sleep(CHECK_ROUTES_EVERY_S)
    assert frames_are_ours()


def test_without_a_favicon_the_lab_keeps_its_own(platform_hub):
    hub = platform_hub({"JUPYTERHUB_SPAWNER": "local", "JUPYTERHUB_GPU_ENABLED": "0"})
    hub.create_user("ola")
    hub.api("POST", "users/ola/server").raise_for_status()
    hub.wait_for_server("ola", running=True)
    response = HubSession(hub).get(
        hub.user_url("ola", "static/favicons/favicon.ico"), timeout=hub.api_timeout
    )
    # Jupyter Server's own icon: an ICO file, not one of ours.
    assert response.status_code == 200
    assert response.content[:4] == b"\x00\x00\x01\x00"
    assert _get(hub, "stellars/branding/favicon").status_code == 404

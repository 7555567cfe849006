"""The admin page's "Docker access" panel, in a real browser, on a real hub.

Who holds ``docker-sock`` / ``docker-privileged`` (root on the host), who
granted it and when, and whether a spawn honours it: a full admin's grant
counts; a membership added by a token holding only ``groups!group=docker-sock``
(which JupyterHub allows) is flagged "ignored at spawn" with why and how to
fix it. The local spawner is enough: the verdict is the hub's record, the
Docker layer's tests check what a spawn makes of it.
"""

import os
from pathlib import Path

import pytest
from accounts import local_platform, user_token
from playwright.sync_api import expect

from stellars_testing.browser import SCREENSHOTS_VARIABLE, record_page_errors, visit

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

ADMIN = "chief"
ADMIN_PASSWORD = "grants-panel-passphrase"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)
KEEPER = "sock-keeper"  # holds groups!group=docker-sock and nothing more
EXTRA = f"""
c.JupyterHub.load_groups = {{"docker-sock": {{}}, "docker-privileged": {{}}}}
c.JupyterHub.load_roles.append(
    {{"name": "sock-keeper", "scopes": ["groups!group=docker-sock"], "users": [{KEEPER!r}]}}
)
"""
GRANTED = "granted-by-chief"  # added to docker-privileged by the full admin
SLIPPED = "slipped-in"  # added to docker-sock by the keeper's filtered token
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    hub = module_platform_hub(ENVIRON, EXTRA)
    admin_token = user_token(hub, ADMIN)
    keeper_token = user_token(hub, KEEPER, ["groups!group=docker-sock"])
    for username in (GRANTED, SLIPPED):
        hub.create_user(username)
    for token, group, username in (
        (admin_token, "docker-privileged", GRANTED),
        (keeper_token, "docker-sock", SLIPPED),
    ):
        response = hub.api("POST", f"groups/{group}/users", token=token, json={"users": [username]})
        assert response.status_code == 200, response.text
    return hub


@pytest.fixture
def page_errors():
    return []


@pytest.fixture
def admin_page(hub, logged_in_page, page_errors):
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    page.set_default_timeout(TIMEOUT_MS)

    record_page_errors(page, page_errors)
    visit(page, hub.hub_url("admin"))
    page.get_by_role("button", name="Add Users").wait_for()
    return page


def _panel(page):
    panel = page.get_by_role("region", name="Docker access")
    expect(panel).to_be_visible()
    return panel


def _row(panel, username):
    row = panel.locator(f'tr[data-username="{username}"]')
    expect(row).to_be_visible()
    return row


def _save(page, name):
    # Saved only when asked for (STELLARS_SCREENSHOTS), to be looked at, not committed.
    folder = os.environ.get(SCREENSHOTS_VARIABLE)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)


def test_a_full_admins_grant_counts_and_a_filtered_tokens_is_flagged(admin_page, page_errors):
    panel = _panel(admin_page)
    granted = _row(panel.locator('[data-group="docker-privileged"]'), GRANTED)
    expect(granted).to_have_attribute("data-counts", "true")
    expect(granted.locator(".stellars-grant-by")).to_have_text(f"{ADMIN} full admin")
    expect(granted.locator(".stellars-grant-verdict")).to_have_text("counts")
    expect(granted.locator("time")).to_have_text("just now")

    slipped = _row(panel.locator('[data-group="docker-sock"]'), SLIPPED)
    expect(slipped).to_have_attribute("data-counts", "false")
    expect(slipped.locator(".stellars-grant-by")).to_have_text(KEEPER)
    verdict = slipped.locator(".stellars-grant-verdict")
    expect(verdict).to_contain_text("ignored at spawn")
    expect(verdict).to_contain_text(f"granted by {KEEPER}, who is not a full admin")
    expect(verdict).to_contain_text(f"remove {SLIPPED} from docker-sock and add them again")
    expect(panel.get_by_role("status")).to_contain_text("1 membership is ignored at spawn")
    assert page_errors == []


def test_a_grant_made_on_the_page_shows_without_a_reload(hub, admin_page, page_errors):
    # The admin re-grants through JupyterHub's REST API from the page itself
    # (what its group editor sends): the panel follows, and the flag goes.
    panel = _panel(admin_page)
    expect(_row(panel, SLIPPED)).to_have_attribute("data-counts", "false")
    admin_page.evaluate(
        """async ([group, user]) => {
            const headers = {"X-XSRFToken": window.jhdata.xsrf_token,
                             "Content-Type": "application/json"};
            const url = `${window.jhdata.base_url}api/groups/${group}/users`;
            const body = JSON.stringify({users: [user]});
            await fetch(url, {method: "DELETE", headers, body});
            await fetch(url, {method: "POST", headers, body});
        }""",
        ["docker-sock", SLIPPED],
    )
    expect(_row(panel, SLIPPED)).to_have_attribute("data-counts", "true")
    expect(_row(panel, SLIPPED).locator(".stellars-grant-by")).to_have_text(f"{ADMIN} full admin")
    expect(panel.get_by_role("status")).to_be_hidden()
    assert page_errors == []
    # Put the filtered grant back for the other tests of this module.
    keeper_token = user_token(hub, KEEPER, ["groups!group=docker-sock"])
    for method in ("DELETE", "POST"):
        response = hub.api(
            method, "groups/docker-sock/users", token=keeper_token, json={"users": [SLIPPED]}
        )
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("width", [1280, 390])
def test_the_panel_fits_the_screen(admin_page, width):
    admin_page.set_viewport_size({"width": width, "height": 900})
    panel = _panel(admin_page)
    expect(_row(panel, SLIPPED).locator(".stellars-grant-verdict")).to_be_visible()
    panel.scroll_into_view_if_needed()
    # Nothing sticks out sideways: the page does not scroll horizontally for the panel.
    overflow = admin_page.evaluate(
        """() => {
            const panel = document.getElementById("stellars-docker-grants");
            return Math.max(panel.scrollWidth - panel.clientWidth,
                            panel.getBoundingClientRect().right - window.innerWidth);
        }"""
    )
    assert overflow <= 1, f"the panel overflows by {overflow}px at {width}px"
    if width == 390:
        # On a phone each membership is a card of "label: value" lines, no table head.
        expect(panel.locator("thead").first).to_be_hidden()
        row = _row(panel, SLIPPED)
        by, when = row.locator(".stellars-grant-by"), row.locator(".stellars-grant-when")
        assert by.bounding_box()["y"] < when.bounding_box()["y"]
    _save(admin_page, f"admin-docker-grants-{width}")

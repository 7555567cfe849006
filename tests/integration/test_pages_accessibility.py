"""Every platform page, in a real browser: no serious or critical axe-core
violation, no sideways scrolling on a 390-px phone or a 1366-px laptop, and
a tab title that names the platform, not JupyterHub.

Each page is checked as the role that reaches it (a signed-out visitor, a
plain user, the admin) in the light theme and in the dark one (JupyterHub's
``data-bs-theme``, which follows the browser's colour scheme until toggled),
and the admin's pages also with their dialogs open. One hub serves them all,
and one browser context each role and theme.

The platform runs on the local-process spawner; the pages that show a
container's figures have their own Docker tests, and are checked here as
a person without a running server sees them.
"""

import pytest
from accounts import local_platform, user_token
from logo_contrast import logo_contrast
from playwright.sync_api import expect

from stellars_testing.browser import (
    assert_accessible,
    assert_fits,
    log_in,
    screenshot,
    visit,
)

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

ADMIN = "keeper"
ADMIN_PASSWORD = "pages-a11y-Secret-5512"
USER = "plain-reader"
PLATFORM_NAME = "Orbit Lab"
GROUP = "a11y-team"
ENVIRON = {**local_platform(ADMIN, ADMIN_PASSWORD), "JUPYTERHUB_PLATFORM_NAME": PLATFORM_NAME}
THEMES = ["light", "dark"]
# What a logo's ink needs against what is behind it (WCAG 1.4.11, graphics).
LOGO_CONTRAST = 3.0

# Pages a signed-out visitor reaches.
PUBLIC_PAGES = ["login", "signup"]
# Pages a plain user reaches from the navigation bar and the user menu.
USER_PAGES = ["home", "activity", "change-password", "token"]
# Pages an admin reaches from the navigation bar and the user menu.
ADMIN_PAGES = [
    "home",
    "admin",
    "activity",
    "groups",
    "settings",
    "notifications",
    "authorize",
    "change-password",
    "token",
]


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    hub = module_platform_hub(ENVIRON)
    hub.create_user(USER)
    # A group of the hub's own, for the groups page's policy editor.
    hub.api("POST", f"groups/{GROUP}").raise_for_status()
    # A broadcast in the history, for the notifications page's delete dialog.
    body = {"message": "Kept for the dialog", "recipients": [USER]}
    sent = hub.api("POST", "notifications/broadcast", token=user_token(hub, ADMIN), json=body)
    assert sent.status_code == 200, sent.text
    return hub


@pytest.fixture(scope="module")
def user_password(hub):
    """The generated passphrase of USER, read once as the admin."""
    body = {"usernames": [USER]}
    answer = hub.api("POST", "admin/credentials", token=user_token(hub, ADMIN), json=body)
    assert answer.status_code == 200, answer.text
    (entry,) = answer.json()["credentials"]
    return entry["password"]


@pytest.fixture(scope="module")
def pages(hub, browser, user_password):
    """A page for each (role, theme), opened on first use and closed at the end."""
    opened = {}

    def page_for(role, theme):
        if (role, theme) not in opened:
            if role == "visitor":
                page = browser.new_context().new_page()
            else:
                name, password = (
                    (ADMIN, ADMIN_PASSWORD) if role == "admin" else (USER, user_password)
                )
                page = log_in(browser, hub, name, password)
            # The browser's colour scheme: JupyterHub's theme follows it.
            page.emulate_media(color_scheme=theme)
            opened[role, theme] = page
        return opened[role, theme]

    yield page_for
    for page in opened.values():
        page.context.close()


def check_page(hub, page, path, theme):
    visit(page, hub.hub_url(path))
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    title = page.title()
    assert PLATFORM_NAME in title, f"{path}: tab title {title!r}"
    assert "JupyterHub" not in title, f"{path}: tab title {title!r}"
    assert_accessible(page)
    assert_fits(page)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_accessible_fit_and_name_the_platform(hub, pages, path, theme):
    check_page(hub, pages("visitor", theme), path, theme)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", USER_PAGES)
def test_a_users_pages_are_accessible_fit_and_name_the_platform(hub, pages, path, theme):
    check_page(hub, pages("user", theme), path, theme)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_accessible_fit_and_name_the_platform(hub, pages, path, theme):
    check_page(hub, pages("admin", theme), path, theme)


@pytest.mark.parametrize("theme", THEMES)
def test_the_notifications_delete_dialog_is_accessible_and_fits(hub, pages, theme):
    page = pages("admin", theme)
    visit(page, hub.hub_url("notifications"))
    page.get_by_role("button", name="Delete the broadcast sent", exact=False).first.click()
    dialog = page.locator("#stellars-broadcast-delete-dialog")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    assert_fits(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize("theme", THEMES)
def test_the_group_policy_editor_is_accessible_and_fits(hub, pages, theme):
    page = pages("admin", theme)
    visit(page, hub.hub_url("groups"))
    page.get_by_role("button", name=f"Edit policy of {GROUP}").click()
    expect(page.locator("#stellars-policy-editor")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)


@pytest.mark.parametrize("theme", THEMES)
def test_the_logo_stays_legible_in_either_theme(hub, pages, theme):
    page = pages("visitor", theme)
    visit(page, hub.hub_url("login"))
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    ratio = logo_contrast(page)
    screenshot(page, f"login-{theme}", full_page=False)
    assert ratio >= LOGO_CONTRAST, f"the logo's ink is {ratio:.2f}:1 on its backdrop ({theme})"

"""Every platform page, in a real browser: no serious or critical axe-core
violation, and no sideways scrolling on a 390-px phone or a 1366-px laptop.

The platform runs on the local-process spawner; the pages that show a
container's figures have their own Docker tests, and are checked here as
a person without a running server sees them.
"""

import pytest
from accounts import local_platform

from stellars_testing.browser import assert_accessible, assert_fits, log_in, navigate

ADMIN = "keeper"
ADMIN_PASSWORD = "pages-a11y-Secret-5512"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)

# Pages a signed-out visitor reaches.
PUBLIC_PAGES = ["login", "signup"]
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
    return module_platform_hub(ENVIRON)


@pytest.fixture(scope="module")
def admin_context(hub, browser):
    page = log_in(browser, hub, ADMIN, ADMIN_PASSWORD)
    yield page
    page.context.close()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_accessible_and_fit(hub, browser, path):
    page = browser.new_context().new_page()
    try:
        navigate(page, lambda: page.goto(hub.hub_url(path)))
        assert_accessible(page)
        assert_fits(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_accessible_and_fit(hub, admin_context, path):
    page = admin_context
    navigate(page, lambda: page.goto(hub.hub_url(path)))
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    assert_fits(page)

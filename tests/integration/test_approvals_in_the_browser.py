"""The approvals queue in a real browser, on a real hub: from a stranger's sign-up to their login.

An admin sees how many sign-ups wait on every page and reaches the
authorization area from there; the area says when each applied and which
names look like an existing user's. The applicant is told plainly that an
admin must approve the account, and a login before that says so, but only
to whoever typed the account's password. The platform runs on the
local-process spawner; one hub serves every test, each signs up names of its own.
"""

import re

import pytest
from accounts import local_platform, logged_in, signed_up
from playwright.sync_api import expect

from stellars_testing import HubSession
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

ADMIN = "chief"
ADMIN_PASSWORD = "approvals-page-Secret-4410"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)
PASSWORD = "an-applicants-long-passphrase"
TIMEOUT_MS = 15_000
APPLIED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$")


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(ENVIRON)


@pytest.fixture
def admin_page(hub, browser):
    page = log_in(browser, hub, ADMIN, ADMIN_PASSWORD)
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    page.context.close()


@pytest.fixture
def stranger(browser):
    page = browser.new_context().new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    page.context.close()


def sign_up(page, hub, username, password=PASSWORD):
    """Sign up through the form as a person would; return the result's alert."""
    visit(page, hub.hub_url("signup"))
    page.get_by_label("Username:").fill(username)
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_label("Confirm password:").fill(password)
    page.get_by_role("button", name="Create user").click()
    page.wait_for_load_state()
    return page.get_by_test_id("signup-result")


def waiting(page):
    """The count the admin's navbar shows (0 when it shows no badge)."""
    badge = page.get_by_test_id("stellars-approvals-count")
    return int(badge.inner_text()) if badge.count() else 0


def pending_row(page, username):
    return page.locator(f'#stellars-pending tr[data-username="{username}"]')


def test_the_admin_sees_the_count_grow_with_a_sign_up_and_reaches_the_area(
    hub, admin_page, stranger
):
    visit(admin_page, hub.hub_url("home"))
    approvals = admin_page.get_by_test_id("stellars-approvals")
    expect(approvals).to_be_visible()
    before = waiting(admin_page)

    result = sign_up(stranger, hub, "newcomer")
    expect(result).to_contain_text("an administrator must approve it first")

    # On another page than before: the count is on every page.
    visit(admin_page, hub.hub_url("token"))
    assert waiting(admin_page) == before + 1
    expect(approvals).to_contain_text(f"{before + 1} waiting")
    admin_page.get_by_test_id("stellars-approvals").click()
    admin_page.wait_for_load_state()
    assert admin_page.url.endswith("/hub/authorize")
    row = pending_row(admin_page, "newcomer")
    expect(row).to_be_visible()
    assert APPLIED.match(row.get_by_test_id("applied").inner_text())
    expect(row.get_by_test_id("look-alike")).to_have_count(0)


def test_approving_lowers_the_count_and_lets_the_applicant_in(hub, admin_page, stranger):
    sign_up(stranger, hub, "approvee")
    visit(admin_page, hub.hub_url("authorize"))
    before = waiting(admin_page)
    assert before >= 1
    pending_row(admin_page, "approvee").get_by_role("button", name="Authorize").click()
    admin_page.wait_for_load_state()
    expect(pending_row(admin_page, "approvee")).to_have_count(0)
    assert waiting(admin_page) == before - 1

    visit(stranger, hub.hub_url("login"))
    stranger.get_by_label("Username:").fill("approvee")
    stranger.get_by_label("Password:", exact=True).fill(PASSWORD)
    stranger.get_by_role("button", name="Sign in").click()
    stranger.wait_for_load_state()
    assert "/hub/login" not in stranger.url


def test_a_login_before_approval_says_so_only_with_the_right_password(hub, stranger):
    sign_up(stranger, hub, "early")

    def log_in_as(password):
        visit(stranger, hub.hub_url("login"))
        stranger.get_by_label("Username:").fill("early")
        stranger.get_by_label("Password:", exact=True).fill(password)
        stranger.get_by_role("button", name="Sign in").click()
        stranger.wait_for_load_state()
        return stranger.get_by_role("alert")

    expect(log_in_as(PASSWORD)).to_contain_text(
        "has not been authorized by an administrator yet: you can log in once"
    )
    assert_accessible(stranger)
    assert_fits(stranger)
    # A stranger guessing learns nothing: the same words as for a name nobody has.
    expect(log_in_as("a-wrong-guess-of-it")).to_have_text("Invalid username or password.")


def test_a_name_like_an_existing_users_is_flagged_in_the_area(hub, admin_page, stranger):
    signed_up(hub, "marianne", PASSWORD, ADMIN, ADMIN_PASSWORD)
    for name in ("marianne1", "mariane"):
        HubSession(hub).sign_up(name, PASSWORD).raise_for_status()
    sign_up(stranger, hub, "zebedee")

    visit(admin_page, hub.hub_url("authorize"))
    for name in ("marianne1", "mariane"):
        flag = pending_row(admin_page, name).get_by_test_id("look-alike")
        expect(flag).to_contain_text("Looks like")
        expect(flag).to_contain_text("marianne")
    # The two applicants look like each other too.
    expect(pending_row(admin_page, "marianne1").get_by_test_id("look-alike")).to_contain_text(
        "mariane"
    )
    expect(pending_row(admin_page, "zebedee").get_by_test_id("look-alike")).to_have_count(0)
    assert_accessible(admin_page)
    assert_fits(admin_page)
    screenshot(admin_page, "authorization-area")
    admin_page.set_viewport_size({"width": 390, "height": 844})
    screenshot(admin_page, "authorization-area-phone", keep_viewport=True)
    # Dark mode: JupyterHub's theme toggle sets data-bs-theme on the page.
    admin_page.evaluate("document.documentElement.dataset.bsTheme = 'dark'")
    # Bootstrap's buttons fade to their new colours over 0.15 s.
    admin_page.wait_for_timeout(500)
    assert_accessible(admin_page)
    screenshot(admin_page, "authorization-area-dark")


def test_a_user_finds_change_password_next_to_their_name(hub, browser):
    signed_up(hub, "changer", PASSWORD, ADMIN, ADMIN_PASSWORD)
    page = log_in(browser, hub, "changer", PASSWORD)
    try:
        # Not an admin: no approvals link.
        expect(page.get_by_test_id("stellars-approvals")).to_have_count(0)
        page.locator("#login_widget").get_by_role("link", name="Change password").click()
        page.wait_for_load_state()
        assert page.url.endswith("/hub/change-password")
        new = "changers-new-long-passphrase"
        page.get_by_label("Current password:").fill(PASSWORD)
        page.get_by_label("New password:", exact=True).fill(new)
        page.get_by_label("Confirm new password:").fill(new)
        page.get_by_role("button", name="Change password").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("change-password-result")).to_contain_text(
            "changed successfully"
        )
        assert_accessible(page)
        assert_fits(page)
        assert "/hub/home" in logged_in(hub, "changer", new).get(hub.hub_url("home")).url
    finally:
        page.context.close()

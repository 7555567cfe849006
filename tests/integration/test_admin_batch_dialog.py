"""Adding a batch of users where some cannot be created, in a real browser, on a real hub.

JupyterHub's admin page skips a name that exists (and answers 409 when all
do) and refuses a whole batch for an invalid name (400); the dialog lists
what was created, with passphrases, and each name that was not, with why. A
passphrase the hub can no longer show (its time in memory is over) is said
to be gone, with a way to set a new one. The hub keeps passphrases three
seconds here, so a read held back longer finds them gone, as after a restart.
"""

import re
import time

import pytest
from accounts import local_platform, user_token
from playwright.sync_api import expect
from test_admin_credentials_dialog import add_users, credentials_dialog

from stellars_testing import HubSession
from stellars_testing.browser import assert_accessible, assert_fits, screenshot, visit

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

ADMIN = "steward"
ADMIN_PASSWORD = "batch-dialog-Secret-3307"
TTL_S = 3
ENVIRON = {**local_platform(ADMIN, ADMIN_PASSWORD), "JUPYTERHUB_CREDENTIALS_TTL": str(TTL_S)}
PASSPHRASE = re.compile(r"^[a-z]+(-[a-z]+){3}$")
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(ENVIRON)


@pytest.fixture
def admin_page(hub, logged_in_page):
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    page.set_default_timeout(TIMEOUT_MS)
    visit(page, hub.hub_url("admin"))
    page.get_by_role("button", name="Add Users").wait_for()
    yield page
    page.context.close()


def shown_passwords(dialog):
    """Each user listed as created, with the password shown (None for a user without one)."""
    shown = {}
    for row in dialog.locator(".stellars-credentials-list tbody tr").all():
        password = row.locator("code")
        shown[row.get_attribute("data-username")] = (
            password.inner_text() if password.count() else None
        )
    return shown


def skipped(dialog):
    """Each name listed as not created, with the reason shown."""
    rows = dialog.locator(".stellars-credentials-skipped tbody tr").all()
    return {row.get_attribute("data-username"): row.locator("td").inner_text() for row in rows}


def check_layout(page, name):
    assert_accessible(page)
    assert_fits(page)
    screenshot(page, name)


def test_existing_names_are_listed_as_skipped_beside_the_new_users(hub, admin_page):
    hub.create_user("olga")
    created = add_users(admin_page, "olga", "pavel", "Rosa")
    assert created.status == 201

    dialog = credentials_dialog(admin_page)
    passwords = shown_passwords(dialog)
    assert list(passwords) == ["pavel", "rosa"]
    assert all(PASSPHRASE.match(password) for password in passwords.values())
    assert skipped(dialog) == {"olga": "already exists"}
    expect(dialog.get_by_role("heading", name="Not created")).to_be_visible()
    check_layout(admin_page, "admin-batch-skipped")


def test_a_batch_of_existing_names_only_says_nothing_was_created(hub, admin_page):
    hub.create_user("sven")
    hub.create_user("tara")
    assert add_users(admin_page, "sven", "tara").status == 409

    dialog = credentials_dialog(admin_page)
    assert shown_passwords(dialog) == {}
    assert skipped(dialog) == {"sven": "already exists", "tara": "already exists"}
    expect(dialog.get_by_role("status")).to_contain_text("No user was created")
    check_layout(admin_page, "admin-batch-all-existing")


def test_an_invalid_name_is_named_and_nothing_is_created(hub, admin_page):
    assert add_users(admin_page, "ursula", "bad name").status == 400

    dialog = credentials_dialog(admin_page)
    expect(dialog.get_by_role("status")).to_contain_text("No user was created")
    expect(dialog.get_by_role("status")).to_contain_text("bad name")
    assert set(skipped(dialog)) == {"ursula", "bad name"}
    assert hub.api("GET", "users/ursula").status_code == 404
    check_layout(admin_page, "admin-batch-invalid")


def test_a_passphrase_gone_from_memory_is_said_so_and_a_new_one_can_be_set(hub, admin_page):
    def late(route):
        # The read arrives after the passphrase's time in hub memory.
        time.sleep(TTL_S + 1.5)
        route.continue_()

    admin_page.route("**/api/admin/credentials", late)
    add_users(admin_page, "vera")

    # Opens once the held-back read has its answer, seconds after the batch.
    admin_page.get_by_role("dialog", name="New users and their passwords").wait_for()
    dialog = credentials_dialog(admin_page)
    row = dialog.locator('tr[data-username="vera"]')
    expect(row).to_contain_text("password no longer available")
    assert shown_passwords(dialog) == {"vera": None}
    check_layout(admin_page, "admin-batch-lost")

    with admin_page.context.expect_page() as opened:
        row.get_by_role("link", name="Set a new password").click()
    form = opened.value
    form.wait_for_load_state()
    assert form.url.endswith("/hub/change-password/vera")
    new = "veras-new-long-passphrase"
    form.get_by_label("New password:", exact=True).fill(new)
    form.get_by_label("Confirm new password:").fill(new)
    form.get_by_role("button", name="Change password").click()
    form.wait_for_load_state()
    expect(form.get_by_test_id("change-password-result")).to_contain_text("changed successfully")
    # The dialog is still there for the rest of the batch.
    expect(dialog).to_be_visible()
    response = HubSession(hub).log_in("vera", new)
    assert response.ok
    assert "/hub/login" not in response.url


def test_only_a_password_the_hub_generated_is_lost(hub):
    token = user_token(hub, ADMIN)

    def read(name):
        response = hub.api("POST", "admin/credentials", token=token, json={"usernames": [name]})
        assert response.status_code == 200, response.text
        return response.json()

    # A sign-up has a password of its own: nothing to set anew.
    assert HubSession(hub).sign_up("wanda", "wandas-own-long-passphrase").ok
    hub.create_user("wanda")
    assert read("wanda") == {"credentials": [], "unavailable": ["wanda"], "lost": []}
    hub.create_user("xena")
    assert read("xena")["credentials"]
    assert read("xena") == {"credentials": [], "unavailable": ["xena"], "lost": ["xena"]}
    assert read("nobody") == {"credentials": [], "unavailable": ["nobody"], "lost": []}

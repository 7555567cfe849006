"""The admin page's dialog of new users' passwords, in a real browser, on a real hub.

JupyterHub's own admin page (its React app, as shipped by JupyterHub 5 or 6)
adds users in a batch; the platform's ``admin.js`` notices the batch and
shows each new user with the passphrase the authenticator generated, to copy
or download. The platform runs with the local-process spawner, so no Docker
is needed and no server ever runs. One hub serves every test; each test adds
users of its own.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from accounts import local_platform
from playwright.sync_api import expect

from stellars_testing import HubSession
from stellars_testing.browser import record_page_errors, visit

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

ADMIN = "chief"
ADMIN_PASSWORD = "admin-page-passphrase"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)
# The default passphrase: four words joined by "-".
PASSPHRASE = re.compile(r"^[a-z]+(-[a-z]+){3}$")
UNAVAILABLE = "no generated password (already had an account)"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(ENVIRON)


@pytest.fixture
def page_errors():
    """The uncaught errors of the admin page's scripts (JupyterHub's and ours)."""
    return []


@pytest.fixture
def console():
    """What the admin page's scripts wrote to the browser's console."""
    return []


@pytest.fixture
def admin_page(hub, logged_in_page, page_errors, console):
    """The admin logged in on JupyterHub's admin page, with the clipboard allowed."""
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    page.set_default_timeout(TIMEOUT_MS)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    # Named functions: Playwright cannot take a builtin (list.append) as a handler.
    def record_message(message):
        console.append(message.text)

    record_page_errors(page, page_errors)
    page.on("console", record_message)
    visit(page, hub.hub_url("admin"))
    page.get_by_role("button", name="Add Users").wait_for()
    return page


@pytest.fixture
def credential_reads(admin_page):
    """The requests the admin page sends to the credentials API."""
    reads = []

    def record(request):
        if urlsplit(request.url).path.endswith("/api/admin/credentials"):
            reads.append(request)

    admin_page.on("request", record)
    return reads


def _is_user_creation(response):
    return response.request.method == "POST" and urlsplit(response.url).path.endswith("/api/users")


def add_users(page, *names):
    """Add *names* through JupyterHub's own form; return its POST /api/users response."""
    page.get_by_role("button", name="Add Users").click()
    names_field = page.get_by_placeholder("usernames separated by line")
    names_field.fill("\n".join(names))
    # JupyterHub's form reads the names when the text area loses focus.
    names_field.blur()
    with page.expect_response(_is_user_creation) as created:
        page.get_by_role("button", name="Add Users").click()
    return created.value


def credentials_dialog(page):
    dialog = page.get_by_role("dialog", name="New users and their passwords")
    expect(dialog).to_be_visible()
    return dialog


def shown_passwords(dialog):
    """Each listed user with the password shown (None for a user without one)."""
    shown = {}
    for row in dialog.locator("tbody tr").all():
        password = row.locator("code")
        shown[row.get_attribute("data-username")] = (
            password.inner_text() if password.count() else None
        )
    return shown


def logs_in(hub, username, password):
    response = HubSession(hub).log_in(username, password)
    return response.status_code == 200 and "/hub/login" not in response.url


def clipboard(page):
    return page.evaluate("navigator.clipboard.readText()")


def test_a_batch_shows_each_new_user_with_a_passphrase_that_logs_in(hub, admin_page, console):
    created = add_users(admin_page, "ana", "ben")

    # What JupyterHub's admin page really sends, and what admin.js relies on.
    assert created.status == 201
    assert created.request.post_data_json == {"usernames": ["ana", "ben"], "admin": False}
    dialog = credentials_dialog(admin_page)
    passwords = shown_passwords(dialog)
    assert list(passwords) == ["ana", "ben"]
    assert all(PASSPHRASE.match(password) for password in passwords.values())
    assert passwords["ana"] != passwords["ben"]
    for name, password in passwords.items():
        assert logs_in(hub, name, password), name
    # Shown, and nowhere else in the browser.
    assert not [text for text in console if any(p in text for p in passwords.values())]


def test_copy_puts_a_passphrase_on_the_clipboard(admin_page):
    add_users(admin_page, "cal", "dot")
    dialog = credentials_dialog(admin_page)
    passwords = shown_passwords(dialog)

    # Found by its row, not its name: the name changes once it has copied.
    copy = dialog.locator('tr[data-username="dot"]').get_by_role("button")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert clipboard(admin_page) == passwords["dot"]
    # The other user's button still offers to copy: the admin sees what they handed out.
    expect(dialog.locator('tr[data-username="cal"]').get_by_role("button")).to_have_text("Copy")

    copy_all = dialog.locator(".stellars-copy-all")
    expect(copy_all).to_have_text("Copy all")
    copy_all.click()
    expect(copy_all).to_have_text("Copied all")
    assert clipboard(admin_page) == f"cal\t{passwords['cal']}\ndot\t{passwords['dot']}\n"


def test_download_saves_every_new_user_with_their_passphrase(admin_page):
    add_users(admin_page, "eli", "fay")
    dialog = credentials_dialog(admin_page)
    passwords = shown_passwords(dialog)

    with admin_page.expect_download() as downloading:
        dialog.get_by_role("button", name="Download").click()
    download = downloading.value
    assert re.fullmatch(r"credentials-\d{4}-\d{2}-\d{2}\.txt", download.suggested_filename)
    # Made in the browser from the page's own data, not fetched from anywhere.
    assert download.url.startswith("blob:")
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines == [f"eli\t{passwords['eli']}", f"fay\t{passwords['fay']}"]


def test_the_passphrases_are_read_once_and_forgotten_on_close(
    hub, admin_page, admin_token, credential_reads
):
    add_users(admin_page, "gus", "hal")
    dialog = credentials_dialog(admin_page)
    assert all(shown_passwords(dialog).values())

    assert [request.post_data_json for request in credential_reads] == [
        {"usernames": ["gus", "hal"]}
    ]
    again = hub.api(
        "POST", "admin/credentials", token=admin_token, json={"usernames": ["gus", "hal"]}
    )
    assert again.json() == {
        "credentials": [],
        "unavailable": ["gus", "hal"],
        "lost": ["gus", "hal"],
    }

    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    # Gone from the page as well, not only hidden.
    assert admin_page.locator("#stellars-credentials-dialog code").count() == 0


def test_a_user_who_signed_up_before_has_no_generated_password(hub, admin_page):
    # Signing up makes an account with the authenticator, not yet a hub user.
    assert HubSession(hub).sign_up("ivy", "ivys-own-long-passphrase").ok
    assert add_users(admin_page, "ivy", "jon").status == 201

    dialog = credentials_dialog(admin_page)
    passwords = shown_passwords(dialog)
    assert passwords["ivy"] is None
    assert PASSPHRASE.match(passwords["jon"])
    expect(dialog.locator('tr[data-username="ivy"]')).to_contain_text(UNAVAILABLE)
    # The download lists only the passwords there are.
    with admin_page.expect_download() as downloading:
        dialog.get_by_role("button", name="Download").click()
    lines = Path(downloading.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines == [f"jon\t{passwords['jon']}"]


def test_a_single_user_and_the_rest_of_the_admin_page_still_work(admin_page, page_errors):
    # The platform's navigation renders on JupyterHub's admin page too.
    expect(admin_page.get_by_test_id("stellars-platform-name")).to_be_visible()
    expect(admin_page.get_by_role("link", name="Activity")).to_be_visible()

    assert add_users(admin_page, "kim").status == 201
    dialog = credentials_dialog(admin_page)
    assert list(shown_passwords(dialog)) == ["kim"]
    # Escape does not throw the passwords away; only Close does.
    admin_page.keyboard.press("Escape")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # JupyterHub went back to its user list, which has the new user, and the
    # page answers clicks again.
    expect(admin_page.get_by_test_id("user-name-div-kim")).to_be_visible()
    admin_page.get_by_role("button", name="Manage Groups").click()
    expect(admin_page).to_have_url(re.compile(r"/groups$"))
    assert page_errors == []


def test_a_failed_read_still_lists_the_new_users_and_says_why(admin_page):
    refusal = {"status": 403, "message": "Requires the 'custom:credentials:read' scope."}
    admin_page.route(
        "**/api/admin/credentials",
        lambda route: route.fulfill(
            status=403, content_type="application/json", body=json.dumps(refusal)
        ),
    )
    add_users(admin_page, "lea", "max")

    dialog = credentials_dialog(admin_page)
    assert shown_passwords(dialog) == {"lea": None, "max": None}
    expect(dialog.get_by_role("status")).to_contain_text(refusal["message"])
    expect(dialog.get_by_role("button", name="Download")).to_be_disabled()

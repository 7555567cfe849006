"""The Notifications page (``/hub/notifications``) in a real browser, on a real hub.

The platform runs with the local-process spawner: ``jupyterhub-singleuser``
with the notifications extension the lab image carries (installed in the
test environment), so a broadcast sent from the page goes through the real
extension, and what a lab received is read back from it. One hub serves
every test; ada and bo run servers, cy never does.
"""

import re

import pytest
import requests
from accounts import local_platform
from playwright.sync_api import expect

from stellars_testing.browser import (
    assert_accessible,
    assert_fits,
    record_page_errors,
    screenshot,
    visit,
)

ADMIN = "boss"
ADMIN_PASSWORD = "notifications-page-passphrase"
ENVIRON = local_platform(ADMIN, ADMIN_PASSWORD)
RUNNING = ("ada", "bo")
STOPPED = "cy"
VARIANTS = ["default", "info", "success", "warning", "error", "in-progress"]
NOTIFICATIONS = "jupyterlab-notifications-extension/notifications"
TIMEOUT_MS = 15_000
MARKUP = "<img src=x onerror=alert(1)><b>bold</b>"


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(ENVIRON)


def start_servers(hub, names):
    for name in names:  # started together, then waited for
        hub.api("POST", f"users/{name}/server").raise_for_status()
    for name in names:
        hub.wait_for_server(name, running=True)


@pytest.fixture(scope="module")
def labs(hub):
    """ada's and bo's servers running, cy's not: name -> the user's API token."""
    tokens = {name: hub.create_user(name) for name in (*RUNNING, STOPPED)}
    start_servers(hub, RUNNING)
    return tokens


def received(hub, labs, name):
    """Return (message, type, autoClose) of what *name*'s lab received; reading empties it."""
    response = requests.get(
        hub.user_url(name, NOTIFICATIONS),
        headers={"Authorization": f"token {labs[name]}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [(n["message"], n["type"], n["autoClose"]) for n in response.json()["notifications"]]


@pytest.fixture
def empty_labs(hub, labs):
    """The running labs with nothing received yet (earlier tests' broadcasts are read away)."""
    for name in RUNNING:
        received(hub, labs, name)
    return labs


@pytest.fixture
def page_errors():
    """The uncaught errors of the page's scripts, and the alert() calls they made."""
    return []


def open_page(hub, logged_in_page, page_errors):
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    page.set_default_timeout(TIMEOUT_MS)

    # Named functions: Playwright cannot take a builtin (list.append) as a handler.
    def record_dialog(dialog):
        page_errors.append(f"a dialog opened: {dialog.message}")
        dialog.dismiss()

    record_page_errors(page, page_errors)
    page.on("dialog", record_dialog)
    visit(page, hub.hub_url("notifications"))
    return page


@pytest.fixture
def admin_page(hub, labs, logged_in_page, page_errors):
    """The admin on the page, its running servers listed; no script error by the end."""
    page = open_page(hub, logged_in_page, page_errors)
    for name in RUNNING:
        server_box(page, name).wait_for()
    yield page
    assert page_errors == []


def server_box(page, name):
    return page.locator(f'#stellars-broadcast-servers input[type=checkbox][data-username="{name}"]')


def result_row(page, name):
    return page.locator(f'#stellars-broadcast-results tbody tr[data-username="{name}"]')


def history_rows(page):
    return page.locator("#stellars-broadcast-history tbody tr")


def send(page, message):
    page.fill("#stellars-broadcast-message", message)
    page.click("#stellars-broadcast-send")


def send_to_nobody(hub, admin_token, *messages):
    """Broadcast each of *messages* through the API to cy, whose server is stopped.

    Each is kept in the history, delivered nowhere.
    """
    for message in messages:
        body = {"message": message, "recipients": [STOPPED]}
        response = hub.api("POST", "notifications/broadcast", token=admin_token, json=body)
        assert response.status_code == 200, response.text


def history(hub, admin_token):
    response = hub.api("GET", "notifications/history", token=admin_token)
    assert response.status_code == 200, response.text
    return response.json()["broadcasts"]


# ------------------------------------------------------------------ the form


def test_the_counter_follows_typing_and_send_waits_for_a_complete_form(admin_page):
    page = admin_page
    message = page.locator("#stellars-broadcast-message")
    counter = page.locator("#stellars-broadcast-counter")
    send_button = page.locator("#stellars-broadcast-send")
    # The admin reached the page from the navigation as well.
    link = page.get_by_role("link", name="Notifications")
    assert link.get_attribute("href").endswith("/hub/notifications")

    assert message.get_attribute("maxlength") == "140"
    expect(counter).to_have_text("0 / 140")
    expect(send_button).to_be_disabled()
    # Spaces count as typed, but a message of spaces only is no message.
    message.press_sequentially("   ")
    expect(counter).to_have_text("3 / 140")
    expect(send_button).to_be_disabled()
    message.press_sequentially("Hello")
    expect(counter).to_have_text("8 / 140")
    expect(send_button).to_be_enabled()
    # The field stops at the limit.
    message.fill("x" * 150)
    expect(counter).to_have_text("140 / 140")

    # The defaults: info, closing by itself after 5 s, to every running server.
    variant = page.locator("#stellars-broadcast-variant")
    assert variant.locator("option").evaluate_all("options => options.map(o => o.value)") == (
        VARIANTS
    )
    expect(variant).to_have_value("info")
    expect(page.locator("#stellars-broadcast-autoclose")).to_be_checked()
    seconds = page.locator("#stellars-broadcast-autoclose-seconds")
    expect(seconds).to_have_value("5")
    seconds.fill("0")
    expect(send_button).to_be_disabled()
    page.uncheck("#stellars-broadcast-autoclose")  # no seconds needed then
    expect(seconds).to_be_disabled()
    expect(send_button).to_be_enabled()

    expect(page.locator('input[name="stellars-broadcast-recipients"][value="all"]')).to_be_checked()
    page.check('input[name="stellars-broadcast-recipients"][value="chosen"]')
    expect(send_button).to_be_disabled()  # nobody chosen yet
    page.check('#stellars-broadcast-servers input[data-username="ada"]')
    expect(send_button).to_be_enabled()
    # Nothing was sent on the way.
    expect(page.locator("#stellars-broadcast-results")).to_be_hidden()


def test_the_user_boxes_choose_only_while_chosen_users_are_the_recipients(admin_page):
    page = admin_page
    boxes = page.locator("#stellars-broadcast-servers input[type=checkbox]")
    expect(boxes).to_have_count(len(RUNNING))
    every = page.locator('input[name="stellars-broadcast-recipients"][value="all"]')
    chosen = page.locator('input[name="stellars-broadcast-recipients"][value="chosen"]')
    expect(every).to_be_checked()
    for box in boxes.all():
        expect(box).to_be_disabled()
    chosen.check()
    for box in boxes.all():
        expect(box).to_be_enabled()
    server_box(page, "ada").check()
    # Back to everyone: the boxes go quiet again, and a Refresh keeps them so.
    every.check()
    for box in boxes.all():
        expect(box).to_be_disabled()
    page.click("#stellars-broadcast-refresh")
    expect(page.locator("#stellars-broadcast-refresh")).to_be_enabled()
    for box in boxes.all():
        expect(box).to_be_disabled()


# ------------------------------------------------------------------ sending


def test_the_totals_of_a_broadcast_are_shown_once(hub, empty_labs, admin_page):
    page = admin_page
    send(page, "Counted once")
    totals = "2 delivered, 0 failed of 2"
    expect(page.locator("#stellars-broadcast-totals")).to_have_text(totals)
    expect(page.locator("#stellars-broadcast-status")).to_have_text("Sent.")
    assert page.locator("#stellars-notifications").inner_text().count(totals) == 1


def test_a_broadcast_to_everyone_reaches_each_running_lab_and_reports_it(
    hub, empty_labs, admin_page
):
    page = admin_page
    for name in RUNNING:
        box = page.locator(f'input[data-username="{name}"]')  # inside the label
        server = page.locator("#stellars-broadcast-servers label").filter(has=box)
        assert re.search(r"started (just now|\d+ minutes? ago)", server.inner_text())
    page.select_option("#stellars-broadcast-variant", "success")
    page.fill("#stellars-broadcast-autoclose-seconds", "7")
    send(page, "  Coffee in the kitchen  ")

    expect(page.locator("#stellars-broadcast-totals")).to_have_text("2 delivered, 0 failed of 2")
    expect(page.locator("#stellars-broadcast-results tbody tr")).to_have_count(2)
    for name in RUNNING:
        row = result_row(page, name)
        expect(row.locator("[data-column=outcome]")).to_have_text("Delivered")
        assert re.fullmatch(r"[\d,]+ ms", row.locator("[data-column=time]").inner_text())
    status = page.locator("#stellars-broadcast-status")
    expect(status).to_have_text("Sent.")
    expect(status).to_have_class(re.compile("alert-success"))
    assert status.get_attribute("role") == "status"
    # Sent once: the field is empty again, so a second click cannot repeat it.
    expect(page.locator("#stellars-broadcast-message")).to_have_value("")
    expect(page.locator("#stellars-broadcast-send")).to_be_disabled()

    for name in RUNNING:
        assert received(hub, empty_labs, name) == [("Coffee in the kitchen", "success", 7000)]
    newest = history_rows(page).first
    expect(newest.locator("[data-column=message]")).to_have_text("Coffee in the kitchen")
    expect(newest.locator("[data-column=delivered]")).to_have_text("2 / 2")
    expect(newest.locator("[data-column=sender]")).to_have_text(ADMIN)
    sent_at = newest.locator("time")
    assert sent_at.inner_text() == "just now"
    assert sent_at.get_attribute("title")
    screenshot(page, "notifications")


def test_chosen_recipients_get_it_and_nobody_else_does(hub, empty_labs, admin_page):
    page = admin_page
    page.check('input[name="stellars-broadcast-recipients"][value="chosen"]')
    page.check('#stellars-broadcast-servers input[data-username="bo"]')
    page.select_option("#stellars-broadcast-variant", "warning")
    page.uncheck("#stellars-broadcast-autoclose")
    send(page, "Only for bo")

    expect(page.locator("#stellars-broadcast-totals")).to_have_text("1 delivered, 0 failed of 1")
    expect(page.locator("#stellars-broadcast-results tbody tr")).to_have_count(1)
    expect(result_row(page, "bo").locator("[data-column=outcome]")).to_have_text("Delivered")
    assert received(hub, empty_labs, "bo") == [("Only for bo", "warning", False)]
    assert received(hub, empty_labs, "ada") == []
    newest = history_rows(page).first
    expect(newest.locator("[data-column=delivered]")).to_have_text("1 / 1")
    assert newest.locator("[data-column=variant] .badge").get_attribute("title") == (
        "Stays until dismissed"
    )


def test_markup_in_a_message_is_shown_as_text(hub, empty_labs, admin_page):
    page = admin_page
    send(page, MARKUP)
    expect(page.locator("#stellars-broadcast-totals")).to_have_text("2 delivered, 0 failed of 2")
    newest = history_rows(page).first
    expect(newest.locator("[data-column=message]")).to_have_text(MARKUP)
    assert page.locator("#stellars-broadcast-history b").count() == 0
    assert page.locator("#stellars-notifications img").count() == 0
    assert received(hub, empty_labs, "ada") == [(MARKUP, "info", 5000)]
    # admin_page's teardown: no alert() ran.


def test_the_history_shows_the_newest_first(hub, admin_token, labs, admin_page):
    send_to_nobody(hub, admin_token, "older note", "newer note")
    page = admin_page
    page.reload()
    rows = history_rows(page)
    expect(rows.nth(1).locator("[data-column=message]")).to_have_text("older note")
    expect(rows.first.locator("[data-column=message]")).to_have_text("newer note")
    expect(rows.first.locator("[data-column=delivered]")).to_have_text("0 / 1")
    assert rows.count() == len(history(hub, admin_token))

    # One sent from the page goes on top, without a reload.
    send(page, "newest note")
    expect(rows.first.locator("[data-column=message]")).to_have_text("newest note")
    expect(rows.nth(1).locator("[data-column=message]")).to_have_text("newer note")


def test_an_admin_deletes_a_history_entry_after_confirming(hub, admin_token, labs, admin_page):
    send_to_nobody(hub, admin_token, "stays in the history", "goes from the history")
    page = admin_page
    page.reload()
    rows = history_rows(page)
    newest = rows.first
    expect(newest.locator("[data-column=message]")).to_have_text("goes from the history")
    count = rows.count()
    dialog = page.locator("#stellars-broadcast-delete-dialog")

    # Cancel keeps it.
    newest.get_by_role("button", name=re.compile("^Delete the broadcast sent")).click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("goes from the history")
    assert_accessible(page)
    assert_fits(page)
    screenshot(page, "notifications-delete", keep_viewport=True)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(rows).to_have_count(count)

    # Delete, confirmed, removes that entry only, from the page and the hub.
    newest.get_by_role("button", name=re.compile("^Delete the broadcast sent")).click()
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#stellars-broadcast-status")).to_have_text("Deleted from the history.")
    expect(rows).to_have_count(count - 1)
    expect(rows.first.locator("[data-column=message]")).to_have_text("stays in the history")
    messages = [b["message"] for b in history(hub, admin_token)]
    assert "goes from the history" not in messages
    assert "stays in the history" in messages


# ------------------------------------------------------------------ errors


def test_the_hubs_refusal_of_a_bad_request_is_shown(hub, admin_token, labs, admin_page):
    page = admin_page
    before = history(hub, admin_token)
    # A type the page does not offer, as a stale or altered page would send it.
    page.locator("#stellars-broadcast-variant").evaluate(
        "select => select.add(new Option('loud', 'loud'))"
    )
    page.select_option("#stellars-broadcast-variant", "loud")
    send(page, "Too loud")
    status = page.locator("#stellars-broadcast-status")
    expect(status).to_have_class(re.compile("alert-danger"))
    expect(status).to_contain_text("Not sent: variant: Input should be 'default', 'info'")
    # Nothing was sent: the message stays for another try, no report appears.
    expect(page.locator("#stellars-broadcast-message")).to_have_value("Too loud")
    expect(page.locator("#stellars-broadcast-results")).to_be_hidden()
    assert history(hub, admin_token) == before


@pytest.fixture
def no_server_running(hub, labs):
    """Every server stopped for the test, and started again after it."""
    for name in RUNNING:
        hub.api("DELETE", f"users/{name}/server").raise_for_status()
    for name in RUNNING:
        hub.wait_for_server(name, running=False)
    yield
    start_servers(hub, RUNNING)


def test_with_no_server_running_the_page_says_so_and_a_broadcast_is_refused(
    hub, admin_token, no_server_running, logged_in_page, page_errors
):
    before = history(hub, admin_token)
    page = open_page(hub, logged_in_page, page_errors)
    expect(page.locator("#stellars-broadcast-servers")).to_have_text(
        "No server is running: a broadcast to everyone would reach nobody."
    )
    send(page, "Anyone there?")
    status = page.locator("#stellars-broadcast-status")
    expect(status).to_have_text(
        "Not sent: no server is running: there is nobody to notify", timeout=TIMEOUT_MS
    )
    expect(status).to_have_class(re.compile("alert-danger"))
    assert history(hub, admin_token) == before
    assert page_errors == []


# ------------------------------------------------------------------ who may


def test_without_the_broadcast_scope_the_page_is_forbidden_and_not_linked(
    hub, admin_token, labs, logged_in_page
):
    credentials = hub.api(
        "POST", "admin/credentials", token=admin_token, json={"usernames": [STOPPED]}
    )
    assert credentials.status_code == 200, credentials.text
    (entry,) = credentials.json()["credentials"]
    page = logged_in_page(hub, STOPPED, entry["password"])
    assert page.get_by_role("link", name="Notifications").count() == 0
    response = visit(page, hub.hub_url("notifications"))
    assert response.status == 403
    assert page.locator("#stellars-notifications").count() == 0

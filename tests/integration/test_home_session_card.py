"""The home page's idle-session card, in a real browser, with the real culler and engine.

The culler's base timeout is 40 minutes, so a fresh server starts at the
"warning" level (under an hour), and with a check every 10 minutes the
culler never stops it during the test. The "danger" level (under 30
minutes) would take a second hub or a long wait: it is checked on a faked
session-info answer instead, as are the states a running hub cannot show
on demand.
"""

import re

import pytest
from playwright.sync_api import expect

from stellars_testing.browser import navigate

TIMEOUT_MS = 90_000
# What the 30 s re-sync may need, with room for a slow page.
SYNC_TIMEOUT_MS = 45_000
CULLER = {
    "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
    "JUPYTERHUB_IDLE_CULLER_TIMEOUT": "2400",
    "JUPYTERHUB_IDLE_CULLER_INTERVAL": "600",
    "JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION": "2",
}
CEILING_S = 2400 + 2 * 3600


@pytest.fixture(scope="module")
def hub(module_docker_platform):
    return module_docker_platform(CULLER)


def _ensure_running(hub, username):
    if not hub.user_model(username)["servers"].get(""):
        hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)


def _seconds(countdown):
    return int(countdown.get_attribute("data-seconds"))


def _info(hub, username):
    response = hub.api("GET", f"users/{username}/session-info")
    assert response.status_code == 200, response.text
    return response.json()


def test_the_card_counts_down_and_extends_up_to_the_hours_on_offer(
    hub, logged_in_page, admin_name, admin_password
):
    _ensure_running(hub, admin_name)
    assert _info(hub, admin_name)["hours_used"] == 0
    page = logged_in_page(hub, admin_name, admin_password)
    card = page.locator("#stellars-session")
    card.wait_for(timeout=TIMEOUT_MS)
    assert card.get_attribute("data-state") == "running"
    countdown = page.locator("#stellars-session-remaining")
    hours = page.locator("#stellars-session-hours")
    button = page.locator("#stellars-session-extend-button")
    status = page.locator("#stellars-session-status")

    # 40 minutes at most: the warning level, counting to the second.
    first = _seconds(countdown)
    assert 0 < first <= 2400
    assert re.fullmatch(r"\d+ min \d\d s", countdown.inner_text())
    assert card.get_attribute("data-level") == "warning"
    assert "alert-warning" in card.get_attribute("class")
    assert hours.get_attribute("max") == "2"
    # It ticks in the browser, between the hub's answers (every 30 s).
    page.wait_for_timeout(2_500)
    assert first - 4 <= _seconds(countdown) < first

    hours.fill("1")
    button.click()
    expect(status).to_have_text("Extended by 1 h.")
    assert status.get_attribute("data-kind") == "success"
    # Over an hour now: the normal level, and one hour left on offer.
    assert 3600 < _seconds(countdown) <= 3600 + 2400
    assert re.fullmatch(r"1 h \d\d min", countdown.inner_text())
    assert card.get_attribute("data-level") == "normal"
    assert "alert-secondary" in card.get_attribute("class")
    assert hours.get_attribute("max") == "1"
    assert hours.input_value() == "1"

    # More than is on offer is sent as asked; the hub grants what it can and says so.
    hours.fill("5")
    button.click()
    expect(status).to_have_text("Extended by 1 h, all that was on offer (5 h asked).")
    assert 7200 < _seconds(countdown) <= CEILING_S
    expect(hours).to_be_disabled()
    expect(button).to_be_disabled()
    assert hours.input_value() == "1"
    expect(page.locator("#stellars-session-longest")).to_be_visible()
    assert "at its longest" in page.locator("#stellars-session-longest").inner_text()

    info = _info(hub, admin_name)
    assert (info["hours_used"], info["hours_on_offer"]) == (2, 0)


def test_levels_and_states_follow_the_answer(hub, logged_in_page, admin_name, admin_password):
    answer = {
        "culler_enabled": True,
        "server_running": True,
        "timeout_seconds": 2400,
        "max_extension_seconds": 7200,
        "ceiling_seconds": CEILING_S,
        "max_age_seconds": 0,
        "last_activity": "2026-11-26T07:00:00+00:00",
        "remaining_seconds": 600,
        "hours_used": 2,
        "hours_on_offer": 0,
    }
    page = logged_in_page(hub, admin_name, admin_password)
    # The route reads *answer* at each request: change it, reload, look.
    page.route(
        hub.hub_url(f"api/users/{admin_name}/session-info"),
        lambda route: route.fulfill(json=answer),
    )
    card = page.locator("#stellars-session")
    countdown = page.locator("#stellars-session-remaining")
    hours = page.locator("#stellars-session-hours")

    # Ten minutes left and nothing on offer: danger, and the control is off.
    navigate(page, page.reload)
    card.wait_for()
    assert card.get_attribute("data-level") == "danger"
    assert "alert-danger" in card.get_attribute("class")
    assert re.fullmatch(r"(10 min 00|9 min 5\d) s", countdown.inner_text())
    expect(hours).to_be_disabled()
    expect(page.locator("#stellars-session-longest")).to_be_visible()

    # Ninety minutes and an hour on offer; the hub refuses, in words that are
    # shown as text, never run as markup.
    answer.update(remaining_seconds=5400, hours_on_offer=1)
    refusal = '<img src="x" onerror="window.stellarsHacked = 1">'
    page.route(
        hub.hub_url(f"api/users/{admin_name}/extend-session"),
        lambda route: route.fulfill(status=409, json={"status": 409, "message": refusal}),
    )
    navigate(page, page.reload)
    card.wait_for()
    assert card.get_attribute("data-level") == "normal"
    assert countdown.inner_text() in {"1 h 30 min", "1 h 29 min"}
    assert hours.get_attribute("max") == "1"
    expect(page.locator("#stellars-session-longest")).to_be_hidden()
    # From the keyboard, as a keyboard user extends (the test above clicks).
    # A click here once missed in CI run ci26: nothing was sent and no status
    # shown, most likely a click that landed where the button had been just
    # before the server card above it took its first figures and grew.
    # Keyboard activation goes to the focused button wherever it is.
    page.locator("#stellars-session-extend-button").press("Enter")
    status = page.locator("#stellars-session-status[data-kind=danger]")
    expect(status).to_have_text(f"Could not extend: {refusal}")
    assert page.evaluate("window.stellarsHacked") is None

    # No culler, or no running server: no card.
    answer.update(culler_enabled=False, remaining_seconds=None, hours_on_offer=0)
    navigate(page, page.reload)
    expect(card).to_have_attribute("data-state", "off")
    expect(card).to_be_hidden()
    answer.update(culler_enabled=True, server_running=False)
    navigate(page, page.reload)
    expect(card).to_have_attribute("data-state", "stopped")
    expect(card).to_be_hidden()


def test_the_card_goes_when_the_server_stops(hub, logged_in_page, admin_name, admin_password):
    _ensure_running(hub, admin_name)
    page = logged_in_page(hub, admin_name, admin_password)
    card = page.locator("#stellars-session")
    card.wait_for(timeout=TIMEOUT_MS)

    # JupyterHub's own "Stop My Server" stops it without a reload; the card follows.
    page.click("#stop")
    expect(card).to_have_attribute("data-state", "stopped", timeout=SYNC_TIMEOUT_MS)
    expect(card).to_be_hidden()
    hub.wait_for_server(admin_name, running=False)
    navigate(page, page.reload)
    expect(card).to_have_attribute("data-state", "stopped")
    expect(card).to_be_hidden()

"""The Activity page (``/hub/activity``) in a real browser, on a real hub.

The platform runs with the local-process spawner, so no Docker is needed and
no server ever runs here. The activity comes from samples this module writes
into the hub's database with ``stellars_activity``, as the sampler would have
written them over the past hours. One hub serves every test; each test
seeds the same samples again first.
"""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from accounts import local_platform, signed_up
from playwright.sync_api import expect

from stellars_activity import ActivitySettings, ActivityStore, tick_time
from stellars_testing.browser import screenshot, visit

ADMIN = "admin"
ADMIN_PASSWORD = "activity-admin-password"
USER = "eve"
USER_PASSWORD = "activity-user-passphrase"
REFRESH_S = 2
ENVIRON = {
    **local_platform(ADMIN, ADMIN_PASSWORD),
    "JUPYTERHUB_ACTIVITYMON_REFRESH_INTERVAL": str(REFRESH_S),
}
# Seeded users: hours of samples up to now, and one active sample in every n
# (0: no samples at all). With the default 8-hour target: ada 100 %, "very
# high"; bob about 75 %, "high"; cy under a day of samples; dee no data.
SEEDED = {"ada": (30, 1), "bob": (30, 4), "cy": (5, 10), "dee": (0, 0)}
BY_SCORE = ["ada", "bob", "cy"]  # highest first; dee has no score
TIMEOUT_MS = 15_000
# A tick of the hub's own sampler inside a test would add samples under it.
TICK_MARGIN_S = 30


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(ENVIRON)


@pytest.fixture(scope="module")
def store(hub):
    # The activity tables live in the hub's own database, the default settings' frame.
    store = ActivityStore(hub.db_url, ActivitySettings())
    yield store
    store.engine.dispose()


@pytest.fixture(scope="module")
def user(hub):
    """A normal user: signed up through the form, authorised by the admin, logged in once.

    The hub has the user from their first login (sign-up is the authenticator's own).
    """
    signed_up(hub, USER, USER_PASSWORD, ADMIN, ADMIN_PASSWORD)
    return USER


def _activity(hub):
    response = hub.api("GET", "activity")
    assert response.status_code == 200, response.text
    return response.json()


def _clear_of_a_tick(interval):
    """Wait past the sampler's next tick when it is due within the margin."""
    now = datetime.now(UTC)
    due = tick_time(now, interval) + interval
    if (due - now).total_seconds() < TICK_MARGIN_S:
        time.sleep((due - now).total_seconds() + 3)


@pytest.fixture
def seeded(hub, store, user):
    """Write the samples of ``SEEDED`` again, ending at the current tick."""
    interval = timedelta(seconds=_activity(hub)["settings"]["sample_interval_seconds"])
    _clear_of_a_tick(interval)
    for name in SEEDED:
        created = hub.api("POST", f"users/{name}")
        assert created.status_code in {201, 409}, created.text
        # Their first sample was written when they were created: start from nothing.
        store.delete_user(name)
    now = tick_time(datetime.now(UTC), interval)
    ticks = {}
    for name, (hours, every) in SEEDED.items():
        if not every:
            continue  # no samples at all
        for step in range(int(timedelta(hours=hours) / interval) + 1):
            ticks.setdefault(now - step * interval, {})[name] = step % every == 0
    for at in sorted(ticks):
        store.record_tick(ticks[at], at)
    return _activity(hub)


@pytest.fixture
def admin_page(hub, logged_in_page):
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    visit(page, hub.hub_url("activity"))
    page.locator("#stellars-activity-table tbody tr[data-username]").first.wait_for()
    return page


def _row(page, username):
    return page.locator(f'#stellars-activity-table tr[data-username="{username}"]')


def _usernames(page):
    rows = page.locator("#stellars-activity-table tbody tr[data-username]")
    return [row.get_attribute("data-username") for row in rows.all()]


def _sort(page, key):
    page.click(f"th[data-sort-key={key}] button")
    # The hub sorts: the table is busy until its rows in the new order are shown.
    page.locator("#stellars-activity-table:not([aria-busy])").wait_for()
    return page.locator(f"th[data-sort-key={key}]").get_attribute("aria-sort")


def _by_user(report):
    return {user["username"]: user for user in report["users"]}


# ------------------------------------------------------------------ the table


def test_the_table_lists_every_user_with_their_activity(hub, seeded, admin_page):
    page = admin_page
    names = _usernames(page)
    assert set(names) == set(_by_user(seeded))
    assert {ADMIN, USER, *SEEDED} <= set(names)
    # The admin reached the page from the navigation as well.
    assert page.get_by_role("link", name="Activity").get_attribute("href").endswith("/activity")

    users = _by_user(seeded)
    ada = _row(page, "ada").locator(".stellars-activity-bar")
    assert users["ada"]["enough_data"]
    assert re.fullmatch(
        r"Score \d+\.\d · 100 % of the daily target · level: very high · \d+ samples"
        r" · 30 h collected",
        ada.get_attribute("title"),
    ), ada.get_attribute("title")
    assert _row(page, "ada").locator(".stellars-activity-label").inner_text() == "very high"
    width = ada.locator(".stellars-activity-fill").evaluate("fill => fill.style.width")
    assert float(width.removesuffix("%")) == pytest.approx(users["ada"]["percentage"])
    assert _row(page, "bob").locator(".stellars-activity-label").inner_text() == "high"

    # Under a day of samples the level is not stated, the hours collected are.
    cy = _row(page, "cy").locator(".stellars-activity-bar").get_attribute("title")
    assert "not enough data (5 h collected)" in cy
    assert "level" not in cy
    assert _row(page, "cy").locator(".stellars-activity-label").inner_text() == "not enough data"

    assert users["dee"]["score"] is None
    assert _row(page, "dee").locator(".stellars-activity-label").inner_text() == "no data"
    screenshot(page, "activity")


def test_the_sparkline_lists_hours_per_day_ending_today(hub, seeded, admin_page):
    hours = _by_user(seeded)["ada"]["daily_hours"]
    assert len(hours) == seeded["settings"]["retention_days"]
    assert sum(hours) > 0
    title = _row(admin_page, "ada").locator("svg.stellars-sparkline title").text_content()
    lines = title.splitlines()[1:]
    today = datetime.fromisoformat(seeded["timestamp"]).date()
    days = [today - timedelta(days=len(hours) - 1 - index) for index in range(len(hours))]
    assert lines == [
        f"{day.isoformat()}: {value:.1f}".removesuffix(".0") + " h"
        for day, value in zip(days, hours, strict=True)
    ]
    assert _row(admin_page, "ada").locator("svg.stellars-sparkline rect").count() == len(hours)


def test_last_active_is_relative_with_the_timestamp_in_a_tooltip(hub, seeded, admin_page):
    # The admin just logged in; the seeded users never did.
    admin = _row(admin_page, ADMIN).locator("[data-column=last_activity]")
    assert re.fullmatch(r"just now|\d+ minutes? ago", admin.inner_text())
    stamp = admin.locator("time")
    assert datetime.fromisoformat(stamp.get_attribute("datetime")) <= datetime.now(UTC)
    assert stamp.get_attribute("title")
    assert _row(admin_page, "ada").locator("[data-column=last_activity]").inner_text() == "never"


def test_the_summary_counts_users_and_says_how_sampling_goes(hub, seeded, admin_page):
    counts = seeded["summary"]
    # The local spawner runs no server: everyone is offline.
    assert counts["total"] == len(seeded["users"])
    assert counts["offline"] == counts["total"]
    expect(admin_page.locator("#stellars-activity-summary")).to_have_text(
        f"{counts['total']} users · 0 active · 0 idle · {counts['total']} offline"
    )
    sampling = admin_page.locator("#stellars-activity-sampling")
    assert sampling.get_attribute("data-state") == counts["sampling"]["state"] == "ok"
    assert sampling.inner_text().startswith("Sampling in the hub every 10 min · last sample")
    dot = _row(admin_page, "ada").locator(".stellars-dot")
    assert dot.get_attribute("data-state") == "offline"
    assert dot.get_attribute("title") == "Offline: no server running"


# ------------------------------------------------------------------ sorting


def test_headers_sort_by_score_both_ways_with_no_data_last(hub, seeded, admin_page):
    page = admin_page
    assert page.locator("th[data-sort-key=username]").get_attribute("aria-sort") == "ascending"
    assert _usernames(page) == sorted(_usernames(page))

    assert _sort(page, "activity") == "descending"
    names = _usernames(page)
    assert [name for name in names if name in BY_SCORE] == BY_SCORE
    assert names[-1] == "dee"
    assert page.locator("th[data-sort-key=username]").get_attribute("aria-sort") is None

    assert _sort(page, "activity") == "ascending"
    names = _usernames(page)
    assert [name for name in names if name in BY_SCORE] == BY_SCORE[::-1]
    assert names[-1] == "dee"  # null last in either direction

    assert _sort(page, "username") == "ascending"
    assert _usernames(page) == sorted(names)
    assert _sort(page, "username") == "descending"
    assert _usernames(page) == sorted(names, reverse=True)


def test_a_refresh_keeps_the_sort_and_shows_new_samples(hub, store, seeded, admin_page):
    page = admin_page
    assert _sort(page, "activity") == "descending"
    dee = _row(page, "dee").locator(".stellars-activity-label")
    assert dee.inner_text() == "no data"
    # dee's first sample (inactive): the next refresh shows it without a reload.
    interval = timedelta(seconds=seeded["settings"]["sample_interval_seconds"])
    store.record_tick({"dee": False}, tick_time(datetime.now(UTC), interval))
    expect(dee).to_have_text("not enough data", timeout=REFRESH_S * 3 * 1000)
    assert page.locator("th[data-sort-key=activity]").get_attribute("aria-sort") == "descending"
    names = _usernames(page)
    assert [name for name in names if name in BY_SCORE] == BY_SCORE
    assert names.index("dee") > names.index("cy")  # a score of 0 now, under cy's


# ------------------------------------------------------------------ actions


def test_reset_asks_first_and_cancel_keeps_the_samples(hub, seeded, admin_page):
    page = admin_page
    dialog = page.locator("#stellars-activity-reset-dialog")
    page.click("#stellars-activity-reset")
    expect(dialog).to_be_visible()
    page.click("#stellars-activity-reset-dialog .stellars-cancel")
    expect(dialog).to_be_hidden()
    assert page.locator("#stellars-activity-status").is_hidden()
    assert _by_user(_activity(hub))["ada"]["score"] is not None


def test_reset_when_confirmed_drops_every_score(hub, seeded, admin_page):
    page = admin_page
    page.click("#stellars-activity-reset")
    page.click("#stellars-activity-reset-dialog .stellars-confirm-reset")
    status = page.locator("#stellars-activity-status")
    expect(status).to_have_class(re.compile("alert-success"), timeout=TIMEOUT_MS)
    assert status.get_attribute("role") == "status"

    users = _activity(hub)["users"]
    assert users
    assert all(user["score"] is None and user["samples"] == 0 for user in users)
    expect(_row(page, "ada").locator(".stellars-activity-label")).to_have_text("no data")


def test_sample_now_records_a_tick_and_refreshes(hub, seeded, admin_page):
    page = admin_page
    page.click("#stellars-activity-sample")
    status = page.locator("#stellars-activity-status")
    expect(status).to_have_class(re.compile("alert-success"), timeout=TIMEOUT_MS)
    assert re.fullmatch(
        r"Sample recorded for \d+ users?\.|Nothing new recorded: this moment is sampled already\.",
        status.inner_text(),
    )
    assert _activity(hub)["summary"]["sampling"]["last_tick"] is not None


# ------------------------------------------------------------------ who sees what


def test_a_user_sees_only_their_own_row_and_no_admin_buttons(hub, seeded, logged_in_page, user):
    page = logged_in_page(hub, user, USER_PASSWORD)
    page.get_by_role("link", name="Activity").click()
    page.locator("#stellars-activity-table tbody tr[data-username]").first.wait_for()
    assert _usernames(page) == [user]
    assert _row(page, user).locator("[data-column=authorized]").inner_text() == "yes"
    assert page.locator("#stellars-activity-reset").count() == 0
    assert page.locator("#stellars-activity-sample").count() == 0
    expect(page.locator("#stellars-activity-summary")).to_have_text(
        "1 user · 0 active · 0 idle · 1 offline"
    )


# ------------------------------------------------------------------ states the local spawner lacks

# Running servers, CPU, memory, volumes and the idle culler need Docker; the
# rendering of each is pinned here with a fixed answer of the API, on the
# real page (a username that is markup included: it must stay text).
RUNNING = {
    "username": "<img src=x onerror=window.stellarsHacked=1>",
    "admin": False,
    "authorized": None,
    "server_active": True,
    "recently_active": False,
    "server_pending": None,
    "last_activity": "2026-11-26T06:55:00+00:00",
    "cpu_percent": 12.5,
    "memory_mb": 256.0,
    "memory_percent": 3.1,
    "volumes": [
        {"suffix": "home", "name": "jupyterlab-x_home", "size_bytes": 123_456},
        {"suffix": "cache", "name": "jupyterlab-x_cache", "size_bytes": None},
    ],
    "volumes_total_bytes": 123_456,
    "time_left_seconds": 3900,
    "score": 41.2,
    "percentage": 100.0,
    "level": 4,
    "level_name": "very high",
    "samples": 120,
    "hours_collected": 30.5,
    "enough_data": True,
    "last_sample": "2026-11-26T06:50:00+00:00",
    "daily_hours": [0.0, 1.5, 0.0, 2.0, 8.0, 3.5, 1.0],
}


def test_running_servers_render_their_state_and_resources(hub, logged_in_page):
    answer = {
        "timestamp": "2026-11-26T07:00:00+00:00",
        "settings": {
            "refresh_interval_seconds": REFRESH_S,
            "target_hours": 8.0,
            "half_life_hours": 72.0,
            "retention_days": 7,
            "inactive_after_minutes": 60.0,
            "sample_interval_seconds": 600,
        },
        "summary": {
            "total": 2,
            "active": 1,
            "idle": 1,
            "offline": 0,
            "sampling": {
                "mode": "hub",
                "interval_seconds": 600,
                "last_tick": "2026-11-26T06:30:00+00:00",
                "state": "late",
            },
        },
        "users": [RUNNING, {**RUNNING, "username": "busy", "recently_active": True}],
    }
    page = logged_in_page(hub, ADMIN, ADMIN_PASSWORD)
    asked = []  # the page's queries: the hub searches, filters, sorts and pages

    def fixed_answer(route):
        asked.append(route.request.url)
        route.fulfill(json=answer)

    # The page's own query string follows the path.
    page.route(re.compile(re.escape(hub.hub_url("api/activity")) + r"(\?.*)?$"), fixed_answer)
    visit(page, hub.hub_url("activity"))
    idle = _row(page, RUNNING["username"])
    idle.wait_for()
    assert idle.locator("[data-column=username]").inner_text() == RUNNING["username"]
    assert page.evaluate("window.stellarsHacked") is None

    dot = idle.locator(".stellars-dot")
    assert dot.get_attribute("data-state") == "idle"
    assert dot.get_attribute("title") == "Running but idle: no activity (last 60 min)"
    busy = _row(page, "busy").locator(".stellars-dot")
    assert busy.get_attribute("data-state") == "active"
    assert busy.get_attribute("title") == "Running and recently active (last 60 min)"

    assert idle.locator("[data-column=cpu]").inner_text() == "12.5 %"
    assert idle.locator("[data-column=memory]").inner_text() == "256 MB (3.1 %)"
    volumes = idle.locator("[data-column=volumes] span")
    assert volumes.inner_text() == "123.5 KB"
    assert volumes.get_attribute("title") == (
        "home: 123.5 KB (jupyterlab-x_home)\ncache: size not known yet (jupyterlab-x_cache)"
    )
    assert idle.locator("[data-column=time_left]").inner_text() == "1 h 5 min"
    # Relative to the hub's clock in the answer, not the browser's.
    assert idle.locator("[data-column=last_activity]").inner_text() == "5 minutes ago"
    assert idle.locator("[data-column=authorized]").inner_text() == "—"

    sampling = page.locator("#stellars-activity-sampling")
    assert sampling.get_attribute("data-state") == "late"
    assert "text-bg-warning" in sampling.get_attribute("class")
    assert sampling.inner_text().endswith("last sample 30 minutes ago · late")
    assert page.locator("#stellars-activity-summary").inner_text() == (
        "2 users · 1 active · 1 idle · 0 offline"
    )
    # Status sorts by state (active, idle, offline), not by the tooltip's words:
    # the hub sorts (test_activity_listing_api.py), the page asks it to.
    assert _sort(page, "status") == "descending"
    expect(page).to_have_url(re.compile(r"sort=status&order=desc"))
    assert "sort=status&order=desc" in asked[-1]

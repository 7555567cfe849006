"""The Activity page's search, filters, paging, kept view and exports, in a real browser.

On a real hub (local spawner) with 60 users beside the admin, so the table
has more than one page; the hub does the searching, filtering, sorting and
paging (test_activity_listing_api.py pins the API), the page asks for it and
keeps what the reader chose in its URL.
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from accounts import local_platform
from playwright.sync_api import expect

from stellars_activity import ActivitySettings, ActivityStore
from stellars_testing import HubSession
from stellars_testing.browser import assert_accessible, assert_fits, screenshot, visit

ADMIN = "chief"
PASSWORD = "activity-controls-passphrase"
ENVIRON = local_platform(ADMIN, PASSWORD)
NAMES = [f"row-{n:02d}" for n in range(60)]
BUSY = ["row-07", "row-33", "row-51"]  # the only ones with activity, busiest first
TABLE = "#stellars-activity-table"
DASH = "\N{EN DASH}"  # between the first and last row shown


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    hub = module_platform_hub(ENVIRON)
    assert hub.api("POST", "users", json={"usernames": NAMES}).status_code == 201
    store = ActivityStore(hub.db_url, ActivitySettings())
    try:
        for name in NAMES:
            store.delete_user(name)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        for step in range(30):
            at = now - timedelta(minutes=10 * (step + 1))
            store.record_tick({name: step % (i + 1) == 0 for i, name in enumerate(BUSY)}, at)
    finally:
        store.engine.dispose()
    return hub


@pytest.fixture
def page(hub, logged_in_page):
    page = logged_in_page(hub, ADMIN, PASSWORD)
    visit(page, hub.hub_url("activity"))
    settled(page)
    return page


def settled(page):
    """Wait until the rows of the page's current view are shown."""
    page.locator(f"{TABLE}:not([aria-busy])").wait_for()
    page.locator(f"{TABLE} tbody tr").first.wait_for()


def usernames(page):
    rows = page.locator(f"{TABLE} tbody tr[data-username]")
    return [row.get_attribute("data-username") for row in rows.all()]


def test_pages_of_fifty_with_previous_and_next(page):
    assert usernames(page) == sorted([ADMIN, *NAMES])[:50]
    expect(page.locator("#stellars-activity-range")).to_have_text(f"1{DASH}50 of 61")
    expect(page.locator("#stellars-activity-previous")).to_be_disabled()
    page.click("#stellars-activity-next")
    settled(page)
    assert usernames(page) == sorted([ADMIN, *NAMES])[50:]
    expect(page.locator("#stellars-activity-range")).to_have_text(f"51{DASH}61 of 61")
    expect(page.locator("#stellars-activity-next")).to_be_disabled()
    expect(page).to_have_url(re.compile(r"offset=50"))
    page.select_option("#stellars-activity-limit", "25")
    settled(page)
    expect(page.locator("#stellars-activity-range")).to_have_text(f"1{DASH}25 of 61")
    assert len(usernames(page)) == 25
    assert_accessible(page)
    assert_fits(page)


def test_search_and_filters_ask_the_hub(hub, page):
    page.fill("#stellars-activity-search", "ROW-1")
    expect(page.locator("#stellars-activity-range")).to_have_text(f"1{DASH}10 of 10")
    assert usernames(page) == [f"row-1{n}" for n in range(10)]
    # The summary still counts everyone the reader may see.
    expect(page.locator("#stellars-activity-summary")).to_contain_text("61 users")

    page.fill("#stellars-activity-search", "no-such-user")
    expect(page.locator(f"{TABLE} tbody")).to_have_text("No user matches.")
    page.fill("#stellars-activity-search", "")
    expect(page.locator("#stellars-activity-range")).to_have_text(f"1{DASH}50 of 61")

    admin = HubSession(hub)
    admin.log_in(ADMIN, PASSWORD)
    assert admin.authorize("row-42", "unauthorize").ok
    try:
        page.click("button.stellars-chip[data-state=pending]")
        expect(page.locator("button.stellars-chip[data-state=pending]")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.locator("#stellars-activity-range")).to_have_text(f"1{DASH}1 of 1")
        assert usernames(page) == ["row-42"]
        expect(page.locator('[data-username="row-42"] [data-column=authorized]')).to_have_text("no")
        assert_accessible(page)
        screenshot(page, "activity-filtered")
    finally:
        assert admin.authorize("row-42").ok
    page.click("button.stellars-chip[data-state=active]")
    expect(page.locator(f"{TABLE} tbody")).to_have_text("No user matches.")
    page.click("button.stellars-chip[data-state='']")
    expect(page.locator("#stellars-activity-range")).to_have_text(f"1{DASH}50 of 61")


def test_the_view_survives_a_refresh_and_a_reload(page):
    page.fill("#stellars-activity-search", "row-")
    expect(page.locator("#stellars-activity-range")).to_have_text(f"1{DASH}50 of 60")
    page.click(f"{TABLE} th[data-sort-key=activity] button")
    settled(page)
    expect(page.locator(f"{TABLE} tbody tr").first).to_have_attribute("data-username", BUSY[0])
    assert usernames(page)[:3] == BUSY
    page.click("#stellars-activity-next")
    settled(page)
    # The timer's refresh (every 60 s here) and a reload keep it all.
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    settled(page)
    page.reload()
    settled(page)
    assert page.input_value("#stellars-activity-search") == "row-"
    header = page.locator(f"{TABLE} th[data-sort-key=activity]")
    assert header.get_attribute("aria-sort") == "descending"
    expect(page.locator("#stellars-activity-range")).to_have_text(f"51{DASH}60 of 60")
    page.click("#stellars-activity-previous")
    settled(page)
    assert usernames(page)[:3] == BUSY


def test_the_sparkline_says_its_hours_in_words(page):
    row = page.locator('[data-username="row-07"]')
    spark = row.locator("svg.stellars-sparkline")
    label = spark.get_attribute("aria-label")
    assert label.startswith("Active hours per day, 5 h in 7 days: ")
    today = datetime.now(UTC).date().isoformat()
    assert f"{today}: " in label
    assert row.locator(".stellars-sparkline-total").inner_text() == "5 h"
    screenshot(page, "activity-table", full_page=False)
    page.evaluate("() => { document.documentElement.dataset.bsTheme = 'dark'; }")
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished))")
    assert_accessible(page)
    screenshot(page, "activity-table-dark", full_page=False)


def test_export_buttons_download_the_filtered_table(page):
    page.fill("#stellars-activity-search", "row-3")
    expect(page.locator("#stellars-activity-range")).to_have_text(f"1{DASH}10 of 10")
    with page.expect_download() as info:
        page.click("[data-export=csv]")
    download = info.value
    assert re.fullmatch(r"activity-\d{8}T\d{4}Z\.csv", download.suggested_filename)
    lines = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert [line[0] for line in lines[1:]] == [f"row-3{n}" for n in range(10)]

    with page.expect_download() as info:
        page.click("[data-export=html]")
    report = info.value
    assert report.suggested_filename.endswith(".html")
    document = report.path().read_text(encoding="utf-8")
    assert "<script" not in document
    assert "row-39" in document
    assert "row-40" not in document


def test_on_a_phone_only_the_table_scrolls_sideways(page):
    page.set_viewport_size({"width": 390, "height": 800})
    assert_fits(page, 390)
    region = page.locator("#stellars-activity-region")
    wide, shown = region.evaluate("(node) => [node.scrollWidth, node.clientWidth]")
    assert wide > shown  # the table scrolls inside its region
    assert region.get_attribute("tabindex") == "0"  # reachable from the keyboard
    assert_accessible(page)
    screenshot(page, "activity-phone", keep_viewport=True)
    page.evaluate("() => { document.documentElement.dataset.bsTheme = 'dark'; }")
    # Bootstrap's buttons fade to the new colours: check them once they are there.
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished))")
    screenshot(page, "activity-phone-dark", keep_viewport=True)
    assert_accessible(page)

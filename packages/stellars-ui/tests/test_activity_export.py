"""The Activity export's files: hostile usernames come out inert in CSV and HTML."""

import csv
import io
from datetime import date
from html.parser import HTMLParser

import pytest

from stellars_activity.listing import ListingQuery, StateFilter
from stellars_ui.activity_export import activity_csv, activity_html
from stellars_ui.models.activity import ActivityQuota, ActivityRow

TODAY = date(2026, 12, 6)


def row(username, **changes):
    values = {
        "username": username,
        "admin": False,
        "authorized": True,
        "server_active": False,
        "recently_active": False,
        "server_pending": None,
        "last_activity": None,
        "cpu_percent": None,
        "memory_mb": None,
        "memory_percent": None,
        "memory_limit_mb": None,
        "volumes": [],
        "volumes_total_bytes": None,
        "quota": ActivityQuota(
            state="ok",
            quota_bytes=None,
            used_bytes=None,
            percent=None,
            warning_percent=90,
            source=None,
        ),
        "policy_outdated": None,
        "time_left_seconds": None,
        "score": None,
        "percentage": None,
        "level": None,
        "level_name": None,
        "samples": 0,
        "hours_collected": 0.0,
        "enough_data": False,
        "last_sample": None,
        "daily_hours": [0.0, 1.5, 0.0],
    }
    return ActivityRow(**{**values, **changes})


@pytest.mark.parametrize("name", ["=1+2", "+sum(1)", "-2+3", "@sum(a1)", "\t=1", "\r=1"])
def test_csv_cells_a_spreadsheet_would_evaluate_start_with_an_apostrophe(name):
    text = activity_csv([row(name)], TODAY)
    records = list(csv.reader(io.StringIO(text)))
    assert records[1][0] == f"'{name}"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in records for cell in line)


def test_csv_has_a_column_per_day_ending_today_and_plain_numbers():
    text = activity_csv([row("ada", cpu_percent=12.5, score=40.0, samples=3)], TODAY)
    header, line = list(csv.reader(io.StringIO(text)))
    assert header[-3:] == ["hours_2026-12-04", "hours_2026-12-05", "hours_2026-12-06"]
    record = dict(zip(header, line, strict=True))
    assert record["username"] == "ada"
    assert record["status"] == "offline"
    assert record["cpu_percent"] == "12.50"
    assert record["samples"] == "3"
    assert record["hours_2026-12-05"] == "1.50"


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.attributes = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_escapes_names_and_loads_or_runs_nothing():
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    document = activity_html(
        [row(hostile, admin=True), row("ada")],
        TODAY,
        generated="2026-12-06T07:00:00+00:00",
        shown_query=ListingQuery(name="<b>x</b>", state=StateFilter.OFFLINE),
        readable=5,
    )
    parser = _Collector()
    parser.feed(document)
    assert "script" not in parser.tags
    assert "img" not in parser.tags
    assert "b" not in parser.tags
    # Nothing is fetched from elsewhere and no handler runs.
    assert not any(
        name.startswith("on") or name in {"src", "href"} for name, _ in parser.attributes
    )
    text = "".join(parser.text)
    assert hostile in text  # shown as text, whole
    assert "names containing “<b>x</b>”" in text
    assert "2 of 5 users" in text
    assert "<style>" in document

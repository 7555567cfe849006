"""The Activity table as a file: CSV for a spreadsheet, or one self-contained HTML report.

Usernames and every other string come from users, so both formats treat them
as hostile: the HTML escapes each one (a name like ``<script>`` is text), and
the CSV neutralises a cell a spreadsheet would read as a formula.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from stellars_activity.listing import ListingQuery
    from stellars_ui.models.activity import ActivityRow


class ExportFormat(StrEnum):
    """The formats an export is offered in."""

    CSV = "csv"
    HTML = "html"

    @property
    def media_type(self) -> str:
        """Return the file's media type."""
        return "text/csv" if self is ExportFormat.CSV else "text/html"


_KILO = 1000
# A spreadsheet evaluates a cell starting with one of these (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_COLUMNS = (
    "username",
    "admin",
    "authorized",
    "status",
    "cpu_percent",
    "memory_mb",
    "memory_limit_mb",
    "volumes_total_bytes",
    "quota_state",
    "quota_bytes",
    "time_left_seconds",
    "last_activity",
    "score",
    "percentage",
    "level",
    "samples",
    "hours_collected",
    "enough_data",
)


def _status(row: ActivityRow) -> str:
    if not row.server_active:
        return "offline"
    return "active" if row.recently_active else "idle"


def _days(row_count_days: int, today: date) -> list[date]:
    return [today - timedelta(days=row_count_days - 1 - index) for index in range(row_count_days)]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    # Prefixed with an apostrophe, the cell is text in every common spreadsheet.
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _values(row: ActivityRow) -> list[object]:
    return [
        row.username,
        row.admin,
        row.authorized,
        _status(row),
        row.cpu_percent,
        row.memory_mb,
        row.memory_limit_mb,
        row.volumes_total_bytes,
        row.quota.state,
        row.quota.quota_bytes,
        row.time_left_seconds,
        row.last_activity,
        row.score,
        row.percentage,
        row.level_name,
        row.samples,
        row.hours_collected,
        row.enough_data,
    ]


def activity_csv(rows: Sequence[ActivityRow], today: date) -> str:
    """Return *rows* as CSV: a header, then one line per user; a column per day of hours.

    The days end with *today* (UTC, as the hours are counted). Every string
    cell a spreadsheet would evaluate starts with an apostrophe.
    """
    days = _days(len(rows[0].daily_hours), today) if rows else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*_COLUMNS, *(f"hours_{day.isoformat()}" for day in days)])
    for row in rows:
        writer.writerow([_cell(value) for value in (*_values(row), *row.daily_hours)])
    return out.getvalue()


_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
p { margin: 0 0 1rem; color: #4b535c; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; min-width: 100%; }
th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left;
  vertical-align: top; white-space: nowrap; }
th { background: #f3f5f7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.active { color: #1a7f37; } .idle { color: #9a6700; } .offline { color: #57606a; }
.over { color: #b42318; font-weight: 600; }
svg rect { fill: #2f6fde; } svg rect.none { fill: #c9d1d9; }
@media (prefers-color-scheme: dark) {
  body { color: #e6edf3; background: #0d1117; } p { color: #9da7b1; }
  th { background: #161b22; } th, td { border-color: #30363d; }
}
"""


def _number(value: float | None, unit: str = "") -> str:
    return "" if value is None else f"{value:,.1f}{unit}"


def _bytes(value: int | None) -> str:
    if value is None:
        return ""
    if value < _KILO:
        return f"{value} B"
    size = value / _KILO
    for unit in ("kB", "MB", "GB"):
        if size < _KILO:
            return f"{size:,.1f} {unit}"
        size /= _KILO
    return f"{size:,.1f} TB"


def _sparkline(hours: Sequence[float], days: Sequence[date]) -> str:
    top = max([1.0, *hours])
    text = "; ".join(
        f"{day.isoformat()}: {value:.1f} h" for day, value in zip(days, hours, strict=True)
    )
    bars = []
    for index, value in enumerate(hours):
        # A day without activity is still a thin line: every day has its place.
        height = max(1, round(value / top * 20))
        kind = "" if value > 0 else ' class="none"'
        bars.append(f'<rect x="{index * 8}" y="{20 - height}" width="6" height="{height}"{kind}/>')
    width = max(len(hours) * 8 - 2, 1)
    label = html.escape(f"Active hours per day: {text}")
    return (
        f'<svg width="{width}" height="20" role="img" aria-label="{label}">'
        f"<title>{label}</title>{''.join(bars)}</svg> {sum(hours):.1f} h"
    )


def _html_row(row: ActivityRow, days: Sequence[date]) -> str:
    status = _status(row)
    quota = ""
    if row.quota.quota_bytes is not None:
        quota = f" / {_bytes(row.quota.quota_bytes)}"
    over = ' <span class="over">over quota</span>' if row.quota.state == "over" else ""
    cells = [
        html.escape(row.username) + (" (admin)" if row.admin else ""),
        {True: "yes", False: "no", None: ""}[row.authorized],
        f'<span class="{status}">{status}</span>',
        _number(row.cpu_percent, " %"),
        _number(row.memory_mb, " MB"),
        html.escape(_bytes(row.volumes_total_bytes) + quota) + over,
        html.escape(row.last_activity or "never"),
        html.escape(row.level_name or "no data"),
        _sparkline(row.daily_hours, days),
    ]
    numeric = {3, 4, 5}
    return (
        "<tr>"
        + "".join(
            f'<td class="n">{cell}</td>' if index in numeric else f"<td>{cell}</td>"
            for index, cell in enumerate(cells)
        )
        + "</tr>"
    )


def activity_html(
    rows: Sequence[ActivityRow],
    today: date,
    *,
    generated: str | None,
    shown_query: ListingQuery,
    readable: int,
) -> str:
    """Return *rows* as one HTML document: inline CSS, no script, no outside reference.

    Every user-supplied string is escaped. *generated* is when the figures
    were read, *shown_query* the search and filter they were selected by,
    *readable* how many users the reader may see in all.
    """
    days = _days(len(rows[0].daily_hours), today) if rows else []
    selection = []
    if shown_query.name:
        selection.append(f"names containing “{shown_query.name}”")
    if shown_query.state is not None:
        selection.append(f"filter: {shown_query.state.value.replace('_', ' ')}")
    chosen = "; ".join(selection) or "every user"
    intro = (
        f"{len(rows)} of {readable} users ({chosen}), sorted by "
        f"{shown_query.sort.value.replace('_', ' ')} ({shown_query.order.value}). "
        f"Figures read at {generated}."
    )
    headers = (
        "User",
        "Authorized",
        "Status",
        "CPU",
        "Memory",
        "Volumes",
        "Last active",
        "Activity",
        "Daily hours",
    )
    head = "".join(f'<th scope="col">{header}</th>' for header in headers)
    body = "".join(_html_row(row, days) for row in rows)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Activity report</title><style>{_STYLE}</style></head><body>"
        f"<h1>Activity report</h1><p>{html.escape(intro)}</p>"
        f'<div class="wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        "</table></div></body></html>\n"
    )

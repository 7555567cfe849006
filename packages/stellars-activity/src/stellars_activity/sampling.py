"""What counts as active, aligned tick times, and the one recording function.

Both samplers (the in-hub one and the managed service) decide activity with
:func:`active_now` and record through :func:`record_sample`, which floors the
tick time to the sampling interval: a tick repeated after a restart, or by two
overlapping samplers, has the same timestamp, so the store writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from stellars_core.scheduler import floor_to_interval

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stellars_activity.store import ActivityStore

_HOUR = timedelta(hours=1)


def as_utc(moment: datetime) -> datetime:
    """Return *moment* as an aware UTC datetime; a naive one is taken as UTC (JupyterHub's ORM)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def active_now(
    *,
    server_running: bool,
    last_activity: datetime | None,
    now: datetime,
    inactive_after: timedelta,
) -> bool:
    """Return whether a user counts as active at *now*.

    Active means the user's server is running and the *server's* last
    activity is at most *inactive_after* before *now* (the boundary counts as
    active). The user's own last activity (hub pages) is not an argument on
    purpose: it never counts. Naive datetimes are taken as UTC.
    """
    if not server_running or last_activity is None:
        return False
    return as_utc(now) - as_utc(last_activity) <= inactive_after


def tick_time(now: datetime, interval: timedelta) -> datetime:
    """Return *now* floored to a multiple of *interval* since the Unix epoch (aware UTC).

    The scheduler's boundaries are the same multiples, so an aligned tick
    records at the boundary it ran for.

    Raises:
        ValueError: *interval* is not positive.
    """
    return floor_to_interval(now, interval)


def record_sample(
    store: ActivityStore, activity: Mapping[str, bool], now: datetime, interval: timedelta
) -> int:
    """Record one sample per user of *activity* at *now* floored to *interval*; return rows written.

    The first tick of each hour also prunes samples past the retention
    window, for every user (sampled or not), so the table stays bounded even
    when nobody reads the scores. Does database I/O synchronously (run it in
    a thread on an event loop).
    """
    tick = tick_time(now, interval)
    written = store.record_tick(activity, tick)
    if tick_time(tick, _HOUR) > tick - interval:
        store.prune(tick)
    return written

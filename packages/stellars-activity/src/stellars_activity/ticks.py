"""The activity tick, written once for both samplers: collect, record, at every boundary.

The in-hub sampler collects from the hub's own state on the loop thread; the
managed service collects from the hub's REST API in a worker thread. Both
hand :func:`activity_ticks` an async *collect* and get the same schedule
(aligned to the sampling interval), the same recording (in a worker thread,
so the loop never waits on the database) and the same error handling.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from stellars_activity.sampling import record_sample
from stellars_core.scheduler import Every, utc_now

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from datetime import datetime, timedelta

    from stellars_activity.store import ActivityStore

log = logging.getLogger(__name__)

# The name the schedule logs under: a failed tick reads "activity ticks: the run for ... failed".
TICKS = "activity ticks"


async def tick(
    store: ActivityStore,
    collect: Callable[[datetime], Awaitable[Mapping[str, bool]]],
    moment: datetime,
    interval: timedelta,
) -> int:
    """Collect ``{username: active}`` at *moment* and record it as one tick; return rows written.

    The write runs in a worker thread. A tick repeated within one interval
    writes nothing (see :func:`~stellars_activity.sampling.record_sample`).

    Raises:
        Exception: whatever *collect* or the store raised; nothing was recorded then.
    """
    activity = dict(await collect(moment))
    written = await asyncio.to_thread(record_sample, store, activity, moment, interval)
    log.info("activity tick at %s: %d samples", moment.isoformat(), written)
    return written


def activity_ticks(
    store: ActivityStore,
    collect: Callable[[datetime], Awaitable[Mapping[str, bool]]],
    interval: timedelta,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> Every:
    """Return the schedule of ticks: one now, then one at every multiple of *interval*.

    Start it with ``start()`` on the running loop and end it with ``await
    stop()``; a failed tick is logged and the next runs at its boundary.
    """

    async def tick_at(moment: datetime) -> None:
        await tick(store, collect, moment, interval)

    return Every(TICKS, interval.total_seconds(), tick_at, aligned=True, clock=clock)

"""Background work on the running asyncio loop: one job, run again and again, one way.

Every loop of the platform (engine caches, metrics, activity ticks in the hub
and in the sampler service) runs through :class:`Every`, so each one logs and
survives a failure, never overlaps itself and stops the same way.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def utc_now() -> datetime:
    """Return the current time, aware UTC."""
    return datetime.now(UTC)


def floor_to_interval(moment: datetime, interval: timedelta) -> datetime:
    """Return *moment* floored to a multiple of *interval* since the Unix epoch (aware UTC).

    A naive *moment* is taken as UTC.

    Raises:
        ValueError: *interval* is shorter than a microsecond.
    """
    step = interval // _MICROSECOND
    if step <= 0:
        raise ValueError(f"the interval must be positive, got {interval!r}")
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    elapsed = (aware - _EPOCH) // _MICROSECOND
    return _EPOCH + (elapsed - elapsed % step) * _MICROSECOND


class Every:
    """Run the async *job* now, then every *interval_s* seconds, on the running loop.

    *job* is called with the moment it runs for (aware UTC): the clock's time
    for the first run; for later ones the time it was due, or the clock's
    when that is later. With ``aligned=True`` runs are due at wall-clock
    multiples of the interval since the Unix epoch, so a sleep that wakes a
    hair early still hands the job the boundary it waited for.

    - A job that raises is logged with the job's name, and the next run
      happens on schedule.
    - A job never overlaps itself: the next run is due only after this one
      ended. Unaligned, the interval runs from start to start, and a run
      that overran delays the next, which starts as soon as it ends (a cache
      is refreshed as often as the engine allows). Aligned, the boundaries
      that passed during the run are skipped: a tick belongs to its boundary,
      and one recorded late would carry the wrong time.
    - :meth:`stop` cancels the loop whether it sleeps or runs the job: the
      job is cancelled at its next ``await`` (work it handed to a thread
      finishes there), because a hub that shuts down must not wait out an
      engine's timeout. Sync work (database writes) goes through
      ``asyncio.to_thread`` inside the job, never on the loop.

    *clock* and *sleep* are for tests; the clock is the wall clock because
    alignment is to wall-clock boundaries.

    Raises:
        ValueError: *interval_s* is not positive.
    """

    def __init__(
        self,
        name: str,
        interval_s: float,
        job: Callable[[datetime], Awaitable[object]],
        *,
        aligned: bool = False,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if not interval_s > 0:
            raise ValueError(f"{name}: the interval must be positive, got {interval_s!r}")
        self.name = name
        self.interval = timedelta(seconds=interval_s)
        self.aligned = aligned
        self._job = job
        self._clock = clock
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        """Return whether the loop has started and not ended."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Run the job now, then on schedule, in a task on the running loop.

        Raises:
            RuntimeError: no event loop runs in this thread, or this was
                already started (an ``Every`` runs once; make a new one).
        """
        if self._task is not None:
            state = "is already running" if self.running else "has run; make a new one"
            raise RuntimeError(f"{self.name} {state}")
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the loop and return once it has ended; never raises.

        Before :meth:`start`, or a second time, it does nothing. A
        cancellation of ``stop()`` itself still propagates.
        """
        task = self._task
        if task is None or self._stopping:
            return
        self._stopping = True
        if task.done():
            # Ended already, perhaps with a loop that is closed now: nothing to wait for.
            return
        task.cancel()
        # wait() rather than awaiting the task: the task's CancelledError is
        # the expected end, not an error of stop().
        await asyncio.wait([task])
        log.info("%s stopped", self.name)

    def _due_after(self, started: datetime) -> datetime:
        now = self._clock()
        if self.aligned:
            # From the boundary just run, not the clock: after a sleep that
            # woke early the clock is still short of it.
            return floor_to_interval(max(now, started), self.interval) + self.interval
        return max(started + self.interval, now)

    async def _run(self) -> None:
        moment = self._clock()
        while True:
            try:
                await self._job(moment)
            except Exception:
                # One failure must not end the work for good.
                log.exception("%s: the run for %s failed", self.name, moment.isoformat())
            if self._stopping:
                # The job swallowed the cancellation; the loop ends anyway.
                return
            due = self._due_after(moment)
            await self._sleep(max((due - self._clock()).total_seconds(), 0.0))
            moment = max(self._clock(), due)

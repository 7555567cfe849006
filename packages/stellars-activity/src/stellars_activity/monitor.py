"""Activity monitoring as a running hub has it: the store, who samples, and one read for pages.

An :class:`ActivityMonitor` is made once by the platform's configuration and
handed to the handlers through the Tornado settings. Its tables are created
and its user-lifecycle listeners installed while the configuration loads,
before JupyterHub creates any user; its in-hub sampler starts once the hub
has finished starting, so the first tick sees the servers that were already
running. The store's I/O runs in worker threads; the hub's own objects are
only read on the event loop thread.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from stellars_activity.in_hub import InHubSampler, collect_from_state
from stellars_activity.lifecycle import register_lifecycle
from stellars_activity.sampling import tick_time
from stellars_activity.ticks import tick
from stellars_core.scheduler import utc_now

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from stellars_activity.in_hub import HubState
    from stellars_activity.results import UserScore
    from stellars_activity.settings import ActivitySettings
    from stellars_activity.store import ActivityStore

log = logging.getLogger(__name__)

# Sampling counts as late when no tick came for this many intervals (one
# missed tick is a restart or a slow write; two is a sampler that stopped).
_LATE_AFTER_INTERVALS = 2.5


class SamplerMode(StrEnum):
    """Who records the ticks."""

    HUB = "hub"  # a periodic task in the hub's own event loop (the default)
    SERVICE = "service"  # the managed service, polling the hub's REST API


class SamplingState(StrEnum):
    """Whether ticks are arriving."""

    WAITING = "waiting"  # no tick recorded yet
    OK = "ok"
    LATE = "late"  # the last tick is older than the sampler's schedule allows


@dataclass(frozen=True)
class SamplingStatus:
    """What the dashboard says about sampling."""

    mode: SamplerMode
    interval: timedelta
    last_tick: datetime | None
    state: SamplingState


@dataclass(frozen=True)
class ActivityReport:
    """Everything the dashboard shows from the store, read at one moment.

    Attributes:
        now: the moment it was read (aware UTC).
        scores: every user's score; users asked about without samples have score None.
        history: active hours per day (see ``ActivityStore.daily_history``);
            users without active days are absent.
        sampling: whether ticks are arriving.
    """

    now: datetime
    scores: dict[str, UserScore]
    history: dict[str, tuple[float, ...]]
    sampling: SamplingStatus


class ActivityMonitor:
    """The store, the sampler and the lifecycle listeners of one hub."""

    def __init__(
        self,
        store: ActivityStore,
        mode: SamplerMode = SamplerMode.HUB,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.mode = mode
        self._clock = clock
        self._sampler: InHubSampler | None = None
        self._uninstall: Callable[[], None] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def settings(self) -> ActivitySettings:
        """Return the store's settings."""
        return self.store.settings

    @property
    def interval(self) -> timedelta:
        """Return the sampling interval."""
        return timedelta(minutes=self.settings.sample_interval_minutes)

    @property
    def inactive_after(self) -> timedelta:
        """Return how long a server may be idle and still count as active."""
        return timedelta(minutes=self.settings.inactive_after_minutes)

    def install(self) -> None:
        """Install the lifecycle listeners; call it before users exist.

        The tables come from the package's migrations (``stellars_activity.schema``),
        upgraded before this runs.
        """
        if self._uninstall is None:
            self._uninstall = register_lifecycle(self.store)

    def start(self, hub: HubState, ready: Awaitable[Any] | None = None) -> None:
        """Start the in-hub sampler on the running loop once *ready* is done (HUB mode only).

        *hub* is JupyterHub's app, read at each tick on the event loop thread.
        Calling it again does nothing.
        """
        if self.mode is not SamplerMode.HUB or self._task is not None:
            return
        self._sampler = InHubSampler(
            self.store,
            self.settings,
            lambda: collect_from_state(hub, inactive_after=self.inactive_after),
            clock=self._clock,
        )
        self._task = asyncio.get_running_loop().create_task(self._start_when(ready))

    async def _start_when(self, ready: Awaitable[Any] | None) -> None:
        if ready is not None:
            await ready
        if self._sampler is not None:
            self._sampler.start()
            log.info("activity sampler started: a tick every %s", self.interval)

    async def stop(self) -> None:
        """Stop sampling (a tick under way is cancelled) and remove the lifecycle listeners.

        Never raises; before :meth:`start` it only removes the listeners.
        """
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._sampler is not None:
            await self._sampler.stop()
        if self._uninstall is not None:
            self._uninstall()
            self._uninstall = None

    async def tick_now(self, hub: HubState) -> tuple[datetime, int]:
        """Sample every user of *hub* (the app, or a handler) now; return the tick and rows written.

        The same tick as the sampler's schedule: a user it already recorded
        gets nothing new. Call it on the hub's event loop.
        """

        async def collect(moment: datetime) -> dict[str, bool]:
            return collect_from_state(hub, inactive_after=self.inactive_after, now=moment)

        now = self._clock()
        written = await tick(self.store, collect, now, self.interval)
        return tick_time(now, self.interval), written

    async def reset(self) -> None:
        """Remove every sample of every user."""
        await asyncio.to_thread(self.store.reset)

    def now(self) -> datetime:
        """Return the monitor's clock's time (aware UTC): what its reports are read at."""
        return self._clock()

    async def report(self, usernames: Iterable[str], *, only: bool = False) -> ActivityReport:
        """Read scores (each of *usernames* included), daily history and sampling status.

        With *only*, the scores and history of *usernames* alone: what a page
        of the table shows costs what its rows do, not what every user's would.
        """
        names = list(usernames)
        return await asyncio.to_thread(self._report, self._clock(), names, only=only)

    async def scores(self, usernames: Iterable[str]) -> dict[str, UserScore]:
        """Read the scores of every user with samples and of each of *usernames*, now."""
        names = list(usernames)
        return await asyncio.to_thread(self.store.scores, self._clock(), names)

    async def history_totals(self) -> dict[str, float]:
        """Read every user's active hours over the days of the daily history, now."""
        return await asyncio.to_thread(self.store.history_totals, self._clock())

    def _report(self, now: datetime, usernames: list[str], *, only: bool) -> ActivityReport:
        last_tick = self.store.last_tick()
        return ActivityReport(
            now=now,
            scores=self.store.scores(now, usernames, only=only),
            history=self.store.daily_history(now, usernames=usernames if only else None),
            sampling=SamplingStatus(
                mode=self.mode,
                interval=self.interval,
                last_tick=last_tick,
                state=sampling_state(last_tick, now, self.interval),
            ),
        )


def sampling_state(last_tick: datetime | None, now: datetime, interval: timedelta) -> SamplingState:
    """Return whether ticks are arriving, from the last one recorded."""
    if last_tick is None:
        return SamplingState.WAITING
    if now - last_tick > interval * _LATE_AFTER_INTERVALS:
        return SamplingState.LATE
    return SamplingState.OK

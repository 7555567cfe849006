"""Caches of engine answers, refreshed in the background by the platform's scheduler."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from stellars_core.scheduler import Every

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

log = logging.getLogger(__name__)

# After a refresh the engine did not answer, the next try comes sooner than
# the interval: a hub that started while the engine was busy should not
# show "unknown" for a whole interval (five minutes, for volume sizes).
RETRY_DELAYS_S = (2.0, 5.0, 15.0, 30.0, 60.0)


def retry_delays(interval_s: float, delays: tuple[float, ...] = RETRY_DELAYS_S) -> list[float]:
    """Return the first *delays* whose sum stays within half of *interval_s*.

    The tries after a failure then end well before the next regular
    refresh is due, so they never crowd the schedule.
    """
    chosen: list[float] = []
    for delay in delays:
        if sum(chosen) + delay > interval_s / 2:
            break
        chosen.append(delay)
    return chosen


class BackgroundRefresher(ABC):
    """A cache of engine answers, refreshed now and then every *interval_s* seconds.

    Readers get the last answer at once and never wait for the engine. An
    engine outage keeps the last answer and is logged once when it starts
    and once when it ends, not at every refresh. The schedule is an
    :class:`~stellars_core.scheduler.Every`: a refresh that overruns delays
    the next, and one that raises is logged and retried on schedule. One
    that finds the engine unavailable is tried again after 2, 5, 15... seconds
    (:func:`retry_delays`) until the engine answers or the next regular
    refresh is near.
    """

    def __init__(
        self, name: str, interval_s: float, *, retry_delays_s: Sequence[float] | None = None
    ) -> None:
        self._name = name
        self._every = Every(name, interval_s, self._refresh_for)
        self._retry_delays = (
            retry_delays(interval_s) if retry_delays_s is None else list(retry_delays_s)
        )
        self._engine_down = False

    @abstractmethod
    async def refresh(self) -> None:
        """Ask the engine again and keep its answer."""

    def start(self) -> None:
        """Refresh now and then every ``interval_s`` seconds, in a task on the running loop.

        Raises:
            RuntimeError: no event loop is running, or this was already started.
        """
        self._every.start()

    async def stop(self) -> None:
        """Stop the background refreshes (one under way is cancelled); the last answer stays."""
        await self._every.stop()

    async def _refresh_for(self, _moment: datetime) -> None:
        await self.refresh()
        for delay in self._retry_delays:
            if not self._engine_down:
                return
            await asyncio.sleep(delay)
            await self.refresh()

    def _engine_unavailable(self, reason: object) -> None:
        if not self._engine_down:
            self._engine_down = True
            log.warning("%s: keeping the last answer: %s", self._name, reason)

    def _engine_answers(self) -> None:
        if self._engine_down:
            self._engine_down = False
            log.info("%s: the Docker engine answers again", self._name)


class SizesRefresher(BackgroundRefresher):
    """A refresher of volume sizes: the last known size of each volume, by name.

    Each way of sizing volumes (one engine, every node's agent, directories
    on shared storage) refreshes ``_sizes`` its own way; reading them and
    keeping a measurement made meanwhile are the same for all.
    """

    def __init__(self, name: str, interval_s: float) -> None:
        super().__init__(name, interval_s)
        self._sizes: dict[str, int | None] = {}

    def sizes(self) -> dict[str, int | None]:
        """Return the last known sizes, without asking anything.

        Returns:
            A copy: volume name to size in bytes, or to None where it was not
            computed; empty until the first refresh ends.
        """
        return dict(self._sizes)

    def record(self, sizes: Mapping[str, int]) -> None:
        """Keep *sizes* (volume name to bytes), measured just now by other means, as the last known.

        Until the next refresh replaces them, readers (quota, the activity
        page) see these.
        """
        self._sizes = {**self._sizes, **sizes}

"""Caches refreshed in the background: now, then at a fixed interval, never two at once."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    """Calls an async *refresh* in a task on the running loop, every *interval_s* seconds.

    The interval runs from the start of one call to the start of the next;
    a call that takes longer delays the next instead of overlapping it.
    """

    def __init__(
        self, name: str, refresh: Callable[[], Awaitable[None]], interval_s: float
    ) -> None:
        self._name = name
        self._refresh = refresh
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Refresh now and then every interval.

        Raises:
            RuntimeError: no event loop is running, or this already runs.
        """
        if self._task is not None and not self._task.done():
            raise RuntimeError(f"{self._name} is already running")
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        """Stop refreshing; what the last refresh produced stays readable."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            # wait() rather than awaiting the task: its CancelledError is
            # expected, while a cancellation of stop() itself must propagate.
            await asyncio.wait([task])

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                await self._refresh()
            except Exception:
                # One unexpected answer must not end the refreshes for good.
                log.exception("%s: refresh failed", self._name)
            await asyncio.sleep(max(0.0, started + self._interval_s - loop.time()))


class BackgroundRefresher(ABC):
    """A cache of engine answers, refreshed by :class:`Periodic`.

    Readers get the last answer at once and never wait for the engine. An
    engine outage keeps the last answer and is logged once when it starts
    and once when it ends, not at every refresh.
    """

    def __init__(self, name: str, interval_s: float) -> None:
        self._name = name
        self._periodic = Periodic(name, self.refresh, interval_s)
        self._engine_down = False

    @abstractmethod
    async def refresh(self) -> None:
        """Ask the engine again and keep its answer."""

    def start(self) -> None:
        """Refresh now and then every ``interval_s`` seconds, in a task on the running loop.

        Raises:
            RuntimeError: no event loop is running, or this already runs.
        """
        self._periodic.start()

    async def stop(self) -> None:
        """Stop the background refreshes; the last answer stays readable."""
        await self._periodic.stop()

    def _engine_unavailable(self, reason: object) -> None:
        if not self._engine_down:
            self._engine_down = True
            log.warning("%s: keeping the last answer: %s", self._name, reason)

    def _engine_answers(self) -> None:
        if self._engine_down:
            self._engine_down = False
            log.info("%s: the Docker engine answers again", self._name)

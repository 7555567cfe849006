"""Running a refresh in the background: now, then at a fixed interval, never two at once."""

from __future__ import annotations

import asyncio
import logging
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

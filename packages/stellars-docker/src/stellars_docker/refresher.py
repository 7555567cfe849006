"""Caches of engine answers, refreshed in the background by the platform's scheduler."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from stellars_core.scheduler import Every

if TYPE_CHECKING:
    from datetime import datetime

log = logging.getLogger(__name__)


class BackgroundRefresher(ABC):
    """A cache of engine answers, refreshed now and then every *interval_s* seconds.

    Readers get the last answer at once and never wait for the engine. An
    engine outage keeps the last answer and is logged once when it starts
    and once when it ends, not at every refresh. The schedule is an
    :class:`~stellars_core.scheduler.Every`: a refresh that overruns delays
    the next, and one that raises is logged and retried on schedule.
    """

    def __init__(self, name: str, interval_s: float) -> None:
        self._name = name
        self._every = Every(name, interval_s, self._refresh_for)
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

    def _engine_unavailable(self, reason: object) -> None:
        if not self._engine_down:
            self._engine_down = True
            log.warning("%s: keeping the last answer: %s", self._name, reason)

    def _engine_answers(self) -> None:
        if self._engine_down:
            self._engine_down = False
            log.info("%s: the Docker engine answers again", self._name)

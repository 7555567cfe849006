"""Who is due a warning before the idle culler stops their server, once per cull time.

A running server's cull time is now plus its remaining time under the idle
rule (:meth:`IdleSessions.remaining`, the figure the home page counts down).
While the server stays idle that time stays put; it moves when the user is
active again or extends the session. A user is due a warning when their
remaining time is within the lead time and they were not yet warned of this
cull time; the caller delivers it, then records it with
:meth:`CullWarnings.record`. What was recorded is kept in the
``cull_warnings`` table next to the extensions, so a hub restart does not
warn again. Database I/O runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, delete, select

from stellars_activity.model import CullWarningSent
from stellars_core.scheduler import utc_now

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping
    from datetime import datetime

    from stellars_activity.idle import IdleSessions, RunningServer
    from stellars_activity.sessions import IdlePolicy

_TABLE = cast("Table", CullWarningSent.__table__)
# Two readings of one cull time differ by the moments they were taken at
# (and by what a database keeps of a timestamp); a real move is a whole
# activity report or an hour's extension.
SAME_CULL_TIME = timedelta(seconds=1)
_ZERO = timedelta(0)


@dataclass(frozen=True)
class CullWarning:
    """A warning due: *username*'s server will be stopped at *cull_at*, *remaining* from now."""

    username: str
    cull_at: datetime
    remaining: timedelta


def due_warnings(
    remaining: Mapping[str, timedelta],
    warned: Mapping[str, datetime],
    *,
    lead: timedelta,
    now: datetime,
) -> list[CullWarning]:
    """Return the warnings due now, by username.

    *remaining* is each running server's remaining time, *warned* the cull
    time each user was last warned of. A server is due a warning when its
    remaining time is above zero and at most *lead*, and its cull time is not
    the one its user was warned of. A zero *lead* warns nobody.
    """
    due = []
    for username in sorted(remaining):
        left = remaining[username]
        if not _ZERO < left <= lead:
            continue
        cull_at = now + left
        before = warned.get(username)
        if before is not None and abs(before - cull_at) < SAME_CULL_TIME:
            continue
        due.append(CullWarning(username, cull_at, left))
    return due


def lead_time(policy: IdlePolicy, wanted: timedelta) -> timedelta:
    """Return the lead time in force: *wanted*, but at most half the base timeout.

    A lead time as long as the timeout would warn a user who is working: each
    report of their activity moves the cull time, and the new one would be
    within the lead time at once. Halfway, a report comes before it.
    """
    return min(wanted, policy.timeout / 2)


class CullWarnings:
    """Warnings before a cull, worked out from the idle sessions and kept beside them.

    *lead* is the time before a cull its user is warned (zero: never); the
    one in force, :attr:`lead`, is at most half the base timeout (see
    :func:`lead_time`).
    """

    def __init__(
        self,
        sessions: IdleSessions,
        lead: timedelta,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sessions = sessions
        self.lead = lead_time(sessions.policy, lead)
        self._clock = clock

    @property
    def enabled(self) -> bool:
        """Return whether anyone can be warned: a culler runs and the lead time is not zero."""
        return self.sessions.enabled and self.lead > _ZERO

    async def due(self, servers: list[RunningServer]) -> list[CullWarning]:
        """Return the warnings due for *servers* (every running default server), by username.

        Also forgets the warnings of users not among *servers*: their server
        stopped, and a new one has a cull time of its own.
        """
        if not self.enabled:
            return []
        remaining = await self.sessions.remaining(servers)
        now = self._clock()
        running = {server.username for server in servers}
        warned = await asyncio.to_thread(self._read_and_forget, running)
        return due_warnings(remaining, warned, lead=self.lead, now=now)

    async def record(self, warnings: Iterable[CullWarning]) -> None:
        """Record that each user of *warnings* was warned of its cull time."""
        rows = [
            {"username": w.username, "cull_at": w.cull_at, "warned_at": self._clock()}
            for w in warnings
        ]
        if rows:
            await asyncio.to_thread(self._write, rows)

    async def warned(self) -> dict[str, datetime]:
        """Return the cull time each user was last warned of."""
        return await asyncio.to_thread(self._read)

    def _read(self) -> dict[str, datetime]:
        with self.sessions.engine.connect() as connection:
            rows = connection.execute(select(_TABLE.c.username, _TABLE.c.cull_at))
            return {row.username: row.cull_at for row in rows}

    def _read_and_forget(self, running: Collection[str]) -> dict[str, datetime]:
        with self.sessions.engine.begin() as connection:
            rows = connection.execute(select(_TABLE.c.username, _TABLE.c.cull_at)).all()
            gone = [row.username for row in rows if row.username not in running]
            if gone:
                connection.execute(delete(_TABLE).where(_TABLE.c.username.in_(gone)))
            return {row.username: row.cull_at for row in rows if row.username in running}

    def _write(self, rows: list[dict[str, object]]) -> None:
        with self.sessions.engine.begin() as connection:
            names = [row["username"] for row in rows]
            connection.execute(delete(_TABLE).where(_TABLE.c.username.in_(names)))
            connection.execute(_TABLE.insert(), rows)

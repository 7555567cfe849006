"""Idle sessions as the hub runs them: the rule, the extensions kept in the database, one read.

:class:`IdleSessions` answers "where does this running server stand" and
"extend it by h hours" with :mod:`stellars_activity.sessions`'s rule, keeping
each server's extension deadline in the ``session_extensions`` table (next
to the activity samples, so it survives a hub restart). Database I/O runs in
a worker thread; callers pass the server's facts read on the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, select

from stellars_activity.model import SessionExtension
from stellars_activity.sampling import as_utc
from stellars_activity.sessions import (
    Extension,
    IdlePolicy,
    extend,
    session_state,
    valid_hours,
)
from stellars_core.scheduler import utc_now

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, timedelta

    from sqlalchemy import Connection, Engine

_TABLE = cast("Table", SessionExtension.__table__)


class CullerDisabledError(RuntimeError):
    """Sessions cannot be extended: no idle culler runs."""


class ServerNotRunningError(RuntimeError):
    """The user's server is not running."""


@dataclass(frozen=True)
class RunningServer:
    """What the rule needs of a running server (aware UTC)."""

    username: str
    started: datetime
    last_activity: datetime | None


@dataclass(frozen=True)
class SessionInfo:
    """Where one user's server stands: everything the session-info API answers."""

    culler_enabled: bool
    server_running: bool
    policy: IdlePolicy
    last_activity: datetime | None
    remaining: timedelta | None
    hours_used: int
    hours_on_offer: int
    cull: bool


class IdleSessions:
    """The rule with each server's extension kept in the database."""

    def __init__(
        self,
        engine: Engine,
        policy: IdlePolicy,
        *,
        enabled: bool,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.policy = policy
        self.enabled = enabled
        self._clock = clock

    async def info(self, server: RunningServer | None) -> SessionInfo:
        """Return where *server* stands (None: the user has no running server)."""
        if server is None:
            return self._stopped()
        now = self._clock()
        deadline, hours_used = await asyncio.to_thread(self._read, server)
        return self._info(server, deadline, hours_used, now)

    async def extend(
        self, server: RunningServer | None, hours: object
    ) -> tuple[Extension, SessionInfo]:
        """Extend *server* by *hours*, granted up to what is on offer; return the outcome and state.

        Raises:
            InvalidHoursError: *hours* is not a whole number from 1.
            CullerDisabledError, ServerNotRunningError, NothingOnOfferError.
        """
        # Bad input is a 400 whatever the server's state: checked first.
        valid_hours(hours)
        if not self.enabled:
            raise CullerDisabledError("no idle culler runs on this hub: nothing to extend")
        if server is None:
            raise ServerNotRunningError("the server is not running")
        return await asyncio.to_thread(self._extend, server, hours, self._clock())

    async def remaining(self, servers: list[RunningServer]) -> dict[str, timedelta]:
        """Return each running server's remaining time, reading every extension at once.

        Empty when no culler runs (nothing is ever culled, so no time runs out).
        """
        if not self.enabled or not servers:
            return {}
        now = self._clock()
        extensions = await asyncio.to_thread(self._read_all)
        remaining: dict[str, timedelta] = {}
        for server in servers:
            started, deadline, hours_used = extensions.get(server.username, (None, None, 0))
            if started != as_utc(server.started):
                deadline, hours_used = None, 0
            info = self._info(server, deadline, hours_used, now)
            if info.remaining is not None:
                remaining[server.username] = info.remaining
        return remaining

    def _read_all(self) -> dict[str, tuple[datetime, datetime, int]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(_TABLE.c.username, _TABLE.c.started, _TABLE.c.deadline, _TABLE.c.hours_used)
            )
            return {row.username: (row.started, row.deadline, int(row.hours_used)) for row in rows}

    def _stopped(self) -> SessionInfo:
        return SessionInfo(
            culler_enabled=self.enabled,
            server_running=False,
            policy=self.policy,
            last_activity=None,
            remaining=None,
            hours_used=0,
            hours_on_offer=0,
            cull=False,
        )

    def _info(
        self, server: RunningServer, deadline: datetime | None, hours_used: int, now: datetime
    ) -> SessionInfo:
        state = session_state(
            self.policy,
            last_activity=_last_activity(server),
            started=as_utc(server.started),
            deadline=deadline,
            now=now,
        )
        return SessionInfo(
            culler_enabled=self.enabled,
            server_running=True,
            policy=self.policy,
            last_activity=server.last_activity,
            remaining=state.remaining,
            hours_used=hours_used,
            hours_on_offer=state.hours_on_offer if self.enabled else 0,
            cull=state.cull,
        )

    def _read(self, server: RunningServer) -> tuple[datetime | None, int]:
        with self.engine.connect() as connection:
            return _extension_of(connection, server)

    def _extend(
        self, server: RunningServer, hours: object, now: datetime
    ) -> tuple[Extension, SessionInfo]:
        with self.engine.begin() as connection:
            deadline, hours_used = _extension_of(connection, server)
            state = self._info(server, deadline, hours_used, now)
            assert state.remaining is not None  # a running server has a remaining time
            outcome = extend(self.policy, remaining=state.remaining, hours=hours, now=now)
            connection.execute(delete(_TABLE).where(_TABLE.c.username == server.username))
            connection.execute(
                _TABLE.insert().values(
                    username=server.username,
                    started=as_utc(server.started),
                    deadline=outcome.deadline,
                    hours_used=hours_used + outcome.granted_hours,
                )
            )
        info = self._info(server, outcome.deadline, hours_used + outcome.granted_hours, now)
        return outcome, info


def running_server(user: Any) -> RunningServer | None:
    """Return the facts of a JupyterHub user's running default server, or None.

    Call it on the hub's event loop thread (it reads the hub's ORM objects).
    """
    spawner = user.spawners.get("")  # never creates a spawner wrapper
    if spawner is None or not spawner.ready or spawner.pending:
        return None
    orm_spawner = spawner.orm_spawner
    if orm_spawner is None or orm_spawner.started is None:
        return None
    last = orm_spawner.last_activity
    return RunningServer(
        username=str(user.name),
        started=as_utc(orm_spawner.started),
        last_activity=None if last is None else as_utc(last),
    )


def _extension_of(connection: Connection, server: RunningServer) -> tuple[datetime | None, int]:
    row = connection.execute(
        select(_TABLE.c.started, _TABLE.c.deadline, _TABLE.c.hours_used).where(
            _TABLE.c.username == server.username
        )
    ).first()
    if row is None or row.started != as_utc(server.started):
        return None, 0  # none, or one of an earlier server
    return row.deadline, int(row.hours_used)


def _last_activity(server: RunningServer) -> datetime:
    # A server that never reported activity counts from its start (as the culler does).
    return as_utc(server.last_activity or server.started)

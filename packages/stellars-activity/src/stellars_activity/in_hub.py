"""The in-hub sampler: a periodic task on the hub's event loop that reads the hub's own state.

``collect`` runs on the loop's thread (JupyterHub's ORM objects belong to
it); the store's write runs in a worker thread, so the loop never waits on
database I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from jupyterhub import orm

from stellars_activity.sampling import active_now, as_utc
from stellars_activity.ticks import activity_ticks, tick
from stellars_core.scheduler import utc_now

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from stellars_activity.settings import ActivitySettings
    from stellars_activity.store import ActivityStore
    from stellars_core.scheduler import Every


@dataclass(frozen=True)
class ServerState:
    """A user's default server as the hub sees it.

    Attributes:
        running: the server is ready (started, nothing pending).
        pending: ``"spawn"`` or ``"stop"`` while one is under way, else None.
        last_activity: the server's own last activity (aware UTC), or None.
        recently_active: running, and its last activity within the inactive threshold.
    """

    running: bool
    pending: str | None
    last_activity: datetime | None
    recently_active: bool


def server_state(user: Any, *, inactive_after: timedelta, now: datetime) -> ServerState:
    """Return the state of *user*'s default server (a JupyterHub ``User``).

    Reads ``orm_spawner.last_activity``, never ``user.last_activity``
    (browsing hub pages). A user without a default spawner wrapper has no
    running server. Call it on the hub's event loop thread.
    """
    # dict.get: never creates a spawner wrapper, unlike spawners[""].
    spawner = user.spawners.get("")
    if spawner is None:
        return ServerState(running=False, pending=None, last_activity=None, recently_active=False)
    pending = spawner.pending or None
    running = bool(spawner.ready) and pending is None
    orm_spawner = spawner.orm_spawner
    last_activity = None if orm_spawner is None else orm_spawner.last_activity
    last_activity = None if last_activity is None else as_utc(last_activity)
    return ServerState(
        running=running,
        pending=pending,
        last_activity=last_activity,
        recently_active=active_now(
            server_running=running,
            last_activity=last_activity,
            now=now,
            inactive_after=inactive_after,
        ),
    )


class HubState(Protocol):
    """What the in-hub sampler reads: JupyterHub's app, or any of its request handlers."""

    @property
    def users(self) -> Mapping[Any, Any]:
        """JupyterHub's ``UserDict``: the users loaded in this process, by id."""

    @property
    def db(self) -> Any:
        """JupyterHub's ORM session."""


def collect_from_hub(
    users: Mapping[Any, Any],
    *,
    inactive_after: timedelta,
    now: datetime | None = None,
    usernames: Iterable[str] = (),
) -> dict[str, bool]:
    """Return ``{username: active}`` for every loaded user and every one of *usernames*.

    Active is :func:`server_state`'s ``recently_active``. JupyterHub loads a
    user into ``app.users`` lazily (at start-up only those with a running
    server; others when a request reads them), and a server this hub runs
    always has a loaded user: so the hub's other users, passed as
    *usernames*, are sampled inactive. Call it on the hub's event loop thread.
    """
    moment = now or utc_now()
    activity = dict.fromkeys(usernames, False)
    for user in users.values():
        state = server_state(user, inactive_after=inactive_after, now=moment)
        activity[str(user.name)] = state.recently_active
    return activity


def collect_from_state(
    hub: HubState, *, inactive_after: timedelta, now: datetime | None = None
) -> dict[str, bool]:
    """Return ``{username: active}`` for every user in *hub*'s database (see collect_from_hub)."""
    usernames = [name for (name,) in hub.db.query(orm.User.name)]
    return collect_from_hub(hub.users, inactive_after=inactive_after, now=now, usernames=usernames)


class InHubSampler:
    """Record a tick every ``settings.sample_interval_minutes``, aligned to the interval.

    *collect* returns ``{username: active}`` and is called on the event loop
    thread; the write runs in a worker thread. The schedule is
    :func:`~stellars_activity.ticks.activity_ticks`: a failing tick is logged
    and the next one runs at its boundary.
    """

    def __init__(
        self,
        store: ActivityStore,
        settings: ActivitySettings,
        collect: Callable[[], Mapping[str, bool]],
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._collect = collect
        self._clock = clock
        self.interval = timedelta(minutes=settings.sample_interval_minutes)
        self._ticks: Every | None = None

    @property
    def running(self) -> bool:
        """Return whether ticks are scheduled."""
        return self._ticks is not None and self._ticks.running

    def start(self) -> None:
        """Start ticking on the running event loop: one tick now, then at each boundary.

        Calling it while already running does nothing.

        Raises:
            RuntimeError: no event loop is running in this thread.
        """
        if self.running:
            return
        ticks = activity_ticks(self._store, self._collect_at, self.interval, clock=self._clock)
        ticks.start()
        self._ticks = ticks

    async def stop(self) -> None:
        """Stop ticking (a write already in its thread finishes there); never raises."""
        if self._ticks is not None:
            await self._ticks.stop()

    async def tick_now(self, now: datetime | None = None) -> int:
        """Collect and record one tick at *now* (default: the clock); return rows written."""
        return await tick(self._store, self._collect_at, now or self._clock(), self.interval)

    async def _collect_at(self, _moment: datetime) -> Mapping[str, bool]:
        # On the loop thread: JupyterHub's ORM objects belong to it.
        return self._collect()

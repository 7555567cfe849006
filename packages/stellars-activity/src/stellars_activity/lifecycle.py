"""Keep activity samples in step with JupyterHub's users: created, renamed, deleted.

:func:`register_lifecycle` installs SQLAlchemy ORM event listeners on
``jupyterhub.orm.User``. They receive the connection of the hub's flush:

- **Same database** (the store's engine is the hub's, or has the same URL):
  the store writes through that connection, so the samples change in the
  hub's own transaction. A rename the hub rolls back leaves the samples
  under the old name.
- **Another database**: one transaction cannot span both. The change is
  queued in the hub session's ``info`` and applied in the store's own
  transaction after the hub's commit (``after_commit``); a rollback drops the
  queue. A crash between the two commits loses that one change (a rename then
  leaves the samples under the old name until they age out).

Every change is idempotent (an initial sample already there writes nothing, a
rename finds nothing left to move, a delete finds nothing), so a second
registration for the same store does no harm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from jupyterhub import orm
from sqlalchemy import event, exists, inspect, select
from sqlalchemy.orm import Session, object_session

from stellars_activity.model import ActivitySample
from stellars_activity.sampling import tick_time
from stellars_core.scheduler import utc_now

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection

    from stellars_activity.store import ActivityStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Change:
    kind: Literal["add", "rename", "delete"]
    username: str
    new_name: str = ""
    interval: timedelta = timedelta(minutes=10)

    def apply(self, store: ActivityStore, connection: Connection) -> None:
        if self.kind == "add":
            store.add_user(self.username, tick_time(utc_now(), self.interval), using=connection)
        elif self.kind == "rename":
            # Nothing under the old name: already moved (a second registration) or never sampled.
            has_samples = connection.execute(
                select(exists().where(ActivitySample.username == self.username))
            ).scalar()
            if has_samples:
                store.rename_user(self.username, self.new_name, using=connection)
        else:
            store.delete_user(self.username, using=connection)


class _Listeners:
    """The listeners of one registration; their bound methods are what SQLAlchemy holds."""

    def __init__(self, store: ActivityStore) -> None:
        self.store = store
        self.interval = timedelta(minutes=store.settings.sample_interval_minutes)

    def _shares(self, connection: Connection) -> bool:
        engine = connection.engine
        return engine is self.store.engine or engine.url == self.store.engine.url

    def _change(self, connection: Connection, target: Any, change: _Change) -> None:
        if self._shares(connection):
            change.apply(self.store, connection)
            return
        session = object_session(target)
        if session is None:  # a flush always has a session; nothing to wait for otherwise
            self._apply_now([change])
            return
        session.info.setdefault(self, []).append(change)

    def after_insert(self, _mapper: Any, connection: Connection, target: Any) -> None:
        self._change(connection, target, _Change("add", target.name, interval=self.interval))

    def after_update(self, _mapper: Any, connection: Connection, target: Any) -> None:
        history = inspect(target).attrs.name.history
        if not history.deleted or not history.added:
            return
        old, new = history.deleted[0], history.added[0]
        if old != new:
            self._change(connection, target, _Change("rename", old, new_name=new))

    def after_delete(self, _mapper: Any, connection: Connection, target: Any) -> None:
        self._change(connection, target, _Change("delete", target.name))

    def after_commit(self, session: Session) -> None:
        changes = session.info.pop(self, None)
        if changes:
            self._apply_now(changes)

    def after_rollback(self, session: Session) -> None:
        session.info.pop(self, None)

    def _apply_now(self, changes: list[_Change]) -> None:
        # The hub's change is committed already: failing here must not break the hub.
        try:
            with self.store.engine.begin() as connection:
                for change in changes:
                    change.apply(self.store, connection)
        except Exception:
            log.exception("activity samples not updated after the hub's commit: %s", changes)


def register_lifecycle(store: ActivityStore) -> Callable[[], None]:
    """Keep *store*'s samples in step with JupyterHub's users; return the uninstaller.

    A created user gets an initial (inactive) sample at the current tick, a
    renamed user's samples move, a deleted user's are removed: in the hub's
    transaction when *store* is on the hub's database, after the hub's commit
    otherwise (see the module docstring). The uninstaller may be called more
    than once.
    """
    listeners = _Listeners(store)
    hooks: list[tuple[Any, str, Callable[..., None]]] = [
        (orm.User, "after_insert", listeners.after_insert),
        (orm.User, "after_update", listeners.after_update),
        (orm.User, "after_delete", listeners.after_delete),
        (Session, "after_commit", listeners.after_commit),
        (Session, "after_rollback", listeners.after_rollback),
    ]
    for target, name, listener in hooks:
        event.listen(target, name, listener)

    def uninstall() -> None:
        for target, name, listener in hooks:
            if event.contains(target, name, listener):
                event.remove(target, name, listener)

    return uninstall

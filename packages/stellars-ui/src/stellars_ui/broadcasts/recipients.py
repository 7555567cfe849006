"""Who a broadcast goes to: the running servers as the hub knows them, and the names asked for.

Read from the hub's own state on the event loop thread (its ORM session and
user wrappers); nothing here does I/O of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jupyterhub import orm

from stellars_ui.broadcasts.delivery import Recipient

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session


class NobodyToNotifyError(RuntimeError):
    """A broadcast to everyone running found no running server."""


@dataclass(frozen=True)
class RunningServer:
    """A server that is up and not starting or stopping; times as the hub keeps them (UTC)."""

    username: str
    server_name: str
    url: str
    started: datetime | None
    last_activity: datetime | None


def running_servers(db: Session, users: Any) -> list[RunningServer]:
    """Return every ready server, by username then server name.

    *users* is the hub's user dictionary (``handler.users``): JupyterHub
    loads its wrappers lazily, so the running servers are found in the
    database and their wrappers loaded from it.
    """
    found = []
    for orm_spawner in db.query(orm.Spawner).filter(orm.Spawner.server_id.isnot(None)):
        spawner = users[orm_spawner.user].spawners[orm_spawner.name]
        if not spawner.ready or spawner.server is None:
            continue
        found.append(
            RunningServer(
                username=orm_spawner.user.name,
                server_name=orm_spawner.name,
                url=spawner.server.url,
                started=orm_spawner.started,
                last_activity=orm_spawner.last_activity,
            )
        )
    return sorted(found, key=lambda server: (server.username, server.server_name))


def recipients_for(
    requested: Sequence[str] | None,
    running: Sequence[RunningServer],
    is_user: Callable[[str], bool],
) -> list[Recipient]:
    """Return one recipient per running server of the *requested* users (None: of everyone).

    A requested user without a running server is a recipient without a URL
    (reported "not running"), and a name *is_user* does not know is one
    marked unknown, so that nobody asked for is silently dropped.

    Raises:
        NobodyToNotifyError: everyone was asked for, and no server runs.
    """
    if requested is None:
        if not running:
            raise NobodyToNotifyError("no server is running: there is nobody to notify")
        return [_recipient(server) for server in running]
    by_user: dict[str, list[RunningServer]] = {}
    for server in running:
        by_user.setdefault(server.username, []).append(server)
    recipients: list[Recipient] = []
    for name in requested:
        servers = by_user.get(name)
        if servers:
            recipients.extend(_recipient(server) for server in servers)
        else:
            recipients.append(Recipient(name, None, known=is_user(name)))
    return recipients


def _recipient(server: RunningServer) -> Recipient:
    return Recipient(server.username, server.url, server_name=server.server_name)

"""The credential a broadcast carries: reach the target servers, nothing else, briefly.

The hub knows a service, the *sender*, whose role holds ``access:servers``
and nothing more. Each broadcast gets its own API token of that service,
narrowed to ``access:servers!server=<user>/<name>`` for exactly the servers
it goes to, expiring shortly after the per-server timeout, and deleted as
soon as the fan-out ends. Should the hub stop mid-broadcast, the expiry
bounds the token's life; JupyterHub purges expired tokens.

ORM access: on the event loop thread, with the hub's own session.
"""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING, Any

from jupyterhub import orm

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from sqlalchemy.orm import Session

ACCESS_SERVERS = "access:servers"
# Time for a lab to check the token with the hub after its request arrived.
_GRACE_S = 60
TOKEN_NOTE = "broadcast"  # noqa: S105 - a label, not a secret


class SenderMissingError(RuntimeError):
    """The hub has no sender service: the platform's configuration did not declare it."""


def sender_service(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the service and role entries that give the hub its sender identity.

    The service has no URL, no command and no token of its own: it exists so
    that broadcast tokens have an owner holding nothing but ``access:servers``.
    """
    service = {"name": name, "display": False}
    role = {
        "name": name,
        "description": "Delivers broadcast notifications to running servers.",
        "scopes": [ACCESS_SERVERS],
        "services": [name],
    }
    return service, role


def server_scope(username: str, server_name: str) -> str:
    """Return the scope that reaches exactly one server."""
    return f"{ACCESS_SERVERS}!server={username}/{server_name}"


@contextlib.contextmanager
def server_access_token(
    db: Session, sender: str, servers: Iterable[tuple[str, str]], *, timeout_s: float
) -> Iterator[str]:
    """Yield a token of service *sender* that reaches only *servers* ((user, name) pairs).

    The token expires *timeout_s* plus a minute after it is made, and is
    deleted when the block ends, however it ends.

    Raises:
        SenderMissingError: the hub knows no service *sender*.
    """
    service = orm.Service.find(db, sender)
    if service is None:
        raise SenderMissingError(f"the hub has no service {sender!r} to send broadcasts as")
    scopes = sorted({server_scope(user, name) for user, name in servers})
    token = service.new_api_token(
        scopes=scopes,
        note=TOKEN_NOTE,
        expires_in=math.ceil(timeout_s) + _GRACE_S,
    )
    try:
        yield token
    finally:
        found = orm.APIToken.find(db, token)
        if found is not None:
            db.delete(found)
            db.commit()

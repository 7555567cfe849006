"""Fan a notification out to running JupyterLab servers, and say what happened to each.

Each POST goes to ``<server URL>jupyterlab-notifications-extension/ingest``,
the server URL being the one the hub itself uses for that server (never a
guessed host or port), marked as no activity of the user's. At most
*concurrency* requests are in flight; each has *timeout_s* from its start
(not from a queue), so the whole fan-out ends within about one timeout when
concurrency covers the recipients.
Every recipient gets an outcome, including those that were not sent to.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.simple_httpclient import HTTPTimeoutError

if TYPE_CHECKING:
    from collections.abc import Iterable

INGEST_PATH = "jupyterlab-notifications-extension/ingest"
# A notification is not the user's activity: without this, jupyter-server
# counts the POST as API activity and reports it to the hub, so a warning
# before a cull would itself put the cull off (and be followed by another).
UNTRACKED = "?no_track_activity=1"

NOT_RUNNING = "not running"
UNKNOWN_USER = "unknown user"
NOT_RESPONDING = "not responding"
TIMED_OUT = "timed out"
EXTENSION_MISSING = "extension missing"
NOT_AUTHORISED = "not authorized"
# Every reason a delivery can fail with, but "answered N" (any other status).
FAILURE_REASONS = (
    NOT_RUNNING,
    UNKNOWN_USER,
    NOT_RESPONDING,
    TIMED_OUT,
    EXTENSION_MISSING,
    NOT_AUTHORISED,
)


@dataclass(frozen=True)
class Recipient:
    """Someone to notify: their server's URL as the hub knows it, or why there is none.

    Attributes:
        username: the user.
        server_url: the server's base URL (``http://host:port/user/ada/``), or
            None when there is no running server to send to.
        known: False for a name the hub has no user of.
        server_name: the server's name ("" for the default server).
    """

    username: str
    server_url: str | None
    known: bool = True
    server_name: str = ""


@dataclass(frozen=True)
class Delivery:
    """What happened for one recipient: *reason* is None when the server took it (any 2xx).

    *status* and *elapsed_ms* are None when nothing was sent (no server) or
    nothing answered.
    """

    username: str
    reason: str | None
    status: int | None = None
    elapsed_ms: float | None = None
    server_name: str = ""

    @property
    def delivered(self) -> bool:
        """Return whether the server accepted the notification."""
        return self.reason is None


async def deliver(
    recipients: Iterable[Recipient],
    payload: dict[str, Any],
    *,
    token: str,
    concurrency: int,
    timeout_s: float,
) -> list[Delivery]:
    """POST *payload* to every recipient's server; return one outcome each, in order.

    *token* authenticates the hub to the servers (send one that can do
    nothing else). Never raises for a recipient's failure: it becomes that
    recipient's reason.
    """
    client = AsyncHTTPClient(force_instance=True, max_clients=concurrency)
    slots = asyncio.Semaphore(concurrency)
    body = json.dumps(payload)

    async def one(recipient: Recipient) -> Delivery:
        name = recipient.server_name
        if not recipient.known:
            return Delivery(recipient.username, UNKNOWN_USER, server_name=name)
        if recipient.server_url is None:
            return Delivery(recipient.username, NOT_RUNNING, server_name=name)
        async with slots:
            started = time.perf_counter()
            status, reason = await _post(client, recipient.server_url, body, token, timeout_s)
            elapsed = (time.perf_counter() - started) * 1000
        return Delivery(recipient.username, reason, status, elapsed, server_name=name)

    try:
        return list(await asyncio.gather(*(one(r) for r in recipients)))
    finally:
        client.close()


async def _post(
    client: AsyncHTTPClient, server_url: str, body: str, token: str, timeout_s: float
) -> tuple[int | None, str | None]:
    request = HTTPRequest(
        server_url.rstrip("/") + "/" + INGEST_PATH + UNTRACKED,
        method="POST",
        body=body,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        connect_timeout=timeout_s,
        request_timeout=timeout_s,
        follow_redirects=False,
    )
    try:
        response = await client.fetch(request, raise_error=False)
    except HTTPTimeoutError:
        return None, TIMED_OUT
    except (HTTPClientError, OSError):  # with raise_error=False, only transport failures
        return None, NOT_RESPONDING
    return response.code, _reason(response.code)


def _reason(code: int) -> str | None:
    if HTTPStatus.OK <= code < HTTPStatus.MULTIPLE_CHOICES:
        return None
    if code == HTTPStatus.NOT_FOUND:
        return EXTENSION_MISSING
    if code in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}:
        return NOT_AUTHORISED
    return f"answered {code}"

"""A notice to one user: a notification the hub sends on its own into that user's running labs.

What the quota notice and the warning before a cull share: the payload of a
notification that stays until the user closes it, and its delivery to one
user's servers on the broadcast path (a token of the sender service that
reaches exactly those servers, deleted when the fan-out ends). Whether the
user was told is whether any of their labs took it; the caller records that.

ORM access: on the event loop thread, with the hub's own session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stellars_ui.broadcasts.credential import server_access_token
from stellars_ui.broadcasts.delivery import Recipient, deliver

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from stellars_ui.broadcasts.recipients import RunningServer
    from stellars_ui.settings import BroadcastSettings


def notice_payload(
    message: str,
    variant: str,
    *,
    actions: Sequence[dict[str, Any]] = (),
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the notifications extension's payload for a notice of *variant* ("warning"...).

    It stays until the user closes it (a notice asks them to act) and is
    pushed at once to the lab's open tabs.
    """
    payload: dict[str, Any] = {
        "message": message,
        "type": variant,
        "autoClose": False,
        "immediate": True,
    }
    if actions:
        payload["actions"] = list(actions)
    if data is not None:
        payload["data"] = data
    return payload


async def notify_servers(
    db: Session,
    servers: Sequence[RunningServer],
    payload: dict[str, Any],
    options: BroadcastSettings,
) -> bool:
    """Send *payload* to *servers* (one user's); return whether any of them took it.

    Nothing is sent, and False returned, when *servers* is empty.

    Raises:
        SenderMissingError: the hub knows no service ``options.sender``.
    """
    if not servers:
        return False
    recipients = [Recipient(s.username, s.url, server_name=s.server_name) for s in servers]
    credential = server_access_token(
        db,
        options.sender,
        [(r.username, r.server_name) for r in recipients],
        timeout_s=options.timeout_s,
    )
    with credential as token:
        deliveries = await deliver(
            recipients,
            payload,
            token=token,
            concurrency=options.concurrency,
            timeout_s=options.timeout_s,
        )
    return any(delivery.delivered for delivery in deliveries)

"""``/hub/api/notifications/...``: the running servers, a broadcast into them, and its history.

All of them need the broadcast scope (granted to the platform's admin): who
may send also sees who can receive, and what was sent before, and may
delete an entry of that history.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING

from jupyterhub import orm
from tornado import web

from stellars_auth import shown
from stellars_ui.broadcasts import (
    BroadcastHistory,
    recipients_for,
    running_servers,
    server_access_token,
)
from stellars_ui.broadcasts.delivery import deliver
from stellars_ui.handlers.base import StellarsAPIHandler, isoformat_utc
from stellars_ui.metrics import count_broadcast
from stellars_ui.models.common import NoFields
from stellars_ui.models.notifications import (
    ActiveServer,
    ActiveServers,
    Broadcast,
    BroadcastBody,
    BroadcastDeleted,
    BroadcastHistoryAnswer,
    BroadcastReport,
    BroadcastTotals,
    DeliveryResult,
)
from stellars_ui.scopes import BROADCAST

if TYPE_CHECKING:
    from stellars_ui.broadcasts import Delivery, SentBroadcast


class _NotificationsHandler(StellarsAPIHandler):
    @property
    def history(self) -> BroadcastHistory:
        """The broadcast history."""
        return self.platform.broadcasts


class ActiveServersHandler(_NotificationsHandler):
    """GET: the servers a broadcast to everyone would reach."""

    def get(self) -> None:
        """Answer ``{"timestamp", "servers": [...]}``, each server's user, name and times."""
        self.require_scope(BROADCAST)
        self.answer(
            ActiveServers(
                # The hub's clock, for a page to say "5 minutes ago" from it.
                timestamp=isoformat_utc(datetime.now(UTC)),
                servers=[
                    ActiveServer(
                        username=server.username,
                        server_name=server.server_name,
                        started=isoformat_utc(server.started),
                        last_activity=isoformat_utc(server.last_activity),
                    )
                    for server in running_servers(self.db, self.users)
                ],
            )
        )


class BroadcastHandler(_NotificationsHandler):
    """POST ``{"message", "variant", "autoClose", "recipients"}``: notify, and report on each."""

    async def post(self) -> None:
        """Deliver to each recipient's server; answer one result each, the totals and the record.

        400 for a body that is not a valid broadcast (the message names the
        field); 409 when everyone was asked for and no server runs.
        """
        self.require_scope(BROADCAST)
        request = self.body(BroadcastBody).to_request()
        options = self.platform.ui.broadcasts
        recipients = recipients_for(
            request.recipients,
            running_servers(self.db, self.users),
            is_user=lambda name: orm.User.find(self.db, name) is not None,
        )
        servers = [(r.username, r.server_name) for r in recipients if r.server_url is not None]
        # No running server among them: no token is made, nothing is sent.
        credential = (
            server_access_token(self.db, options.sender, servers, timeout_s=options.timeout_s)
            if servers
            else contextlib.nullcontext("")
        )
        with credential as token:
            deliveries = await deliver(
                recipients,
                request.payload(),
                token=token,
                concurrency=options.concurrency,
                timeout_s=options.timeout_s,
            )
        delivered = sum(d.delivered for d in deliveries)
        count_broadcast([d.reason for d in deliveries])
        sent = await self.history.record(
            self.current_user.name, request, recipients=len(deliveries), delivered=delivered
        )
        self.log.info(
            "%s broadcast a %s notification: %d of %d delivered",
            shown(sent.sender),
            sent.variant,
            delivered,
            len(deliveries),
        )
        self.answer(
            BroadcastReport(
                broadcast=broadcast_json(sent),
                results=[_result_json(d) for d in deliveries],
                totals=BroadcastTotals(
                    recipients=len(deliveries),
                    delivered=delivered,
                    failed=len(deliveries) - delivered,
                ),
            )
        )


class BroadcastHistoryHandler(_NotificationsHandler):
    """GET: the broadcasts kept, newest first."""

    async def get(self) -> None:
        """Answer ``{"timestamp", "broadcasts": [...], "keep": n}``."""
        self.require_scope(BROADCAST)
        kept = await self.history.recent()
        self.answer(
            BroadcastHistoryAnswer(
                timestamp=isoformat_utc(datetime.now(UTC)),
                broadcasts=[broadcast_json(sent) for sent in kept],
                keep=self.history.keep,
            )
        )


# A history id as the database gives them: a positive whole number, short
# enough for any integer column. Anything else names no entry.
_BROADCAST_ID = re.compile(r"[1-9][0-9]{0,17}")


class BroadcastHistoryEntryHandler(_NotificationsHandler):
    """DELETE: take one broadcast out of the history."""

    async def delete(self, broadcast: str) -> None:
        """Delete the entry *broadcast*; answer ``{"deleted": id}``, 404 when none has that id."""
        self.require_scope(BROADCAST)
        self.body(NoFields)
        if not _BROADCAST_ID.fullmatch(broadcast) or not await self.history.delete(int(broadcast)):
            raise web.HTTPError(HTTPStatus.NOT_FOUND, "No such broadcast in the history.")
        self.log.info(
            "%s deleted broadcast %s from the history", shown(self.current_user.name), broadcast
        )
        self.answer(BroadcastDeleted(deleted=int(broadcast)))


def broadcast_json(sent: SentBroadcast) -> Broadcast:
    """Return one broadcast as the history and the broadcast report show it."""
    # Validated from a mapping: the history keeps the variant as text, the model a literal.
    return Broadcast.model_validate(
        {
            "id": sent.id,
            "sent_at": isoformat_utc(sent.sent_at),
            "sender": sent.sender,
            "message": sent.message,
            "variant": sent.variant,
            "autoClose": False if sent.auto_close_ms is None else sent.auto_close_ms,
            "recipients": sent.recipients,
            "delivered": sent.delivered,
            "failed": sent.failed,
        }
    )


def _result_json(delivery: Delivery) -> DeliveryResult:
    return DeliveryResult(
        username=delivery.username,
        server_name=delivery.server_name,
        delivered=delivery.delivered,
        reason=delivery.reason,
        status=delivery.status,
        elapsed_ms=None if delivery.elapsed_ms is None else round(delivery.elapsed_ms, 1),
    )

"""Broadcast notifications into running JupyterLabs, from request to history.

The one feature with no domain package of its own: it is outbound HTTP to
the labs plus the hub's own state (its servers, its token table), so it
lives with the platform's HTTP layer, apart from the handlers. The handlers
(``stellars_ui.handlers.notifications``) parse, check the scope, call these,
and shape the report.

The quota notices (``stellars_ui.broadcasts.quota_notice``) read group
policies from stellars-docker, so they are imported from their module by a
hub with Docker, not from here: a hub without it (Kubernetes) imports this
package.
"""

from stellars_ui.broadcasts.credential import (
    SenderMissingError,
    sender_service,
    server_access_token,
)
from stellars_ui.broadcasts.cull_warning import cull_message, warn_before_culls
from stellars_ui.broadcasts.delivery import Delivery, Recipient, deliver
from stellars_ui.broadcasts.history import BroadcastHistory, SentBroadcast
from stellars_ui.broadcasts.notice import notice_payload, notify_servers
from stellars_ui.broadcasts.recipients import (
    NobodyToNotifyError,
    RunningServer,
    recipients_for,
    running_servers,
)
from stellars_ui.broadcasts.request import (
    MAX_MESSAGE_LENGTH,
    VARIANTS,
    BroadcastRequest,
)

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "VARIANTS",
    "BroadcastHistory",
    "BroadcastRequest",
    "Delivery",
    "NobodyToNotifyError",
    "Recipient",
    "RunningServer",
    "SenderMissingError",
    "SentBroadcast",
    "cull_message",
    "deliver",
    "notice_payload",
    "notify_servers",
    "recipients_for",
    "running_servers",
    "sender_service",
    "server_access_token",
    "warn_before_culls",
]

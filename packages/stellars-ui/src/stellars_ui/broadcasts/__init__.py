"""Broadcast notifications into running JupyterLabs: the request, and the fan-out delivery.

Outbound HTTP to the labs, so it lives with the platform's HTTP layer; the
handlers (``stellars_ui.handlers``) parse, check the scope, call these, and
shape the report.
"""

from stellars_ui.broadcasts.delivery import Delivery, Recipient, deliver
from stellars_ui.broadcasts.request import (
    MAX_MESSAGE_LENGTH,
    VARIANTS,
    BroadcastInputError,
    BroadcastRequest,
    parse_broadcast,
)

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "VARIANTS",
    "BroadcastInputError",
    "BroadcastRequest",
    "Delivery",
    "Recipient",
    "deliver",
    "parse_broadcast",
]

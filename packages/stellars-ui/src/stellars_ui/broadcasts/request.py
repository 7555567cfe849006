"""What a broadcast request must hold: strict types, and a 400 that names the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_LENGTH = 140
# The notification types JupyterLab's notification manager knows.
VARIANTS = ("default", "info", "success", "warning", "error", "in-progress")
BROADCAST_FIELDS = frozenset({"message", "variant", "autoClose", "recipients"})
# A toast that stays more than a day is a mistake, not a choice.
_MAX_AUTO_CLOSE_MS = 86_400_000
# Twice the largest hub the platform is built for; bounds one request's work.
MAX_RECIPIENTS = 1000


class BroadcastInputError(ValueError):
    """A broadcast request field is missing or wrong; ``field`` names it."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


@dataclass(frozen=True)
class BroadcastRequest:
    """A valid broadcast.

    Attributes:
        message: 1 to 140 characters, trimmed.
        variant: one of :data:`VARIANTS`.
        auto_close_ms: milliseconds the toast stays, or None to keep it until dismissed.
        recipients: the usernames chosen, or None for everyone with a running server.
    """

    message: str
    variant: str = "info"
    auto_close_ms: int | None = 5000
    recipients: tuple[str, ...] | None = None

    def payload(self) -> dict[str, Any]:
        """Return the body the lab's notifications extension ingests."""
        return {
            "message": self.message,
            "type": self.variant,
            "autoClose": False if self.auto_close_ms is None else self.auto_close_ms,
            # Shown at once in open lab tabs, and queued for the next poll.
            "immediate": True,
        }


def parse_broadcast(body: dict[str, Any]) -> BroadcastRequest:
    """Return the broadcast in a request body (already a JSON object).

    Raises:
        BroadcastInputError: a field is missing, unknown, or of the wrong type or range.
    """
    unknown = sorted(set(body) - BROADCAST_FIELDS)
    if unknown:
        raise BroadcastInputError(unknown[0], "unknown field")
    message = body.get("message")
    if not isinstance(message, str):
        raise BroadcastInputError("message", "must be a string")
    # At most 140 as sent (what the page's field and the OpenAPI document
    # count), and not blank: 1 to 140 once trimmed.
    if len(message) > MAX_MESSAGE_LENGTH or not message.strip():
        raise BroadcastInputError("message", f"must be 1 to {MAX_MESSAGE_LENGTH} characters")
    message = message.strip()
    variant = body.get("variant", "info")
    if variant not in VARIANTS:
        raise BroadcastInputError("variant", f"must be one of {', '.join(VARIANTS)}")
    return BroadcastRequest(
        message=message,
        variant=variant,
        auto_close_ms=_auto_close(body.get("autoClose", 5000)),
        recipients=_recipients(body["recipients"]) if "recipients" in body else None,
    )


def _auto_close(value: object) -> int | None:
    if value is False:
        return None
    value = _whole(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BroadcastInputError("autoClose", "must be false or a whole number of milliseconds")
    if not 0 < value <= _MAX_AUTO_CLOSE_MS:
        raise BroadcastInputError("autoClose", f"must be 1 to {_MAX_AUTO_CLOSE_MS} milliseconds")
    return value


def _recipients(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(name, str) and name for name in value):
        raise BroadcastInputError("recipients", "must be a list of usernames")
    if not value:
        raise BroadcastInputError("recipients", "must name at least one user, or be left out")
    if len(value) > MAX_RECIPIENTS:
        raise BroadcastInputError("recipients", f"must name at most {MAX_RECIPIENTS} users")
    return tuple(dict.fromkeys(value))


def _whole(value: object) -> object:
    """Return a whole-number float (5000.0) as an int: JSON has one number type."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value

"""A valid broadcast and its limits; ``stellars_ui.models.notifications`` reads it from a body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

MAX_MESSAGE_LENGTH = 140
# The notification types JupyterLab's notification manager knows.
Variant = Literal["default", "info", "success", "warning", "error", "in-progress"]
VARIANTS: tuple[str, ...] = get_args(Variant)
# A toast that stays more than a day is a mistake, not a choice.
MAX_AUTO_CLOSE_MS = 86_400_000
# Twice the largest hub the platform is built for; bounds one request's work.
MAX_RECIPIENTS = 1000


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

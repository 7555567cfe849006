"""Bodies of the notification endpoints: running servers, a broadcast and its report, history."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, PlainValidator, WithJsonSchema

from stellars_ui.broadcasts.request import (
    MAX_AUTO_CLOSE_MS,
    MAX_MESSAGE_LENGTH,
    MAX_RECIPIENTS,
    BroadcastRequest,
    Variant,
)
from stellars_ui.models.common import Contract, NullableTimestamp, Timestamp

Count = Annotated[int, Field(ge=0)]


def _auto_close(value: object) -> int | Literal[False]:
    # One validator for the union, so that a refusal says one thing about
    # autoClose instead of one complaint per member of the union.
    if value is False:
        return False
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one number type: 5000.0 is 5000
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be false or a whole number of milliseconds")  # noqa: TRY004 - pydantic wants ValueError
    if not 0 < value <= MAX_AUTO_CLOSE_MS:
        raise ValueError(f"must be 1 to {MAX_AUTO_CLOSE_MS} milliseconds")
    return value


AutoClose = Annotated[
    int | Literal[False],
    PlainValidator(_auto_close),
    WithJsonSchema(
        {
            "description": "false to keep the toast until dismissed, else milliseconds",
            "oneOf": [
                {"const": False},
                {"type": "integer", "minimum": 1, "maximum": MAX_AUTO_CLOSE_MS},
            ],
        }
    ),
]


def _not_blank(message: str) -> str:
    trimmed = message.strip()
    if not trimmed:
        raise ValueError("must not be blank")
    return trimmed


def _without_default(schema: dict[str, Any]) -> None:
    # Left out means everyone; null is not a value the field takes.
    schema.pop("default", None)


class ActiveServer(Contract):
    """A server a broadcast to everyone would reach."""

    username: str
    server_name: str = Field(description='"" for the default server')
    started: NullableTimestamp
    last_activity: NullableTimestamp


class ActiveServers(Contract):
    """The running servers, and the hub's clock."""

    timestamp: Timestamp
    servers: list[ActiveServer]


class BroadcastBody(Contract):
    """A broadcast to send: the message, its look, how long it stays, and to whom."""

    message: Annotated[
        str,
        Field(min_length=1, max_length=MAX_MESSAGE_LENGTH, pattern=r"\S"),
        AfterValidator(_not_blank),
    ] = Field(description="at most 140 characters, not blank (trimmed before it is sent)")
    variant: Variant = "info"
    auto_close: AutoClose = Field(default=5000, alias="autoClose")
    recipients: Annotated[
        list[Annotated[str, Field(min_length=1)]],
        Field(min_length=1, max_length=MAX_RECIPIENTS),
    ] = Field(
        # Left out means everyone, hence the default None; a null sent is
        # refused, as the field's type has no None.
        default=None,  # type: ignore[arg-type]
        description="usernames; left out, every running server",
        json_schema_extra=_without_default,
    )

    def to_request(self) -> BroadcastRequest:
        """Return the broadcast this body asks for (recipients once each, in order)."""
        return BroadcastRequest(
            message=self.message,
            variant=self.variant,
            auto_close_ms=None if self.auto_close is False else self.auto_close,
            recipients=None if self.recipients is None else tuple(dict.fromkeys(self.recipients)),
        )


class Broadcast(Contract):
    """One broadcast as the history keeps it."""

    id: int
    sent_at: Timestamp
    sender: str
    message: str
    variant: Variant
    auto_close: AutoClose = Field(alias="autoClose")
    recipients: Count
    delivered: Count
    failed: Count


class DeliveryResult(Contract):
    """What became of the broadcast at one server."""

    username: str
    server_name: str
    delivered: bool
    reason: str | None = Field(
        description="null when delivered; else not running, unknown user, timed out, "
        "not responding, extension missing, not authorized or answered N"
    )
    status: int | None = Field(description="the lab's HTTP status")
    elapsed_ms: float | None


class BroadcastTotals(Contract):
    """The results counted."""

    recipients: Count
    delivered: Count
    failed: Count


class BroadcastReport(Contract):
    """The record kept, each server's outcome and the totals."""

    broadcast: Broadcast
    results: list[DeliveryResult]
    totals: BroadcastTotals


class BroadcastHistoryAnswer(Contract):
    """The broadcasts kept, newest first."""

    timestamp: Timestamp
    broadcasts: list[Broadcast]
    keep: int = Field(ge=1, description="how many broadcasts are kept")


class BroadcastDeleted(Contract):
    """A broadcast taken out of the history."""

    deleted: int = Field(description="the id of the broadcast removed from the history")

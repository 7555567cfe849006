"""Bodies of the idle culler's endpoints: session info and extensions."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stellars_ui.models.common import AS_WHOLE, Contract, NullableTimestamp, Timestamp


class SessionInfo(Contract):
    """Where a user's server stands with the idle culler."""

    culler_enabled: bool
    server_running: bool
    timeout_seconds: int = Field(description="idle time before the culler stops a server")
    max_extension_seconds: int = Field(description="the most a server may be extended")
    ceiling_seconds: int = Field(description="the most remaining time a server can ever have")
    max_age_seconds: int = Field(description="0 for no age limit")
    last_activity: NullableTimestamp
    remaining_seconds: int | None = Field(
        description="the server's time left; null without a running server"
    )
    hours_used: int = Field(ge=0, description="hours already granted")
    hours_on_offer: int = Field(ge=0, description="whole hours that may be asked for")


class Extension(Contract):
    """The hours asked for."""

    hours: Annotated[int, Field(ge=1), AS_WHOLE] = Field(description="a whole number of hours")


class Extended(SessionInfo):
    """The new state, and what was granted."""

    granted_hours: int = Field(ge=1)
    truncated: bool = Field(description="more was asked than was on offer")
    deadline: Timestamp

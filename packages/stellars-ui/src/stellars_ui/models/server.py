"""Bodies of the server card's own endpoint: what the user's container uses now."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stellars_ui.models.common import Contract, NullableTimestamp

Bytes = Annotated[int, Field(ge=0)] | None


class ServerStats(Contract):
    """The last stats of the user's default-server container, as the runtime sampled them."""

    cpu_percent: Annotated[float, Field(ge=0)] | None = Field(
        description="100 is one core; null until sampled (or not running)"
    )
    memory_bytes: Bytes = Field(description="memory in use, without reclaimable cache")
    memory_limit_bytes: Bytes = Field(
        description="the container's memory limit (the host's memory when it has none)"
    )
    sampled_at: NullableTimestamp
    containers: bool = Field(
        description="the hub's servers are containers; false (the local spawner): never sampled"
    )

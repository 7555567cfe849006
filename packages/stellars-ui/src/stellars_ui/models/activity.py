"""Bodies of the activity endpoints: the report, a reset, a sample taken now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field

from stellars_ui.models.common import Contract, NullableTimestamp, Timestamp

if TYPE_CHECKING:
    from stellars_docker.policy import QuotaState

Count = Annotated[int, Field(ge=0)]
LevelName = Literal["inactive", "low", "moderate", "high", "very high"]


class ActivitySettings(Contract):
    """The monitor's settings, for a page to explain its numbers."""

    refresh_interval_seconds: int
    target_hours: float
    half_life_hours: float
    retention_days: int
    inactive_after_minutes: float
    sample_interval_seconds: float
    unreachable_nodes: list[str] = Field(
        default_factory=list,
        description="swarm nodes whose agent did not answer the last refresh: their servers' "
        "stats and volumes' sizes are missing or older; empty on one host",
    )


class Sampling(Contract):
    """Who samples, how often, and whether the ticks keep coming."""

    mode: Literal["hub", "service"]
    interval_seconds: float
    last_tick: NullableTimestamp
    state: Literal["waiting", "ok", "late"] = Field(description="late: no tick for 2.5 intervals")


class ActivitySummary(Contract):
    """The rows counted by state."""

    total: Count
    active: Count
    idle: Count
    offline: Count
    sampling: Sampling


class ActivityVolume(Contract):
    """One of a user's volumes and its size."""

    suffix: str
    name: str
    size_bytes: int | None


class ActivityQuota(Contract):
    """A user's volumes against their quota (see ``stellars_docker.policy.quota``)."""

    state: Literal["ok", "warning", "over", "unknown"] = Field(
        description="ok also without a quota; unknown: a quota, but no size measured yet"
    )
    quota_bytes: int | None = Field(description="null without a quota")
    used_bytes: int | None = Field(description="null before the volumes are measured")
    percent: float | None
    warning_percent: Annotated[int, Field(ge=1, le=100)]
    source: str | None = Field(description="the group the quota comes from")

    @classmethod
    def without_policies(cls) -> ActivityQuota:
        """Return the answer on a hub without group policies (Kubernetes): no quota."""
        # The warning share is the policies' default (stellars_docker's
        # DEFAULT_WARNING_PERCENT); it never applies without a quota.
        return cls(
            state="ok",
            quota_bytes=None,
            used_bytes=None,
            percent=None,
            warning_percent=90,
            source=None,
        )

    @classmethod
    def of(cls, state: QuotaState) -> ActivityQuota:
        """Return the answer for the domain's *state*."""
        # Validated from a mapping: the level's values are the model's literals.
        return cls.model_validate(
            {
                "state": state.level.value,
                "quota_bytes": state.quota_bytes,
                "used_bytes": state.used_bytes,
                "percent": state.percent,
                "warning_percent": state.warning_percent,
                "source": state.source,
            }
        )


class ActivityRow(Contract):
    """One user's activity, resources and server state."""

    username: str
    admin: bool
    authorized: bool | None = Field(
        description="NativeAuthenticator's approval; null without a record of it"
    )
    server_active: bool = Field(description="the server is running")
    recently_active: bool
    server_pending: str | None = Field(
        description="JupyterHub's pending action (spawn, stop) while one is under way"
    )
    last_activity: NullableTimestamp
    cpu_percent: float | None
    memory_mb: float | None = Field(description="10^6 bytes")
    memory_percent: float | None
    memory_limit_mb: float | None = Field(
        description="the container's memory limit (the host's memory without one), 10^6 bytes"
    )
    node: str | None = Field(
        default=None,
        description="the swarm node the server runs on, else the node(s) of the user's volumes; "
        "null on one host",
    )
    volumes: list[ActivityVolume]
    volumes_total_bytes: int | None
    quota: ActivityQuota
    policy_outdated: bool | None = Field(
        description="a running server started under an older effective policy than the "
        "user's now; null without a running server the policy was applied to"
    )
    time_left_seconds: float | None = Field(
        description="the idle culler's remaining time; null without a culler or a running server"
    )
    score: float | None = Field(description="null without samples")
    percentage: float | None
    level: Annotated[int, Field(ge=0, le=4)] | None
    level_name: LevelName | None
    samples: Count
    hours_collected: Annotated[float, Field(ge=0)]
    enough_data: bool
    last_sample: NullableTimestamp
    daily_hours: list[Annotated[float, Field(ge=0)]] = Field(
        description="active hours per UTC day, ending with today"
    )


class Activity(Contract):
    """Every readable user's row, and their summary."""

    timestamp: Timestamp
    settings: ActivitySettings
    summary: ActivitySummary
    users: list[ActivityRow]


class NextPage(Contract):
    """Where the next page starts."""

    offset: Count
    limit: Count
    url: str


class Pagination(Contract):
    """JupyterHub's paging envelope, as its ``/hub/api/users`` sends it."""

    offset: Count
    limit: Count
    total: Count = Field(description="the rows the search and filter keep, on every page")
    next: NextPage | None = Field(description="null on the last page")


class ActivityPage(Contract):
    """One page of rows, for a client that sends JupyterHub's pagination media type."""

    model_config = ConfigDict(populate_by_name=True)

    timestamp: Timestamp
    settings: ActivitySettings
    summary: ActivitySummary
    items: list[ActivityRow]
    pagination: Pagination = Field(alias="_pagination")


class ActivityReset(Contract):
    """Every sample deleted."""

    reset: Literal[True]


class ActivitySampled(Contract):
    """The rows a sample taken now wrote, and its tick."""

    recorded: Count
    tick: Timestamp

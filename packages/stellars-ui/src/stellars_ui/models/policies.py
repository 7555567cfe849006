"""Bodies of the group-policy endpoints: groups with their policies, and a user's effective one.

A group's policy is ``stellars_docker.policy.GroupPolicy`` itself: the
schema is written once, there; these models only carry it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stellars_docker.policy import DockerAccess, EnvironmentVariable, GroupPolicy, Profile
from stellars_ui.models.common import AS_WHOLE, Contract, NullableTimestamp

Count = Annotated[int, Field(ge=0)]


class GroupEntry(Contract):
    """A hub group and its policy (secrets masked)."""

    name: str
    members: Count = Field(description="how many users the group has")
    builtin: bool = Field(
        description="docker-sock or docker-privileged: its Docker access is fixed"
    )
    policy: GroupPolicy | None = Field(
        description="the group's policy, secrets' values null; null when it has none"
    )
    revision: Count = Field(description="the stored revision; 0 when none is stored")
    updated_by: str | None = Field(description="who stored it last; null when none is stored")
    updated_at: NullableTimestamp
    docker_access_counts: bool = Field(
        description="the policy grants Docker access a spawn honours (a built-in group, or "
        "access a full admin wrote); each membership must still be a full admin's grant"
    )
    outdated_servers: Count = Field(
        description="the members' running servers that started under an older policy"
    )


class GpuDevice(Contract):
    """A GPU detected at start-up, which a policy may name by index or UUID."""

    index: Count
    uuid: str
    name: str
    memory_mib: Count


class GroupPolicies(Contract):
    """Every hub group with its policy, sorted by name, and what policies can give."""

    groups: list[GroupEntry]
    default_policy: GroupPolicy = Field(
        description="the policy of users in no group, and the values no group sets"
    )
    gpus: list[GpuDevice] = Field(description="the GPUs detected at start-up")
    gpus_available: bool = Field(description="servers get GPUs on this hub at all")


class PolicyUpdate(Contract):
    """A group's new policy, and the revision the editor read."""

    policy: GroupPolicy
    revision: Annotated[int, Field(ge=0), AS_WHOLE] | None = Field(
        default=None,
        description="the revision read (0: none was stored); 409 when it moved since. "
        "Left out, the policy is stored whatever changed in between",
    )


class PolicyDeleted(Contract):
    """Whether a group's stored policy was deleted."""

    group: str
    deleted: bool = Field(description="the group had a stored policy")


class OfferedProfile(Profile):
    """A profile the user may choose, and the group that offers it."""

    source: str = Field(description="the group that defines it, or (default policy)")


class EffectiveValues(Contract):
    """What the user's servers get, every group merged (secrets' values null)."""

    cpu_limit: float | None
    cpu_guarantee: float | None
    mem_limit: int | None
    mem_guarantee: int | None
    gpus: str | int | list[str] = Field(description='"none", "all", a count, or device ids')
    environment: list[EnvironmentVariable]
    profiles: list[OfferedProfile]
    default_profile: str | None
    docker_access: DockerAccess = Field(description="the Docker access that counts")
    max_servers: int | None
    volume_quota: int | None
    volume_warning_percent: int


class ServerPolicy(Contract):
    """A running server and the policy it started under."""

    name: str = Field(description='the server\'s name; "" for the default server')
    profile: str | None
    fingerprint: str
    outdated: bool = Field(description="the user's policy changed since; the next start applies it")


class UserPolicy(Contract):
    """A user's effective policy, where each value came from, and their running servers."""

    user: str
    groups: list[str] = Field(description="the user's groups with a policy, in rank order")
    policy: EffectiveValues
    sources: dict[str, str | list[str]] = Field(
        description="each field's group (or (default policy)); environment.NAME per variable"
    )
    fingerprint: str = Field(description="the digest of what a start applies now")
    servers: list[ServerPolicy]

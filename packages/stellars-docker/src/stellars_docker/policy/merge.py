"""One effective policy from a user's groups, and which group each value came from.

The rule, deterministic and documented in ``docs/operations.md``:

- **Groups that say nothing** about a field leave it to the others; a field
  no group sets comes from the platform's default policy (the settings).
  A user in no group with a policy gets the default policy alone.
- **Limits, guarantees, server cap and volume quota**: the most generous
  value any group sets (the largest). The quota's warning threshold comes
  with the quota, from the same group.
- **GPUs**: ``all`` when any group gives all; otherwise the union of the
  devices groups name, unless a group's count is larger than that union, in
  which case the count; ``none`` only when no group gives any.
- **Profiles**: the union; a profile name two groups define is taken from
  the group that ranks first. The default profile is the first-ranked
  group's choice, or else the first profile.
- **Environment variables**: per variable, from the group that ranks first.
- **Docker access**: the strongest of the grants that count (see
  :func:`effective_policy`'s *docker_trusted*).

Groups rank by ``priority``, highest first, then by name. Every value
carries its source: a group's name, or :data:`DEFAULT_SOURCE`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stellars_docker.policy.model import (
    ACCESS_ORDER,
    EMPTY_POLICY,
    DockerAccess,
    EnvironmentVariable,
    GroupPolicy,
    Profile,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

DEFAULT_SOURCE = "(default policy)"

# The fields taken as the largest value any group sets.
GENEROUS_FIELDS = (
    "cpu_limit",
    "cpu_guarantee",
    "mem_limit",
    "mem_guarantee",
    "max_servers",
    "volume_quota",
)
DEFAULT_WARNING_PERCENT = 90


@dataclass(frozen=True)
class GpuGrant:
    """The GPUs a server gets: ``all``, a count, specific devices, or none (all three empty)."""

    all: bool = False
    count: int = 0
    devices: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        """Whether any GPU is granted."""
        return self.all or self.count > 0 or bool(self.devices)

    def as_spec(self) -> str | int | tuple[str, ...]:
        """Return the grant as a policy's ``gpus`` value."""
        if self.all:
            return "all"
        if self.devices:
            return self.devices
        return self.count or "none"


NO_GPUS = GpuGrant()


def gpu_grant(spec: object) -> GpuGrant:
    """Return the grant a policy's ``gpus`` value means (None means none)."""
    if spec == "all":
        return GpuGrant(all=True)
    if isinstance(spec, int) and not isinstance(spec, bool):
        return GpuGrant(count=spec)
    if isinstance(spec, tuple | list):
        return GpuGrant(devices=tuple(spec))
    return NO_GPUS


def _union(grants: Iterable[GpuGrant]) -> GpuGrant:
    grants = list(grants)
    if any(grant.all for grant in grants):
        return GpuGrant(all=True)
    devices = tuple(dict.fromkeys(device for grant in grants for device in grant.devices))
    count = max((grant.count for grant in grants), default=0)
    if count > len(devices):
        return GpuGrant(count=count)
    return GpuGrant(devices=devices)


@dataclass(frozen=True)
class EffectiveProfile:
    """A profile a user may choose, and the group that defines it."""

    profile: Profile
    source: str


@dataclass(frozen=True)
class EffectivePolicy:
    """What a user's servers get, with the group each value came from.

    Attributes:
        groups: the user's groups that have a policy, in rank order.
        values: each resource and cap field that has a value (``cpu_limit``,
            ``mem_limit``, ``max_servers``, ``volume_quota``, ...).
        gpus: the GPUs granted.
        environment: each variable with its value (secrets included: this is
            what a spawn applies; `catalog.masked_environment` masks them).
        profiles: the profiles on offer, in rank order.
        default_profile: the name of the one offered first, or None.
        docker_access: the Docker access that counts.
        volume_warning_percent: the share of the quota that warns.
        sources: the source of each field that has a value (for
            ``environment``, one entry per variable: ``environment.NAME``).
    """

    groups: tuple[str, ...] = ()
    values: Mapping[str, float | int] = field(default_factory=dict)
    gpus: GpuGrant = NO_GPUS
    environment: Mapping[str, EnvironmentVariable] = field(default_factory=dict)
    profiles: tuple[EffectiveProfile, ...] = ()
    default_profile: str | None = None
    docker_access: DockerAccess = DockerAccess.NONE
    volume_warning_percent: int = DEFAULT_WARNING_PERCENT
    sources: Mapping[str, str | list[str]] = field(default_factory=dict)

    def profile(self, name: str) -> Profile | None:
        """Return the profile *name* on offer, or None."""
        for offered in self.profiles:
            if offered.profile.name == name:
                return offered.profile
        return None

    def fingerprint(self) -> str:
        """Return a digest of what a spawn applies: equal digests, equal servers.

        Secrets count through a digest of their value, so changing a secret
        marks running servers as started under an older policy.
        """
        document = {
            "values": dict(sorted(self.values.items())),
            "gpus": [self.gpus.all, self.gpus.count, list(self.gpus.devices)],
            "environment": sorted(
                (name, variable.value or "") for name, variable in self.environment.items()
            ),
            "profiles": [offered.profile.model_dump(mode="json") for offered in self.profiles],
            "docker_access": self.docker_access.value,
        }
        encoded = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]


def rank(policies: Mapping[str, GroupPolicy]) -> list[tuple[str, GroupPolicy]]:
    """Return *policies* (group name to policy) in rank order: priority high first, then name."""
    return sorted(policies.items(), key=lambda item: (-item[1].priority, item[0]))


def effective_policy(
    policies: Mapping[str, GroupPolicy],
    default: GroupPolicy = EMPTY_POLICY,
    *,
    docker_trusted: Collection[str] = (),
) -> EffectivePolicy:
    """Return the policy a user in groups with *policies* (name to policy) gets.

    *default* is the platform's default policy: the values no group sets.
    A group's ``docker_access`` counts only when its name is in
    *docker_trusted* (a full admin wrote the access and granted this
    user's membership: see :mod:`stellars_docker.policy.hook`); the default
    policy never grants Docker access.
    """
    ranked = rank(policies)
    # Lowest rank last: the default policy speaks only where no group does.
    with_default = [*ranked, (DEFAULT_SOURCE, default)]
    sources: dict[str, str | list[str]] = {}
    values = _generous(ranked, default, sources)
    warning = DEFAULT_WARNING_PERCENT
    if "volume_quota" in values:
        quota_source = str(sources["volume_quota"])
        quota_policy = default if quota_source == DEFAULT_SOURCE else policies[quota_source]
        warning = quota_policy.volume_warning_percent or DEFAULT_WARNING_PERCENT
    gpus, gpu_sources = _gpus(ranked, default)
    if gpu_sources:
        sources["gpus"] = gpu_sources
    environment: dict[str, EnvironmentVariable] = {}
    for group, policy in with_default:
        for variable in policy.environment:
            if variable.name not in environment:
                environment[variable.name] = variable
                sources[f"environment.{variable.name}"] = group
    profiles = _profiles(ranked, default)
    default_profile = None
    if profiles:
        sources["profiles"] = sorted({offered.source for offered in profiles.values()})
        chosen = [(g, p.default_profile) for g, p in with_default if p.default_profile in profiles]
        if chosen:
            sources["default_profile"], default_profile = chosen[0]
        else:
            default_profile = next(iter(profiles))
    trusted = [(group, policy) for group, policy in ranked if group in docker_trusted]
    access = DockerAccess.NONE
    for group, policy in trusted:
        granted = policy.docker_access or DockerAccess.NONE
        if ACCESS_ORDER.index(granted) > ACCESS_ORDER.index(access):
            access, sources["docker_access"] = granted, group
    return EffectivePolicy(
        groups=tuple(group for group, _ in ranked),
        values=values,
        gpus=gpus,
        environment=environment,
        profiles=tuple(profiles.values()),
        default_profile=default_profile,
        docker_access=access,
        volume_warning_percent=warning,
        sources=sources,
    )


def _generous(
    ranked: list[tuple[str, GroupPolicy]],
    default: GroupPolicy,
    sources: dict[str, str | list[str]],
) -> dict[str, float | int]:
    # The largest value a group sets, the first-ranked group's on a tie; else the default's.
    values: dict[str, float | int] = {}
    for name in GENEROUS_FIELDS:
        best: tuple[float | int, str] | None = None
        for group, policy in ranked:
            value = getattr(policy, name)
            if value is not None and (best is None or value > best[0]):
                best = (value, group)
        if best is None and getattr(default, name) is not None:
            best = (getattr(default, name), DEFAULT_SOURCE)
        if best is not None:
            values[name], sources[name] = best
    return values


def _profiles(
    ranked: list[tuple[str, GroupPolicy]], default: GroupPolicy
) -> dict[str, EffectiveProfile]:
    # The default policy's profiles are offered only when no group offers one.
    offering = [(group, policy) for group, policy in ranked if policy.profiles]
    profiles: dict[str, EffectiveProfile] = {}
    for group, policy in offering or [(DEFAULT_SOURCE, default)]:
        for profile in policy.profiles:
            profiles.setdefault(profile.name, EffectiveProfile(profile, group))
    return profiles


def _gpus(
    ranked: list[tuple[str, GroupPolicy]], default: GroupPolicy
) -> tuple[GpuGrant, list[str]]:
    setting = [(group, policy.gpus) for group, policy in ranked if policy.gpus is not None]
    if not setting:
        if default.gpus is None:
            return NO_GPUS, []
        return gpu_grant(default.gpus), [DEFAULT_SOURCE]
    grant = _union(gpu_grant(spec) for _, spec in setting)
    giving = [group for group, spec in setting if gpu_grant(spec).any]
    return grant, giving or [group for group, _ in setting]

"""The hub's groups with their policies, as the policy API and the Groups page show them.

- :func:`group_entries` / :func:`group_entry`: each hub group with its
  member count, its policy (secrets masked), who changed it, whether its
  Docker access counts, and how many of its members' servers run under an
  older policy than the one they would get now.
- :func:`server_states`: a user's running servers and whether each runs
  under their current policy.
- :func:`save_group_policy`: a policy checked against the hub (the group
  exists, a built-in group keeps its access, secrets kept) and the engine
  (GPU devices in the inventory, profile images present), then stored.

Database access stays on the caller's (the hub's loop) thread; the engine
is asked in a worker thread within the engine timeout.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import docker.errors
from jupyterhub import orm
from sqlalchemy import func, select

from stellars_docker.engine import call_engine
from stellars_docker.policy.model import DockerAccess
from stellars_docker.policy.store import (
    applied_policies,
    delete_policy,
    read_policies,
    read_policy,
    save_policy,
)
from stellars_docker.policy.users import (
    BUILTIN_ACCESS,
    builtin_access_problem,
    group_policy,
    user_policies,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

    from stellars_docker.gpu import Gpu
    from stellars_docker.grants import Granter
    from stellars_docker.policy.merge import EffectivePolicy
    from stellars_docker.policy.model import EnvironmentVariable, GroupPolicy
    from stellars_docker.policy.store import StoredPolicy
    from stellars_docker.policy.users import PolicySettings
    from stellars_docker.runtime import DockerRuntime


class UnknownGroupError(LookupError):
    """The hub has no group of that name."""

    def __init__(self, group: str) -> None:
        super().__init__(f"No such group: {group!r}.")
        self.group = group


class PolicyRejectedError(ValueError):
    """A policy the hub or the engine cannot honour; the message names each field at fault."""


@dataclass(frozen=True)
class GroupEntry:
    """A hub group and its policy, as answered (secrets masked).

    Attributes:
        name: the group's name.
        members: how many users it has.
        builtin: ``docker-sock`` or ``docker-privileged``, whose Docker access is fixed.
        policy: the group's policy (a built-in group's with its access); None
            for a group without one.
        revision: the stored revision, 0 when none is stored.
        updated_by: who stored it last, None when none is stored.
        updated_at: when, None when none is stored.
        docker_access_counts: the policy grants Docker access that a spawn
            honours (a built-in group, or one whose access a full admin
            wrote); memberships must still be granted by a full admin.
        outdated_servers: the members' running servers started under another
            policy than the one they would get now.
    """

    name: str
    members: int
    builtin: bool
    policy: GroupPolicy | None
    revision: int
    updated_by: str | None
    updated_at: datetime | None
    docker_access_counts: bool
    outdated_servers: int


@dataclass(frozen=True)
class ServerState:
    """A running server and the policy it started under.

    Attributes:
        user_id: its user's id.
        name: the server's name ("" for the default server).
        profile: the profile it started with, None for none.
        fingerprint: the fingerprint of the policy it started under.
        outdated: its user's policy has changed since (the next start applies it).
    """

    user_id: int
    name: str
    profile: str | None
    fingerprint: str
    outdated: bool


def masked_environment(policy: EffectivePolicy) -> tuple[EnvironmentVariable, ...]:
    """Return *policy*'s environment as an answer shows it: every secret's value removed."""
    return tuple(
        variable.model_copy(update={"value": None}) if variable.secret else variable
        for variable in policy.environment.values()
    )


def server_states(
    db: Session, settings: PolicySettings, users: Iterable[Any] | None = None
) -> list[ServerState]:
    """Return the running servers of *users* (every user's when None) that a policy started.

    Each user's current policy is read once; a server started before the
    policy layer (no record) is not listed.
    """
    query = (
        select(orm.Spawner.user_id, orm.Spawner.name)
        .where(orm.Spawner.server_id.is_not(None))
        .order_by(orm.Spawner.user_id, orm.Spawner.name)
    )
    by_id = None
    if users is not None:
        by_id = {user.id: user for user in users}
        query = query.where(orm.Spawner.user_id.in_(list(by_id)))
    applied = applied_policies(db)
    running = [
        (user_id, name or "", applied[user_id, name or ""])
        for user_id, name in db.execute(query)
        if (user_id, name or "") in applied
    ]
    ids = sorted({user_id for user_id, _, _ in running})
    owners = (
        [by_id[user_id] for user_id in ids]
        if by_id is not None
        else list(db.scalars(select(orm.User).where(orm.User.id.in_(ids))))
    )
    # Every running user's policy from one read of the policies, not one query each.
    current = {
        user_id: policy.fingerprint()
        for user_id, policy in user_policies(db, owners, settings).items()
    }
    states = []
    for user_id, name, record in running:
        states.append(
            ServerState(
                user_id=user_id,
                name=name,
                profile=record.profile,
                fingerprint=record.fingerprint,
                outdated=record.fingerprint != current[user_id],
            )
        )
    return states


def group_entries(db: Session, settings: PolicySettings) -> list[GroupEntry]:
    """Return every hub group with its policy, built-in groups included, sorted by name."""
    return _entries(db, settings, None)


def group_entry(db: Session, settings: PolicySettings, group: str) -> GroupEntry:
    """Return hub group *group* with its policy.

    Raises:
        UnknownGroupError: the hub has no such group.
    """
    entries = _entries(db, settings, group)
    if not entries:
        raise UnknownGroupError(group)
    return entries[0]


def _entries(db: Session, settings: PolicySettings, only: str | None) -> list[GroupEntry]:
    members = func.count(orm.user_group_map.c.user_id)
    query = (
        select(orm.Group.id, orm.Group.name, members)
        .outerjoin(orm.user_group_map, orm.user_group_map.c.group_id == orm.Group.id)
        .group_by(orm.Group.id, orm.Group.name)
        .order_by(orm.Group.name)
    )
    if only is not None:
        query = query.where(orm.Group.name == only)
    groups = list(db.execute(query))
    if not groups:
        return []
    stored = read_policies(db, None if only is None else [only])
    outdated = _outdated_by_group(db, settings, [group_id for group_id, _, _ in groups])
    return [
        _entry(name, count, stored.get(name), outdated.get(group_id, 0))
        for group_id, name, count in groups
    ]


def _outdated_by_group(
    db: Session, settings: PolicySettings, group_ids: list[int]
) -> dict[int, int]:
    # Only the servers that run under an older policy cost a membership lookup.
    outdated = [state for state in server_states(db, settings) if state.outdated]
    if not outdated:
        return {}
    per_user: dict[int, int] = {}
    for state in outdated:
        per_user[state.user_id] = per_user.get(state.user_id, 0) + 1
    memberships = db.execute(
        select(orm.user_group_map.c.group_id, orm.user_group_map.c.user_id).where(
            orm.user_group_map.c.user_id.in_(list(per_user)),
            orm.user_group_map.c.group_id.in_(group_ids),
        )
    )
    counts: dict[int, int] = {}
    for group_id, user_id in memberships:
        counts[group_id] = counts.get(group_id, 0) + per_user[user_id]
    return counts


def _entry(name: str, members: int, stored: StoredPolicy | None, outdated: int) -> GroupEntry:
    policy = group_policy(name, stored)
    builtin = name in BUILTIN_ACCESS
    grants = policy is not None and policy.docker_access not in (None, DockerAccess.NONE)
    counts = grants and (builtin or (stored is not None and stored.docker_access_by_full_admin))
    return GroupEntry(
        name=name,
        members=members,
        builtin=builtin,
        policy=policy.masked() if policy is not None else None,
        revision=stored.revision if stored else 0,
        updated_by=stored.updated_by if stored else None,
        updated_at=stored.updated_at if stored else None,
        docker_access_counts=bool(counts),
        outdated_servers=outdated,
    )


def device_problems(policy: GroupPolicy, inventory: Sequence[Gpu]) -> list[str]:
    """Return why each GPU device *policy* names (its own and its profiles') is not in *inventory*.

    A device is named by index or UUID as ``nvidia-smi`` reports it; a count
    or ``all`` needs no inventory. An empty list: every device is known.
    """
    known = {str(gpu.index) for gpu in inventory} | {gpu.uuid for gpu in inventory}
    offered = ", ".join(f"{gpu.index} ({gpu.uuid})" for gpu in inventory) or "none detected"
    named = [("gpus", policy.gpus)] + [
        (f"profiles.{index}.gpus", profile.gpus) for index, profile in enumerate(policy.profiles)
    ]
    problems = []
    for where, spec in named:
        if not isinstance(spec, tuple):
            continue
        unknown = [device for device in spec if device not in known]
        if unknown:
            problems.append(
                f"{where}: {', '.join(unknown)} is not a GPU of this hub (the inventory: {offered})"
            )
    return problems


async def image_problems(client: Any, policy: GroupPolicy, limit_s: float) -> list[str]:
    """Return why each profile's image cannot run: it is not on the engine (never pulled).

    Each distinct image is asked for once, in worker threads, within *limit_s*.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    images = list(dict.fromkeys(profile.image for profile in policy.profiles))

    async def present(image: str) -> bool:
        try:
            await call_engine(limit_s, client.images.get, image)
        except docker.errors.ImageNotFound:
            return False
        return True

    found = dict(zip(images, await asyncio.gather(*map(present, images)), strict=True))
    return [
        f"profiles.{index}.image: {profile.image} is not on the Docker engine (build or "
        "pull it there first)"
        for index, profile in enumerate(policy.profiles)
        if not found[profile.image]
    ]


async def save_group_policy(
    db: Session,
    group: str,
    policy: GroupPolicy,
    *,
    runtime: DockerRuntime | None,
    by: Granter,
    expected_revision: int | None = None,
) -> StoredPolicy:
    """Check *policy* for hub group *group* against the hub and the engine, then store it.

    *runtime* gives the GPU inventory and the engine that profile images
    must be on; None on a hub whose servers are not containers (nothing to
    check images against: the caller refuses profiles there). *by* is who
    writes: the Docker access counts only when a full admin does. A secret
    sent with a null value keeps the stored one. Nothing is stored unless
    every check passes.

    Raises:
        UnknownGroupError: the hub has no such group.
        PolicyRejectedError: a built-in group's access changed, a kept
            secret has no stored value, a GPU device is not in the inventory,
            or a profile's image is not on the engine (all named at once).
        RevisionConflictError: *expected_revision* is not the stored one.
        DockerUnavailableError: the engine did not answer.
    """
    if db.scalar(select(orm.Group.id).where(orm.Group.name == group)) is None:
        raise UnknownGroupError(group)
    stored = read_policy(db, group)
    problems = []
    builtin = builtin_access_problem(group, policy)
    if builtin is not None:
        problems.append(builtin)
    try:
        policy = policy.with_secrets_from(stored.policy if stored else None)
    except ValueError as error:
        problems.append(str(error))
    problems += device_problems(policy, runtime.gpu.gpus if runtime is not None else ())
    if policy.profiles and runtime is not None:
        problems += await image_problems(runtime.client, policy, runtime.settings.engine_timeout_s)
    if problems:
        raise PolicyRejectedError("; ".join(problems))
    return save_policy(
        db,
        group,
        policy,
        by=by.name,
        by_full_admin=by.full_admin,
        expected_revision=expected_revision,
    )


def delete_group_policy(db: Session, group: str) -> bool:
    """Delete hub group *group*'s stored policy; return whether it had one.

    A built-in group keeps its fixed Docker access.

    Raises:
        UnknownGroupError: the hub has no such group.
    """
    if db.scalar(select(orm.Group.id).where(orm.Group.name == group)) is None:
        raise UnknownGroupError(group)
    return delete_policy(db, group)

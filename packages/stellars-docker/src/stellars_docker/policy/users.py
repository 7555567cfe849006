"""A user's effective policy, read fresh from the hub's database.

The built-in groups are policies too: ``docker-sock`` gives the socket,
``docker-privileged`` a privileged container, whatever else an admin stores
for them. A group's Docker access counts for a user only when a full admin
both wrote the access (built-in groups: the platform did) and granted the
user's membership (:mod:`stellars_docker.grants` records who did).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from stellars_docker.grants import (
    DOCKER_PRIVILEGED_GROUP,
    DOCKER_SOCK_GROUP,
    DockerGrant,
    honoured_groups,
)
from stellars_docker.policy.merge import EffectivePolicy, effective_policy
from stellars_docker.policy.model import EMPTY_POLICY, DockerAccess, GroupPolicy
from stellars_docker.policy.store import StoredPolicy, member_policies, read_policies

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# What each built-in group is, as a policy: its Docker access cannot be changed.
BUILTIN_ACCESS: Mapping[str, DockerAccess] = {
    DOCKER_SOCK_GROUP: DockerAccess.SOCKET,
    DOCKER_PRIVILEGED_GROUP: DockerAccess.PRIVILEGED,
}


@dataclass(frozen=True)
class PolicySettings:
    """The platform's side of every policy.

    Attributes:
        default: the policy of a user in no group, and the values no group sets.
        refuse_over_quota: a server whose user's volumes hold more than the
            quota does not start.
    """

    default: GroupPolicy = EMPTY_POLICY
    refuse_over_quota: bool = False


def group_policy(name: str, stored: StoredPolicy | None) -> GroupPolicy | None:
    """Return the policy group *name* has: the stored one, with a built-in group's access.

    None for a group that is neither built in nor has a stored policy.
    """
    access = BUILTIN_ACCESS.get(name)
    if access is None:
        return stored.policy if stored else None
    policy = stored.policy if stored else EMPTY_POLICY
    return policy.model_copy(update={"docker_access": access})


def builtin_access_problem(name: str, policy: GroupPolicy) -> str | None:
    """Return why *policy* cannot be group *name*'s (a built-in group's access changed), or None."""
    access = BUILTIN_ACCESS.get(name)
    if access is None or policy.docker_access in (None, access):
        return None
    return (
        f"docker_access: {name} is a built-in group whose access is {access.value!r}; "
        "leave it out or give that value"
    )


def _asks_for_access(name: str, policy: GroupPolicy, stored: StoredPolicy | None) -> bool:
    # A group's Docker access is worth a membership check only when it grants
    # some and the platform (built-in groups) or a full admin wrote it.
    if policy.docker_access in (None, DockerAccess.NONE):
        return False
    return name in BUILTIN_ACCESS or (stored is not None and stored.docker_access_by_full_admin)


def user_policy(db: Session, user: Any, settings: PolicySettings) -> EffectivePolicy:
    """Return the effective policy of the hub's *user* (an ORM user, or JupyterHub's wrapper).

    Reads the user's groups and their policies now: a policy changed a
    moment ago counts.
    """
    stored = member_policies(db, user.id)
    policies = _policies(stored, stored)
    wants_access = []
    for name, policy in policies.items():
        if _asks_for_access(name, policy, stored[name]):
            wants_access.append(name)
        elif policy.docker_access not in (None, DockerAccess.NONE):
            log.warning(
                "The policy of %s grants Docker access, but no full admin wrote it: ignored "
                "for %s at this spawn. A full admin saves the policy to grant it.",
                name,
                user.name,
            )
    # Logs each membership it ignores and why (who granted it, and the fix).
    trusted = (
        honoured_groups(db, user, wants_access, access_groups=wants_access)
        if wants_access
        else set()
    )
    return effective_policy(policies, settings.default, docker_trusted=trusted)


def user_policies(
    db: Session, users: Iterable[Any], settings: PolicySettings
) -> dict[int, EffectivePolicy]:
    """Return the effective policy of each of the hub's *users*, by user id.

    The same as :func:`user_policy` for each, from two reads in all (every
    group's policy, and the full admins' grants of the users' groups), so a
    page of 500 users costs what one of a few does. Logs nothing: what a
    spawn would ignore, the spawn logs.
    """
    users = list(users)
    stored = read_policies(db)
    memberships = {user.id: [group.name for group in user.groups] for user in users}
    policies = {user_id: _policies(names, stored) for user_id, names in memberships.items()}
    asked = {
        (user_id, name)
        for user_id, mine in policies.items()
        for name, policy in mine.items()
        if _asks_for_access(name, policy, stored.get(name))
    }
    trusted: dict[int, set[str]] = {user_id: set() for user_id in memberships}
    if asked:
        rows = db.execute(
            select(DockerGrant.user_id, DockerGrant.group).where(
                DockerGrant.user_id.in_({user_id for user_id, _ in asked}),
                DockerGrant.group.in_({name for _, name in asked}),
                DockerGrant.by_full_admin.is_(True),
            )
        )
        for user_id, name in rows:
            if (user_id, name) in asked:
                trusted[user_id].add(name)
    return {
        user_id: effective_policy(mine, settings.default, docker_trusted=trusted[user_id])
        for user_id, mine in policies.items()
    }


def _policies(
    names: Iterable[str], stored: Mapping[str, StoredPolicy | None]
) -> dict[str, GroupPolicy]:
    # The policies of the groups *names* that have one (built-in groups always do).
    policies = {}
    for name in names:
        policy = group_policy(name, stored.get(name))
        if policy is not None:
            policies[name] = policy
    return policies

"""Where group policies live: three tables in the hub's database.

- ``stellars_group_policies``: one row per group that has a policy, the
  policy as JSON (secrets included: the hub's database already holds every
  token and password hash), a revision counted up at every change, who
  changed it and when, and whether a full admin wrote its Docker access.
- ``stellars_server_policies``: for each server started, the fingerprint of
  the effective policy it started under and the profile chosen, so pages can
  mark servers that run under an older policy.
- ``stellars_quota_notices``: for each user told their volumes crossed the
  quota's warning threshold or the quota, the level they were told of, so
  a hub restart or the next size refresh does not tell them again.

A group's policy goes with the group: an ORM listener deletes the row in the
hub's own delete transaction, so a group created later under the same name
starts without it (never with an old Docker grant).

Every function takes the caller's session or connection on the hub's loop
thread, like JupyterHub's own ORM access; only :func:`save_policy` and
:func:`delete_policy` commit, as one API request's change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jupyterhub import orm
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    event,
    insert,
    select,
    update,
)

from stellars_core import UTCDateTime
from stellars_docker.policy.model import GroupPolicy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

_METADATA = MetaData()

GROUP_POLICIES = Table(
    "stellars_group_policies",
    _METADATA,
    Column("group", String(255), primary_key=True),
    Column("policy", Text(), nullable=False),
    Column("revision", Integer(), nullable=False),
    Column("updated_by", String(255), nullable=False),
    Column("docker_access_by_full_admin", Boolean(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

SERVER_POLICIES = Table(
    "stellars_server_policies",
    _METADATA,
    Column("user_id", Integer(), primary_key=True),
    Column("server", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("profile", String(63), nullable=True),
    Column("applied_at", UTCDateTime(), nullable=False),
)

QUOTA_NOTICES = Table(
    "stellars_quota_notices",
    _METADATA,
    Column("user_id", Integer(), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("noticed_at", UTCDateTime(), nullable=False),
)

TABLES = (GROUP_POLICIES, SERVER_POLICIES, QUOTA_NOTICES)


@dataclass(frozen=True)
class StoredPolicy:
    """A group's policy as stored, with its revision and who wrote it."""

    group: str
    policy: GroupPolicy
    revision: int
    updated_by: str
    docker_access_by_full_admin: bool
    updated_at: datetime


@dataclass(frozen=True)
class AppliedPolicy:
    """What a server started under: the effective policy's fingerprint and the profile."""

    fingerprint: str
    profile: str | None
    applied_at: datetime


@functools.lru_cache(maxsize=4096)
def parse_stored(text: str) -> GroupPolicy:
    """Return the policy stored as *text* (JSON); the same text is parsed once.

    Every spawn reads the policies of the user's groups; they change rarely,
    and the model is frozen, so one parsed object serves every reader.
    """
    return GroupPolicy.model_validate_json(text, strict=False)


def _stored(row: Any) -> StoredPolicy:
    return StoredPolicy(
        group=row.group,
        policy=parse_stored(row.policy),
        revision=row.revision,
        updated_by=row.updated_by,
        docker_access_by_full_admin=row.docker_access_by_full_admin,
        updated_at=row.updated_at,
    )


def read_policy(db: Session | Connection, group: str) -> StoredPolicy | None:
    """Return *group*'s stored policy, or None when it has none."""
    row = db.execute(select(GROUP_POLICIES).where(GROUP_POLICIES.c.group == group)).first()
    return None if row is None else _stored(row)


def read_policies(
    db: Session | Connection, groups: Iterable[str] | None = None
) -> dict[str, StoredPolicy]:
    """Return the stored policies of *groups* (every group's when None), by group name."""
    query = select(GROUP_POLICIES)
    if groups is not None:
        query = query.where(GROUP_POLICIES.c.group.in_(list(groups)))
    return {row.group: _stored(row) for row in db.execute(query)}


def member_policies(db: Session | Connection, user_id: int) -> dict[str, StoredPolicy | None]:
    """Return every group of *user_id* with its stored policy (None: it has none), by name.

    One query, joining JupyterHub's membership table: a spawn reads this for
    every start, so it does not load the user's groups as ORM objects.
    """
    membership = orm.user_group_map
    query = (
        select(orm.Group.name.label("member_of"), GROUP_POLICIES)
        .select_from(membership)
        .join(orm.Group, orm.Group.id == membership.c.group_id)
        .outerjoin(GROUP_POLICIES, GROUP_POLICIES.c.group == orm.Group.name)
        .where(membership.c.user_id == user_id)
    )
    return {
        row.member_of: None if row.policy is None else _stored(row) for row in db.execute(query)
    }


def save_policy(
    db: Session,
    group: str,
    policy: GroupPolicy,
    *,
    by: str,
    by_full_admin: bool,
    expected_revision: int | None = None,
) -> StoredPolicy:
    """Store *policy* as *group*'s, written by *by*; commit; return the stored row.

    The Docker access counts only when a full admin wrote it: a policy saved
    by anyone else keeps the flag only if the access is unchanged.

    Raises:
        RevisionConflictError: *expected_revision* is given and the stored
            revision is another (someone saved in between); nothing changes.
    """
    now = datetime.now(UTC)
    stored = read_policy(db, group)
    if expected_revision is not None and (stored.revision if stored else 0) != expected_revision:
        raise RevisionConflictError(group, stored.revision if stored else 0, expected_revision)
    same_access = stored is not None and stored.policy.docker_access == policy.docker_access
    trusted = by_full_admin or (
        same_access and stored is not None and stored.docker_access_by_full_admin
    )
    values = {
        "policy": policy.model_dump_json(exclude_defaults=True),
        "updated_by": by,
        "docker_access_by_full_admin": trusted,
        "updated_at": now,
    }
    if stored is None:
        db.execute(insert(GROUP_POLICIES).values(group=group, revision=1, **values))
    else:
        db.execute(
            update(GROUP_POLICIES)
            .where(GROUP_POLICIES.c.group == group)
            .values(revision=stored.revision + 1, **values)
        )
    db.commit()
    saved = read_policy(db, group)
    assert saved is not None
    return saved


def delete_policy(db: Session, group: str) -> bool:
    """Delete *group*'s policy and commit; return whether it had one."""
    existed = read_policy(db, group) is not None
    db.execute(delete(GROUP_POLICIES).where(GROUP_POLICIES.c.group == group))
    db.commit()
    return existed


class RevisionConflictError(Exception):
    """The policy changed since the revision the writer read."""

    def __init__(self, group: str, stored: int, expected: int) -> None:
        super().__init__(
            f"the policy of {group!r} is at revision {stored}, not {expected}: someone "
            "changed it since you read it; reload it and apply your change again"
        )
        self.group, self.stored, self.expected = group, stored, expected


def record_applied(
    db: Session, user_id: int, server: str, fingerprint: str, profile: str | None
) -> None:
    """Record that *user_id*'s *server* starts under *fingerprint* with *profile*; no commit.

    JupyterHub commits it with the spawn's own state.
    """
    db.execute(
        delete(SERVER_POLICIES).where(
            SERVER_POLICIES.c.user_id == user_id, SERVER_POLICIES.c.server == server
        )
    )
    db.execute(
        insert(SERVER_POLICIES).values(
            user_id=user_id,
            server=server,
            fingerprint=fingerprint,
            profile=profile,
            applied_at=datetime.now(UTC),
        )
    )


def applied_policies(db: Session | Connection) -> dict[tuple[int, str], AppliedPolicy]:
    """Return what each server started under, by (user id, server name)."""
    return {
        (row.user_id, row.server): AppliedPolicy(row.fingerprint, row.profile, row.applied_at)
        for row in db.execute(select(SERVER_POLICIES))
    }


def _forget_group(_mapper: Any, connection: Connection, target: Any) -> None:
    connection.execute(delete(GROUP_POLICIES).where(GROUP_POLICIES.c.group == target.name))


def _forget_user(_mapper: Any, connection: Connection, target: Any) -> None:
    # A later account may get the same id (SQLite reuses them): it starts with nothing.
    connection.execute(delete(SERVER_POLICIES).where(SERVER_POLICIES.c.user_id == target.id))
    connection.execute(delete(QUOTA_NOTICES).where(QUOTA_NOTICES.c.user_id == target.id))


def register_policy_lifecycle() -> Callable[[], None]:
    """Delete a group's policy with the group, and a user's records with the user.

    Returns a function that removes the listeners again (for tests).
    """
    hooks = ((orm.Group, _forget_group), (orm.User, _forget_user))
    for target, listener in hooks:
        if not event.contains(target, "after_delete", listener):
            event.listen(target, "after_delete", listener)

    def uninstall() -> None:
        for target, listener in hooks:
            if event.contains(target, "after_delete", listener):
                event.remove(target, "after_delete", listener)

    return uninstall

"""Who granted each membership of the Docker-access groups, and which ones a spawn honours.

Membership of ``docker-sock`` or ``docker-privileged`` is root on the host,
yet JupyterHub lets a token holding only ``groups!group=docker-sock`` or
``admin:groups!group=docker-privileged`` add anyone to them. So membership
alone grants nothing: a spawn honours it only when a **full admin** granted
it (see :func:`is_full_admin`), and this module records, for every
membership of those groups, who granted it, whether they were a full admin,
and when.

Recording runs in the hub's own transaction: :class:`GrantRecorder`
installs SQLAlchemy listeners on ``orm.Group.users`` (append and remove,
backref and bulk replacement included) that queue each change in the hub
session, and writes the queue through the flush's connection once the new
rows have their ids. Who acts is read from :data:`ACTING_GRANTER`, which the
hub's API handlers set per request (:mod:`stellars_docker.granters`). A
change with no granter in context while the hub loads its configuration
(``c.JupyterHub.load_groups``) counts as the operator's; any other change
without one (an authenticator managing groups at login, a script writing to
the database) is recorded as by an unknown principal, and not honoured.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jupyterhub import orm
from sqlalchemy import (
    Boolean,
    Integer,
    String,
    delete,
    event,
    insert,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, object_session

from stellars_core import UTCDateTime

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping

    from sqlalchemy import Connection

log = logging.getLogger(__name__)

DOCKER_SOCK_GROUP = "docker-sock"
DOCKER_PRIVILEGED_GROUP = "docker-privileged"
BUILTIN_GROUPS = (DOCKER_SOCK_GROUP, DOCKER_PRIVILEGED_GROUP)
# What membership of each group gives a lab container, in words for people.
WHAT_EACH_GROUP_GIVES = {
    DOCKER_SOCK_GROUP: "the Docker engine's socket mounted in the lab (root on the host)",
    DOCKER_PRIVILEGED_GROUP: "a privileged lab container (root on the host)",
}

# The scopes, unfiltered, that make a caller a full admin: what JupyterHub's
# admin role holds over users and groups. A filtered form
# (admin:groups!group=docker-sock) or one of the two alone is not enough.
FULL_ADMIN_SCOPES = frozenset({"admin:users", "admin:groups"})
CONFIGURATION = "configuration (c.JupyterHub.load_groups)"
UNKNOWN = "unknown (no authenticated request)"


@dataclass(frozen=True)
class Granter:
    """Who changes a membership: a user's or service's name, and whether a full admin."""

    name: str
    full_admin: bool


# Set per request by the hub's API handlers; each request runs in its own task,
# so one request's granter is never seen by another.
ACTING_GRANTER: ContextVar[Granter | None] = ContextVar("stellars_acting_granter", default=None)


def is_full_admin(scopes: Collection[str]) -> bool:
    """Return whether expanded *scopes* hold every one of :data:`FULL_ADMIN_SCOPES` unfiltered."""
    return set(scopes) >= FULL_ADMIN_SCOPES


class _Base(DeclarativeBase):
    pass


class DockerGrant(_Base):
    """One membership of a Docker-access group, and who granted it when."""

    __tablename__ = "stellars_docker_grants"

    group: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The name at the time of the grant, for the record; the rule goes by user_id.
    username: Mapped[str] = mapped_column(String(255))
    granted_by: Mapped[str] = mapped_column(String(255))
    by_full_admin: Mapped[bool] = mapped_column(Boolean)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


# What a full admin does to make an ignored membership count.
REGRANT = (
    "A full admin re-grants it: remove {username} from {group} and add them again "
    "(admin page, Manage Groups, or the REST API with an admin's token)."
)


@dataclass(frozen=True)
class GrantRecord:
    """A membership of a Docker-access group as the admin page lists it."""

    group: str
    username: str
    granted_by: str | None  # None: no record (made before grants were recorded)
    by_full_admin: bool
    granted_at: datetime | None

    @property
    def counts_at_spawn(self) -> bool:
        """Return whether a spawn honours this membership: a full admin's record exists."""
        return self.by_full_admin

    @property
    def ignored_because(self) -> str | None:
        """Return why a spawn ignores this membership, None when it counts."""
        if self.counts_at_spawn:
            return None
        if self.granted_by is None:
            return (
                "no recorded grant: the membership was made before grants were recorded, "
                "or outside the hub's API"
            )
        return f"granted by {self.granted_by}, who is not a full admin"

    @property
    def fix(self) -> str | None:
        """Return what makes an ignored membership count, None when it counts already."""
        if self.counts_at_spawn:
            return None
        return REGRANT.format(username=self.username, group=self.group)


@dataclass(frozen=True)
class _Change:
    added: bool
    group: str
    user: Any
    granter: Granter
    at: datetime


class GrantRecorder:
    """Record who grants each membership of *groups*, in the hub's own transactions.

    With *groups* None every group's memberships are recorded: any group's
    policy may grant Docker access (see ``stellars_docker.policy``).
    """

    def __init__(self, groups: Iterable[str] | None = BUILTIN_GROUPS) -> None:
        self.groups = None if groups is None else frozenset(groups)
        # True while the hub loads its configuration: changes then are the operator's.
        self.loading_configuration = True
        self._hooks: list[tuple[Any, str, Callable[..., None]]] = [
            (orm.Group.users, "append", self._appended),
            (orm.Group.users, "remove", self._removed),
            (orm.Group, "after_delete", self._group_deleted),
            (orm.User, "after_delete", self._user_deleted),
            (Session, "after_flush", self._after_flush),
        ]

    def install(self) -> None:
        """Start listening; a second call does nothing."""
        for target, name, listener in self._hooks:
            if not event.contains(target, name, listener):
                event.listen(target, name, listener)

    def uninstall(self) -> None:
        """Stop listening; a second call does nothing."""
        for target, name, listener in self._hooks:
            if event.contains(target, name, listener):
                event.remove(target, name, listener)

    def _granter(self) -> Granter:
        acting = ACTING_GRANTER.get()
        if acting is not None:
            return acting
        if self.loading_configuration:
            return Granter(CONFIGURATION, full_admin=True)
        return Granter(UNKNOWN, full_admin=False)

    def _records(self, group: str) -> bool:
        return self.groups is None or group in self.groups

    def _queue(self, group: Any, user: Any, *, added: bool) -> None:
        if not self._records(group.name):
            return
        session = object_session(group) or object_session(user)
        change = _Change(added, group.name, user, self._granter(), datetime.now(UTC))
        if session is None:
            # Nothing to write through; without a record the membership is not honoured.
            log.warning("membership change of %s in %s not recorded", user.name, group.name)
            return
        session.info.setdefault(self, []).append(change)

    def _appended(self, group: Any, user: Any, _initiator: Any) -> None:
        self._queue(group, user, added=True)

    def _removed(self, group: Any, user: Any, _initiator: Any) -> None:
        self._queue(group, user, added=False)

    def _after_flush(self, session: Session, _context: Any) -> None:
        changes: list[_Change] = session.info.pop(self, [])
        if not changes:
            return
        connection = session.connection()
        for change in changes:
            if change.user.id is None:  # never flushed: the membership went with it
                continue
            _forget(connection, group=change.group, user_id=change.user.id)
            if change.added:
                connection.execute(
                    insert(DockerGrant).values(
                        group=change.group,
                        user_id=change.user.id,
                        username=change.user.name,
                        granted_by=change.granter.name,
                        by_full_admin=change.granter.full_admin,
                        granted_at=change.at,
                    )
                )
                _log_grant(change)

    def _group_deleted(self, _mapper: Any, connection: Connection, target: Any) -> None:
        if self._records(target.name):
            _forget(connection, group=target.name)

    def _user_deleted(self, _mapper: Any, connection: Connection, target: Any) -> None:
        # A later account may get the same id (SQLite reuses the highest one).
        _forget(connection, user_id=target.id)


def _forget(
    connection: Connection, *, group: str | None = None, user_id: int | None = None
) -> None:
    statement = delete(DockerGrant)
    if group is not None:
        statement = statement.where(DockerGrant.group == group)
    if user_id is not None:
        statement = statement.where(DockerGrant.user_id == user_id)
    connection.execute(statement)


def _log_grant(change: _Change) -> None:
    if change.granter.full_admin:
        log.info(
            "%s added to %s (root on the host) by %s, a full admin",
            change.user.name,
            change.group,
            change.granter.name,
        )
    else:
        log.warning(
            "%s added to %s by %s, who is not a full admin: the membership is ignored at "
            "spawn until a full admin grants it",
            change.user.name,
            change.group,
            change.granter.name,
        )


def record_configured_members(session: Session, members: Mapping[str, Iterable[str]]) -> int:
    """Record members the operator listed in ``load_groups`` as granted by the configuration.

    JupyterHub adds a listed member only when missing, so a member who was in
    the group before grants were recorded would otherwise stay unrecorded.
    Members who already hold a full admin's record keep it. Commits; returns
    how many records were written.
    """
    written = 0
    for group_name, usernames in members.items():
        group = session.query(orm.Group).filter_by(name=group_name).one_or_none()
        if group is None:
            continue
        listed = set(usernames)
        for user in group.users:
            if user.name not in listed:
                continue
            current = session.get(DockerGrant, (group_name, user.id))
            if current is not None and current.by_full_admin:
                continue
            if current is not None:
                session.delete(current)
                session.flush()
            session.add(
                DockerGrant(
                    group=group_name,
                    user_id=user.id,
                    username=user.name,
                    granted_by=CONFIGURATION,
                    by_full_admin=True,
                    granted_at=datetime.now(UTC),
                )
            )
            written += 1
    session.commit()
    return written


def honoured_groups(
    session: Session,
    user: Any,
    group_names: Iterable[str],
    *,
    access_groups: Collection[str] = BUILTIN_GROUPS,
) -> set[str]:
    """Return those of *user*'s *group_names* a spawn honours; log why each other one is not.

    A group of *access_groups* (those that grant Docker access: the built-in
    ones, or any whose policy grants it) is honoured only with a full admin's
    record for this user; any other group passes through unchanged.
    """
    names = set(group_names)
    records = {
        grant.group: grant
        for grant in session.scalars(
            select(DockerGrant).where(DockerGrant.user_id == user.id, DockerGrant.group.in_(names))
        )
    }
    honoured = set()
    for name in names:
        record = records.get(name)
        if name not in access_groups or (record is not None and record.by_full_admin):
            honoured.add(name)
        elif record is None:
            log.warning(
                "%s is in %s without a recorded grant (made before grants were recorded, "
                "or outside the hub's API): ignored at this spawn. A full admin re-grants it "
                "by removing %s from the group and adding them again.",
                user.name,
                name,
                user.name,
            )
        else:
            log.warning(
                "%s is in %s by %s, who is not a full admin: ignored at this spawn. A full "
                "admin re-grants it by removing %s from the group and adding them again.",
                user.name,
                name,
                record.granted_by,
                user.name,
            )
    return honoured


def list_grants(session: Session) -> list[GrantRecord]:
    """Return every membership of the Docker-access groups with its record, by group and name."""
    records = {
        (grant.group, grant.user_id): grant for grant in session.scalars(select(DockerGrant))
    }
    found = []
    for group in session.query(orm.Group).filter(orm.Group.name.in_(BUILTIN_GROUPS)):
        for user in group.users:
            record = records.get((group.name, user.id))
            found.append(
                GrantRecord(
                    group=group.name,
                    username=user.name,
                    granted_by=record.granted_by if record else None,
                    by_full_admin=bool(record and record.by_full_admin),
                    granted_at=record.granted_at if record else None,
                )
            )
    return sorted(found, key=lambda record: (record.group, record.username))


def grants_by_group(session: Session) -> dict[str, list[GrantRecord]]:
    """Return each Docker-access group's memberships with their records, by name.

    Every group of :data:`BUILTIN_GROUPS` is a key, in that order, also one
    that has no member or does not exist in the hub (no member either).
    """
    grouped: dict[str, list[GrantRecord]] = {name: [] for name in BUILTIN_GROUPS}
    for record in list_grants(session):
        grouped[record.group].append(record)
    return grouped

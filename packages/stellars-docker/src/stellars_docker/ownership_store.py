"""Who owns a volume when its labels cannot say, and which accounts were deleted.

Two small tables in the hub's database, under our own MetaData (the hub's
schema stays its own):

- ``stellars_volume_owners``: a volume's owner recorded by the platform.
  ``adopted`` for a volume that predates the owner labels (it goes to the
  account of its name that exists when the platform first sees it);
  ``assigned`` when an admin gives an archived volume to an account. An
  assignment overrides the labels, which Docker cannot change. ``created``
  for a volume the hub made where labels cannot go: a directory on storage
  every swarm node shares (:mod:`stellars_docker.swarm.storage`).
- ``stellars_deleted_accounts``: every account the hub deleted, by its stable
  identity, with its name and when. Written by an ORM listener in the hub's
  own delete transaction, so a core ``DELETE /hub/api/users/{name}`` records
  it too; a volume whose owner is here is archived.

An account's identity is its user id and creation time: SQLite can give a new
account the id of a deleted one, never the same creation time as well.

Every function takes the caller's session or connection and runs on the
hub's loop thread, like JupyterHub's own ORM access; none commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from jupyterhub import orm
from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    delete,
    event,
    insert,
    select,
)

from stellars_core import UTCDateTime

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    Database = Session | Connection

Reason = Literal["adopted", "assigned", "created"]
ADOPTED: Reason = "adopted"
ASSIGNED: Reason = "assigned"
# Made by the hub for the account, where a volume cannot carry labels (a
# directory on storage every swarm node shares).
CREATED: Reason = "created"

NAME_LENGTH = 255
IDENTITY_LENGTH = 64

_METADATA = MetaData()

VOLUME_OWNERS = Table(
    "stellars_volume_owners",
    _METADATA,
    Column("volume", String(NAME_LENGTH), primary_key=True),
    Column("owner", String(IDENTITY_LENGTH), nullable=False),
    Column("owner_name", String(NAME_LENGTH), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

DELETED_ACCOUNTS = Table(
    "stellars_deleted_accounts",
    _METADATA,
    Column("identity", String(IDENTITY_LENGTH), primary_key=True),
    Column("name", String(NAME_LENGTH), nullable=False, index=True),
    Column("deleted_at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True)
class Account:
    """An account as volume ownership knows it: stable identity and name."""

    identity: str
    name: str


@dataclass(frozen=True)
class OwnerRecord:
    """A row of ``stellars_volume_owners``."""

    volume: str
    owner: Account
    reason: Reason
    recorded_at: datetime


@dataclass(frozen=True)
class DeletedAccount:
    """A row of ``stellars_deleted_accounts`` (``deleted_at`` aware UTC)."""

    account: Account
    deleted_at: datetime


def identity_of(user_id: int, created: datetime | None) -> str:
    """Return the stable identity of the account with *user_id* created at *created*."""
    if created is None:
        return f"{user_id}-unknown"
    if created.tzinfo is not None:
        created = created.astimezone(UTC).replace(tzinfo=None)
    return f"{user_id}-{created:%Y%m%dT%H%M%S%f}"


def account_of(db: Database, user_id: int) -> Account:
    """Return the account of hub user *user_id*, its creation time read from the database.

    Read from the database, not from the ORM object, so that the identity is
    the same before and after a hub restart whatever the driver did to the
    time zone of the value it was given.

    Raises:
        sqlalchemy.exc.NoResultFound: there is no such user.
    """
    row = db.execute(select(orm.User.name, orm.User.created).where(orm.User.id == user_id)).one()
    return Account(identity_of(user_id, row.created), row.name)


def existing_accounts(db: Database) -> dict[str, Account]:
    """Return every hub account, by identity."""
    rows = db.execute(select(orm.User.id, orm.User.name, orm.User.created)).all()
    accounts = (Account(identity_of(row.id, row.created), row.name) for row in rows)
    return {account.identity: account for account in accounts}


def owner_record(db: Database, volume: str) -> OwnerRecord | None:
    """Return the recorded owner of *volume*, or None."""
    row = db.execute(select(VOLUME_OWNERS).where(VOLUME_OWNERS.c.volume == volume)).first()
    if row is None:
        return None
    return OwnerRecord(row.volume, Account(row.owner, row.owner_name), row.reason, row.recorded_at)


def assigned_to(db: Database, account: Account, volume: str) -> bool:
    """Return whether an admin assigned *volume* to *account* from the archive."""
    record = owner_record(db, volume)
    return (
        record is not None
        and record.reason == ASSIGNED
        and record.owner.identity == account.identity
    )


def owner_records(db: Database) -> dict[str, OwnerRecord]:
    """Return every recorded owner, by volume name."""
    rows = db.execute(select(VOLUME_OWNERS)).all()
    return {
        row.volume: OwnerRecord(
            row.volume, Account(row.owner, row.owner_name), row.reason, row.recorded_at
        )
        for row in rows
    }


def record_owner(db: Database, volume: str, owner: Account, reason: Reason) -> None:
    """Record *owner* as the owner of *volume*, replacing any earlier record."""
    db.execute(delete(VOLUME_OWNERS).where(VOLUME_OWNERS.c.volume == volume))
    db.execute(
        insert(VOLUME_OWNERS).values(
            volume=volume,
            owner=owner.identity,
            owner_name=owner.name,
            reason=reason,
            recorded_at=datetime.now(UTC),
        )
    )


def forget_volume(db: Database, volume: str) -> None:
    """Drop the recorded owner of *volume* (it was removed, or is made anew with labels)."""
    db.execute(delete(VOLUME_OWNERS).where(VOLUME_OWNERS.c.volume == volume))


def deleted_accounts(db: Database) -> dict[str, DeletedAccount]:
    """Return every deleted account, by identity."""
    rows = db.execute(select(DELETED_ACCOUNTS)).all()
    return {
        row.identity: DeletedAccount(Account(row.identity, row.name), row.deleted_at)
        for row in rows
    }


def last_deleted_named(db: Database, name: str) -> DeletedAccount | None:
    """Return the most recently deleted account called *name*, or None."""
    row = db.execute(
        select(DELETED_ACCOUNTS)
        .where(DELETED_ACCOUNTS.c.name == name)
        .order_by(DELETED_ACCOUNTS.c.deleted_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return DeletedAccount(Account(row.identity, row.name), row.deleted_at)


def _record_deleted_account(_mapper: Any, connection: Connection, target: Any) -> None:
    # before_delete: the user's row is still there to read its creation time from.
    account = account_of(connection, target.id)
    known = connection.execute(
        select(DELETED_ACCOUNTS.c.identity).where(DELETED_ACCOUNTS.c.identity == account.identity)
    ).first()
    if known is None:
        connection.execute(
            insert(DELETED_ACCOUNTS).values(
                identity=account.identity, name=account.name, deleted_at=datetime.now(UTC)
            )
        )


def register_account_deletes() -> Callable[[], None]:
    """Record every hub account deletion in the hub's own transaction; return the uninstaller.

    Registering twice installs one listener. The tables must exist (see
    :func:`create_volume_tables`) before the hub deletes a user.
    """
    if not event.contains(orm.User, "before_delete", _record_deleted_account):
        event.listen(orm.User, "before_delete", _record_deleted_account)

    def uninstall() -> None:
        if event.contains(orm.User, "before_delete", _record_deleted_account):
            event.remove(orm.User, "before_delete", _record_deleted_account)

    return uninstall

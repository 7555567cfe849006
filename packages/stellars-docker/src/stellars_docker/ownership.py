"""Volume ownership: a user volume belongs to an account, never to a name.

DockerSpawner mounts volumes by name, so a new account called ``alice``
would mount a deleted ``alice``'s home. The platform therefore creates each
user volume itself before the container is created, labelled with the
account's stable identity (see :mod:`stellars_docker.ownership_store`), and
checks every volume at every spawn:

- the volume is the account's: it is mounted;
- it is missing: it is created, labelled;
- it belongs to another account, or to a deleted one: the spawn is refused
  with :class:`VolumeOwnershipError`, naming the volume and what an admin can do.

A volume's owner is an admin's assignment if there is one, else its owner
label, else the platform's adoption record. Volumes that predate the labels
(no owner label: Docker cannot add labels later) go to the account of their
name that exists when the platform first sees them, unless an account of that
name was deleted since: then they are that deleted account's (archived).

A volume whose owner no longer exists is archived: nobody mounts it until an
admin assigns it to an account or purges it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import docker.errors

from stellars_docker.engine import call_engine
from stellars_docker.errors import (
    ArchiveError,
    DockerUnavailableError,
    NotArchivedError,
    VolumeOwnershipError,
)
from stellars_docker.labels import (
    OWNER_LABEL,
    OWNER_NAME_LABEL,
    ROLE_LABEL,
    USER_VOLUME_ROLE,
    VOLUME_SUFFIX_LABEL,
)
from stellars_docker.naming import volume_name
from stellars_docker.ownership_store import (
    ADOPTED,
    ASSIGNED,
    Account,
    OwnerRecord,
    account_of,
    deleted_accounts,
    existing_accounts,
    forget_volume,
    last_deleted_named,
    owner_record,
    owner_records,
    record_owner,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

    from stellars_docker.ownership_store import Database
    from stellars_docker.volumes import UserVolume

# Seconds to wait for the engine to finish removing a stopped container that
# mounts a volume about to be removed (DockerSpawner's containers auto-remove
# after the stop returns; a swarm task's goes a little after its service),
# and between two looks.
CONTAINER_GONE_WAIT_S = 30.0
CONTAINER_POLL_S = 0.5

log = logging.getLogger(__name__)

ADMIN_HINT = (
    "An admin must assign it to this account or purge it (the admin page's volume archive)."
)


def volume_labels(owner: Account, suffix: str) -> dict[str, str]:
    """Return the labels of a user volume made for *owner*."""
    return {
        ROLE_LABEL: USER_VOLUME_ROLE,
        OWNER_LABEL: owner.identity,
        OWNER_NAME_LABEL: owner.name,
        VOLUME_SUFFIX_LABEL: suffix,
    }


def owner_of(labels: Mapping[str, str], record: OwnerRecord | None) -> Account | None:
    """Return a volume's owner from its *labels* and recorded owner; None when it has neither."""
    if record is not None and record.reason == ASSIGNED:
        return record.owner
    if OWNER_LABEL in labels:
        return Account(labels[OWNER_LABEL], labels.get(OWNER_NAME_LABEL, ""))
    return record.owner if record is not None else None


def _legacy_owner(db: Database, account: Account) -> Account:
    # A volume without labels predates them. If an account of this name was
    # deleted, the volume was more likely that one's: it must not be handed on.
    deleted = last_deleted_named(db, account.name)
    return deleted.account if deleted is not None else account


def owner_without_labels(db: Database, account: Account, name: str) -> Account:
    """Return whose the volume *name* is if it carries no owner label, judged for *account*.

    A swarm task creates its volumes on its node without labels; they are
    judged as a legacy volume is: an admin's assignment or adoption record
    first, else *account*, unless an account of that name was deleted since.
    """
    owner = owner_of({}, owner_record(db, name))
    return owner if owner is not None else _legacy_owner(db, account)


async def owns_volume(
    client: docker.DockerClient, db: Database, account: Account, name: str, limit_s: float
) -> bool:
    """Return whether the volume *name* exists and is *account*'s.

    A volume without any owner yet (legacy, not adopted) is judged as its
    adoption would judge it, without recording anything: the account's,
    unless an account of that name was deleted since (then that one's).

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    try:
        info = await call_engine(limit_s, client.api.inspect_volume, name)
    except docker.errors.NotFound:
        return False
    owner = owner_of(info.get("Labels") or {}, owner_record(db, name))
    if owner is None:
        owner = _legacy_owner(db, account)
    return owner.identity == account.identity


async def claim_user_volumes(
    client: docker.DockerClient,
    db: Database,
    user_id: int,
    volumes: Iterable[tuple[str, str]],
    limit_s: float,
) -> list[str]:
    """Make every volume in *volumes* (suffix, name) user *user_id*'s; return those created.

    Missing volumes are created with the owner labels; a volume without any
    owner is adopted (recorded in *db*, which the caller commits). The volumes
    before a refused one may have been created or adopted: they are the
    account's either way.

    Raises:
        VolumeOwnershipError: a volume belongs to another or a deleted account.
        DockerUnavailableError: the engine did not answer.
    """
    account = account_of(db, user_id)
    created = []
    for suffix, name in volumes:
        try:
            info = await call_engine(limit_s, client.api.inspect_volume, name)
        except docker.errors.NotFound:
            # A record of an earlier volume of this name says nothing about a new one.
            forget_volume(db, name)
            await call_engine(
                limit_s,
                client.api.create_volume,
                name=name,
                labels=volume_labels(account, suffix),
            )
            created.append(name)
            continue
        check_claim(db, account, name, info.get("Labels") or {})
    return created


def check_claim(db: Database, account: Account, name: str, labels: Mapping[str, str]) -> None:
    """Return if the existing volume *name* (its *labels*) is *account*'s; adopt it if nobody's.

    A volume without any owner yet is adopted, as the hub's start adopts one
    (recorded in *db*, which the caller commits).

    Raises:
        VolumeOwnershipError: the volume belongs to another or a deleted account.
    """
    owner = owner_of(labels, owner_record(db, name))
    if owner is None:
        owner = _legacy_owner(db, account)
        record_owner(db, name, owner, ADOPTED)
    if owner.identity != account.identity:
        whose = (
            f"the account {owner.name!r}"
            if owner.identity in existing_accounts(db)
            else f"the deleted account {owner.name!r}"
        )
        raise VolumeOwnershipError(
            f"The volume {name!r} belongs to {whose}, not to this account "
            f"{account.name!r}, so it is not mounted and the server does not start. " + ADMIN_HINT
        )


async def adopt_legacy_volumes(
    client: docker.DockerClient,
    db: Database,
    user_volumes: Sequence[UserVolume],
    limit_s: float,
) -> list[str]:
    """Record the owner of every unlabelled, unrecorded volume named after an existing account.

    Run when the hub starts, so that a volume is adopted by the account that
    exists then. The caller commits *db*. Returns the names adopted.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    listing = await call_engine(limit_s, client.api.volumes)
    unlabelled = {
        volume["Name"]
        for volume in listing.get("Volumes") or []
        if OWNER_LABEL not in (volume.get("Labels") or {})
    }
    return adopt_unrecorded(db, user_volumes, unlabelled)


def adopt_unrecorded(
    db: Database, user_volumes: Sequence[UserVolume], present: set[str]
) -> list[str]:
    """Record the owner of every volume in *present* that has none and is named after an account.

    *present* are the volumes that exist and carry no owner label. The
    caller commits *db*. Returns the names adopted.
    """
    records = owner_records(db)
    adopted = []
    for account in existing_accounts(db).values():
        for volume in user_volumes:
            name = volume_name(volume, account.name)
            if name in present and name not in records:
                record_owner(db, name, _legacy_owner(db, account), ADOPTED)
                adopted.append(name)
    return adopted


@dataclass(frozen=True)
class ArchivedVolume:
    """A volume whose owner account was deleted.

    Attributes:
        name: its name on disk.
        suffix: the volume's short name from its label, or "" for a legacy one.
        owner_name: the deleted account's name.
        owner: the deleted account's identity.
        deleted_at: when the account was deleted, or None when not recorded.
        size_bytes: bytes used, or None while the engine has not measured it.
        nodes: the swarm nodes it is on, where volumes are each node's own;
            empty on one host and on storage every node shares.
    """

    name: str
    suffix: str
    owner_name: str
    owner: str
    deleted_at: datetime | None
    size_bytes: int | None
    nodes: tuple[str, ...] = ()

    def archive_order(self) -> tuple[bool, datetime | None, str]:
        """The key that lists the archive oldest deletion first (unrecorded ones last)."""
        return (self.deleted_at is None, self.deleted_at, self.name)


async def archived_volumes(
    client: docker.DockerClient,
    db: Database,
    sizes: Mapping[str, int | None],
    limit_s: float,
) -> list[ArchivedVolume]:
    """Return every volume whose owner no longer exists, oldest deletion first.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    listing = await call_engine(limit_s, client.api.volumes)
    return archived_among(
        db,
        [(volume["Name"], volume.get("Labels") or {}) for volume in listing.get("Volumes") or []],
        sizes,
    )


def archived_among(
    db: Database,
    volumes: Iterable[tuple[str, Mapping[str, str]]],
    sizes: Mapping[str, int | None],
) -> list[ArchivedVolume]:
    """Return those of *volumes* (name, labels) whose owner no longer exists, oldest deletion first.

    A volume with no owner at all (neither labelled nor recorded) is nobody's
    archive: it goes to the account of its name when first seen.
    """
    records = owner_records(db)
    accounts = existing_accounts(db)
    deleted = deleted_accounts(db)
    archived = []
    for name, labels in volumes:
        owner = owner_of(labels, records.get(name))
        if owner is None or owner.identity in accounts:
            continue
        entry = deleted.get(owner.identity)
        archived.append(
            ArchivedVolume(
                name=name,
                suffix=labels.get(VOLUME_SUFFIX_LABEL, ""),
                owner_name=entry.account.name if entry else owner.name,
                owner=owner.identity,
                deleted_at=entry.deleted_at if entry else None,
                size_bytes=sizes.get(name),
            )
        )
    archived.sort(key=ArchivedVolume.archive_order)
    return archived


def archived_named(archived: Iterable[ArchivedVolume], name: str) -> ArchivedVolume:
    """Return the volume *name* among *archived*.

    Raises:
        NotArchivedError: *name* is not among them.
    """
    for volume in archived:
        if volume.name == name:
            return volume
    raise NotArchivedError(f"{name!r} is not an archived volume")


async def purge_archived_volume(
    client: docker.DockerClient, db: Database, name: str, limit_s: float
) -> None:
    """Remove the archived volume *name* and its records (the caller commits *db*).

    Raises:
        NotArchivedError: *name* is not an archived volume.
        ArchiveError: the engine refused (a container uses it).
        DockerUnavailableError: the engine did not answer.
    """
    archived_named(await archived_volumes(client, db, {}, limit_s), name)
    # A server's container can still be going when its account was just
    # deleted (on a swarm, its task's goes after the service).
    await wait_until_unmounted(client, name, limit_s, CONTAINER_GONE_WAIT_S)
    await remove_volume(client, name, limit_s)
    forget_volume(db, name)


async def assign_archived_volume(
    client: docker.DockerClient,
    db: Database,
    name: str,
    user_id: int,
    *,
    user_volumes: Sequence[UserVolume],
    limit_s: float,
) -> Account:
    """Give the archived volume *name* to hub user *user_id*; return that account.

    As :func:`assign_archived`.

    Raises:
        NotArchivedError: *name* is not an archived volume.
        ArchiveError: *name* is not one of that account's volume names.
        DockerUnavailableError: the engine did not answer.
    """
    archived = archived_named(await archived_volumes(client, db, {}, limit_s), name)
    return assign_archived(db, archived, user_id, user_volumes)


def assign_archived(
    db: Database, archived: ArchivedVolume, user_id: int, user_volumes: Sequence[UserVolume]
) -> Account:
    """Give the *archived* volume to hub user *user_id*; return that account.

    DockerSpawner mounts volumes by name, so the volume can only go to the
    account whose volume of that name it is. The caller commits *db*.

    Raises:
        ArchiveError: the volume's name is not one of that account's volume names.
    """
    account = account_of(db, user_id)
    own_names = {volume_name(volume, account.name) for volume in user_volumes}
    if archived.name not in own_names:
        raise ArchiveError(
            f"{archived.name!r} cannot go to {account.name!r}: volumes are mounted by name, "
            f"so it can only be assigned to the account whose volume it is by name "
            f"(this account's are {', '.join(sorted(own_names))})"
        )
    record_owner(db, archived.name, account, ASSIGNED)
    return account


async def remove_account_volumes(
    client: docker.DockerClient,
    db: Database,
    account: Account,
    user_volumes: Sequence[UserVolume],
    limit_s: float,
) -> list[str]:
    """Remove the volumes named after *account* that it owns; return the names removed.

    A volume of that name owned by someone else (an archive) is left alone.
    The caller commits *db*.

    Raises:
        ArchiveError: the engine refused to remove one (a container uses it).
        DockerUnavailableError: the engine did not answer.
    """
    removed = []
    for volume in user_volumes:
        name = volume_name(volume, account.name)
        if await owns_volume(client, db, account, name, limit_s):
            await remove_volume(client, name, limit_s)
            forget_volume(db, name)
            removed.append(name)
    return removed


async def wait_until_unmounted(
    client: docker.DockerClient, name: str, limit_s: float, wait_s: float
) -> None:
    """Return once no container mounts the volume *name*, or after *wait_s* all the same.

    At the deadline the removal that follows says "in use".

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    # Polling, as the engine has no event to await for a container's removal
    # that is cheaper than a look.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    for _ in range(int(wait_s / CONTAINER_POLL_S) + 1):
        users = await call_engine(
            limit_s, client.api.containers, all=True, filters={"volume": name}
        )
        if not users or loop.time() >= deadline:
            return
        await asyncio.sleep(CONTAINER_POLL_S)


async def remove_volume(client: docker.DockerClient, name: str, limit_s: float) -> None:
    """Remove the volume *name*; one already gone counts as removed.

    Raises:
        ArchiveError: the engine refused (a container uses it).
        DockerUnavailableError: the engine did not answer.
    """
    try:
        await call_engine(limit_s, client.api.remove_volume, name)
    except docker.errors.NotFound:
        return
    except docker.errors.APIError as error:
        if error.status_code == HTTPStatus.CONFLICT:
            raise ArchiveError(f"{name!r} is in use by a container") from error
        raise ArchiveError(f"the engine refused to remove {name!r}: {error.explanation}") from error


def make_ownership_hook(
    client: Callable[[], Awaitable[docker.DockerClient]],
    user_volumes: Callable[[Any], Sequence[UserVolume]],
    limit_s: float,
) -> Callable[[Any], Awaitable[None]]:
    """Return a pre-spawn hook part that claims the spawning user's volumes (see the module).

    *client* returns the engine client; *user_volumes* the per-user volumes
    of a spawner. A refusal raises :class:`VolumeOwnershipError`, which
    JupyterHub shows as the spawn error.
    """

    async def claim(db: Session, user_id: int, wanted: list[tuple[str, str]]) -> list[str]:
        return await claim_user_volumes(await client(), db, user_id, wanted, limit_s)

    return make_claim_hook(claim, user_volumes)


def make_claim_hook(
    claim: Callable[[Session, int, list[tuple[str, str]]], Awaitable[list[str]]],
    user_volumes: Callable[[Any], Sequence[UserVolume]],
) -> Callable[[Any], Awaitable[None]]:
    """Return a pre-spawn hook part that runs *claim* on the spawning user's volumes.

    *claim* takes the hub's session, the user's id and the volumes (suffix,
    name) and returns the names it created; *user_volumes* returns the
    per-user volumes of a spawner. Names are made with the spawner's own
    template namespace, exactly as DockerSpawner will mount them. What
    *claim* recorded is committed, a refusal's adoptions included.
    """

    async def claim_volumes(spawner: Any) -> None:
        namespace = spawner.template_namespace()
        wanted = [
            (volume.suffix, volume.name_template.format(**namespace))
            for volume in user_volumes(spawner)
        ]
        db: Session = spawner.user.db
        try:
            created = await claim(db, spawner.user.id, wanted)
        except VolumeOwnershipError as error:
            db.commit()  # adoption records written before the refusal stand
            spawner.log.warning("Spawn of %s refused: %s", spawner.user.name, error)
            raise
        except Exception:
            db.rollback()
            raise
        db.commit()
        if created:
            spawner.log.info("Created %s for %s", ", ".join(created), spawner.user.name)

    return claim_volumes


async def adopt_legacy_volumes_at_start(
    client: Callable[[], Awaitable[docker.DockerClient]],
    db: Session,
    user_volumes: Sequence[UserVolume],
    limit_s: float,
    *,
    attempts: int = 30,
    retry_s: float = 10.0,
) -> list[str]:
    """Run :func:`adopt_legacy_volumes` once the engine answers, and commit; return the names.

    As :func:`adopt_at_start`.
    """

    async def adopt() -> list[str]:
        return await adopt_legacy_volumes(await client(), db, user_volumes, limit_s)

    return await adopt_at_start(adopt, db, attempts=attempts, retry_s=retry_s)


async def adopt_at_start(
    adopt: Callable[[], Awaitable[list[str]]],
    db: Session,
    *,
    attempts: int = 30,
    retry_s: float = 10.0,
) -> list[str]:
    """Run *adopt* once the volumes' store answers, and commit *db*; return the names adopted.

    The engine (or the storage) may not have answered yet when the hub
    starts: each attempt that finds none waits *retry_s*. After *attempts*,
    it gives up with a warning; spawns adopt their own volumes all the same.
    Never raises: a failure here must not stop the hub.
    """
    for _ in range(attempts):
        try:
            adopted = await adopt()
        except DockerUnavailableError:
            await asyncio.sleep(retry_s)
            continue
        except Exception:
            db.rollback()
            log.exception("volumes that predate the owner labels were not adopted")
            return []
        db.commit()
        if adopted:
            log.info("Adopted volumes that predate the owner labels: %s", ", ".join(adopted))
        return adopted
    log.warning("the engine did not answer: volumes are adopted at their owners' spawns instead")
    return []

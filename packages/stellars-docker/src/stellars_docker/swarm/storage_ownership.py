"""Who owns a volume directory on shared storage, and making the directories before a server starts.

A directory carries no labels. Its owner is recorded in the hub's database
(``stellars_volume_owners``) when the hub makes it for an account's server,
where no user's server can write; a directory the hub did not make (one
that predates the platform) is judged as a volume without labels is: the
account of its name, unless an account of that name was deleted since. So,
as on one host, a later account with a deleted one's name never mounts the
old files: its server is refused while they are archived.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stellars_docker.ownership import (
    adopt_unrecorded,
    check_claim,
    make_claim_hook,
    owner_without_labels,
)
from stellars_docker.ownership_store import CREATED, account_of, forget_volume, record_owner
from stellars_docker.swarm.storage import (
    call_storage,
    directory_exists,
    make_directory,
    volume_directories,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Sequence

    from sqlalchemy.orm import Session

    from stellars_docker.ownership_store import Account, Database
    from stellars_docker.swarm.storage import SharedStorage
    from stellars_docker.volumes import UserVolume


async def owns_directory(
    storage: SharedStorage, db: Database, account: Account, name: str, limit_s: float
) -> bool:
    """Return whether the volume directory *name* exists and is *account*'s.

    Raises:
        StorageUnavailableError: the storage did not answer in time.
    """
    if not await call_storage(limit_s, directory_exists, storage.directory(name)):
        return False
    return owner_without_labels(db, account, name).identity == account.identity


async def claim_directories(
    storage: SharedStorage,
    db: Database,
    user_id: int,
    volumes: Iterable[tuple[str, str]],
    limit_s: float,
) -> list[str]:
    """Make every volume directory in *volumes* (suffix, name) user *user_id*'s; return those made.

    A missing one is made and recorded as the account's; one without a
    record is adopted (as :func:`~stellars_docker.ownership.check_claim`).
    The caller commits *db*.

    Raises:
        VolumeOwnershipError: a directory belongs to another or a deleted account.
        StorageUnavailableError: the storage did not answer, or its root is missing.
    """
    account = account_of(db, user_id)
    created = []
    for _suffix, name in volumes:
        path = storage.directory(name)
        if await call_storage(limit_s, directory_exists, path):
            check_claim(db, account, name, {})
            continue
        # A record of an earlier directory of this name says nothing about a new one.
        forget_volume(db, name)
        await call_storage(limit_s, make_directory, path)
        record_owner(db, name, account, CREATED)
        created.append(name)
    return created


async def adopt_legacy_directories(
    storage: SharedStorage, db: Database, user_volumes: Sequence[UserVolume], limit_s: float
) -> list[str]:
    """Record the owner of every unrecorded volume directory named after an existing account.

    As :func:`~stellars_docker.ownership.adopt_legacy_volumes`, for the
    directories under the storage's root. The caller commits *db*.

    Raises:
        StorageUnavailableError: the storage did not answer in time.
    """
    present = await call_storage(limit_s, volume_directories, storage.root)
    return adopt_unrecorded(db, user_volumes, set(present))


def make_directory_hook(
    storage: SharedStorage,
    user_volumes: Callable[[Any], Sequence[UserVolume]],
    shared_volume: str | None,
    limit_s: float,
) -> Callable[[Any], Awaitable[None]]:
    """Return a pre-spawn hook part that makes the spawning user's volume directories.

    The user's own are claimed (:func:`claim_directories`); the shared
    volume's (*shared_volume*, None for none) is made if missing, owned by
    nobody. A refusal raises :class:`VolumeOwnershipError`, which JupyterHub
    shows as the spawn error.
    """

    async def claim(db: Session, user_id: int, wanted: list[tuple[str, str]]) -> list[str]:
        created = await claim_directories(storage, db, user_id, wanted, limit_s)
        if shared_volume is not None and await call_storage(
            limit_s, make_directory, storage.directory(shared_volume)
        ):
            created.append(shared_volume)
        return created

    return make_claim_hook(claim, user_volumes)

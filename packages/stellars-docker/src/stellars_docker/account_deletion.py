"""What becomes of an account's volumes when an admin deletes the account.

The admin chooses: ``delete`` removes the account's own volumes, ``archive``
keeps them, owned by the deleted account, so that no account mounts them
until an admin assigns or purges them. Whichever is chosen, nothing is lost
by accident: a volume the engine refuses to remove stays archived, and the
answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from stellars_docker.errors import ArchiveError, DockerUnavailableError, InvalidVolumeSelectionError
from stellars_docker.ownership import (
    CONTAINER_GONE_WAIT_S,
    owns_volume,
    remove_volume,
    wait_until_unmounted,
)
from stellars_docker.ownership_store import forget_volume

if TYPE_CHECKING:
    from collections.abc import Sequence

    import docker

    from stellars_docker.ownership_store import Account, Database
    from stellars_docker.volumes import ExistingVolume

VolumeChoice = Literal["delete", "archive"]
DELETE: VolumeChoice = "delete"
ARCHIVE: VolumeChoice = "archive"
CHOICES: tuple[VolumeChoice, ...] = (DELETE, ARCHIVE)

Fate = Literal["deleted", "archived"]


@dataclass(frozen=True)
class VolumeFate:
    """What happened to one of a deleted account's volumes.

    Attributes:
        suffix: the volume's short name (``home``).
        name: its name on disk.
        size_bytes: bytes it used, or None when not measured.
        fate: ``deleted``, or ``archived`` (kept, mounted by nobody).
        error: why a volume asked to be deleted was archived instead, or None.
    """

    suffix: str
    name: str
    size_bytes: int | None
    fate: Fate
    error: str | None = None


def volume_choice(value: object) -> VolumeChoice:
    """Return *value* as the admin's choice for the volumes of an account being deleted.

    Raises:
        InvalidVolumeSelectionError: *value* is not ``"delete"`` or ``"archive"``.
    """
    if value not in CHOICES:
        raise InvalidVolumeSelectionError(
            '"volumes" must be "delete" (remove the account\'s volumes) or '
            '"archive" (keep them for an admin to assign or purge)'
        )
    return value


async def settle_account_volumes(
    client: docker.DockerClient,
    db: Database,
    account: Account,
    volumes: Sequence[ExistingVolume],
    choice: VolumeChoice,
    *,
    limit_s: float,
    wait_s: float = CONTAINER_GONE_WAIT_S,
) -> list[VolumeFate]:
    """Delete or archive *volumes* of the deleted *account*; return what happened to each.

    *volumes* are the account's own, listed before the account was deleted.
    A volume the engine refuses to remove, or that it cannot reach any more,
    stays archived, with the reason; one still mounted by a container that
    the engine is removing is waited for, up to *wait_s*. The caller commits
    *db*. Never raises
    for one volume: the account is already gone, so the answer must report
    every volume.
    """
    fates = []
    for volume in volumes:
        if choice == ARCHIVE:
            fates.append(VolumeFate(volume.suffix, volume.name, volume.size_bytes, "archived"))
            continue
        try:
            # Listed as the account's a moment ago; checked again right before removal.
            if not await owns_volume(client, db, account, volume.name, limit_s):
                raise ArchiveError(f"{volume.name!r} is no longer {account.name!r}'s")  # noqa: TRY301
            await wait_until_unmounted(client, volume.name, limit_s, wait_s)
            await remove_volume(client, volume.name, limit_s)
            forget_volume(db, volume.name)
        except (ArchiveError, DockerUnavailableError) as error:
            fates.append(
                VolumeFate(volume.suffix, volume.name, volume.size_bytes, "archived", str(error))
            )
        else:
            fates.append(VolumeFate(volume.suffix, volume.name, volume.size_bytes, "deleted"))
    return fates

"""The per-user and shared volumes a lab container mounts.

Volume names are DockerSpawner templates: DockerSpawner itself substitutes
``{username}`` with its escaped username when it creates the container, so a
name here is exactly the name on disk. The defaults are the names the original
Stellars deployment used, so an existing installation keeps every user's files.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

import docker.errors

from stellars_docker.engine import call_engine
from stellars_docker.errors import InvalidVolumeSelectionError
from stellars_docker.naming import volume_name
from stellars_docker.ownership import owns_volume
from stellars_docker.ownership_store import account_of, forget_volume

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stellars_docker.ownership_store import Database


@dataclass(frozen=True)
class UserVolume:
    """A volume that belongs to one user.

    Attributes:
        suffix: short name users see and choose by (``home``, ``workspace``).
        name_template: DockerSpawner template of the volume name.
        mount_point: where the volume is mounted in the lab container.
        description: one line telling users what the volume holds.
    """

    suffix: str
    name_template: str
    mount_point: str
    description: str


@dataclass(frozen=True)
class SharedVolume:
    """A volume every user's container mounts; no user operation ever removes it."""

    name: str
    mount_point: str


DEFAULT_USER_VOLUMES: tuple[UserVolume, ...] = (
    UserVolume("home", "jupyterlab-{username}_home", "/home/jovyan", "Home directory and settings"),
    UserVolume(
        "workspace",
        "jupyterlab-{username}_workspace",
        "/home/jovyan/workspace",
        "Projects and notebooks",
    ),
    UserVolume(
        "cache", "jupyterlab-{username}_cache", "/home/jovyan/.cache", "Package and build caches"
    ),
)

DEFAULT_SHARED_VOLUME = SharedVolume("jupyterhub_shared", "/mnt/shared")


def volume_mounts(
    user_volumes: tuple[UserVolume, ...], shared_volume: SharedVolume | None
) -> dict[str, str]:
    """Return DockerSpawner's ``volumes`` mapping: volume name template to mount point.

    Raises:
        ValueError: two volumes share a name or a mount point, or a user
            volume's name does not depend on the username (it would be shared).
    """
    mounts: dict[str, str] = {}
    for volume in user_volumes:
        if "{username}" not in volume.name_template:
            raise ValueError(
                f"user volume {volume.suffix!r} must have {{username}} in its name template"
            )
        mounts[volume.name_template] = volume.mount_point
    if shared_volume is not None:
        mounts[shared_volume.name] = shared_volume.mount_point
    expected = len(user_volumes) + (shared_volume is not None)
    if len(mounts) != expected or len(set(mounts.values())) != expected:
        raise ValueError("volume names and mount points must all be distinct")
    return mounts


@dataclass(frozen=True)
class ExistingVolume:
    """One of a user's volumes that exists on the engine.

    Attributes:
        suffix: the volume's short name (``home``).
        name: its name on disk.
        mount_point: where the lab container mounts it.
        description: what it holds, for people.
        size_bytes: bytes used, or None while the engine has not measured it.
    """

    suffix: str
    name: str
    mount_point: str
    description: str
    size_bytes: int | None


NO_SUCH_VOLUME = "no such volume"


@dataclass(frozen=True)
class DeletionResult:
    """What happened to one volume a user asked to delete."""

    suffix: str
    name: str
    deleted: bool
    error: str | None = None


def select_volumes(
    user_volumes: tuple[UserVolume, ...], suffixes: object
) -> tuple[UserVolume, ...]:
    """Return the user volumes named by *suffixes* (a list of distinct known suffixes).

    Raises:
        InvalidVolumeSelectionError: *suffixes* is not a non-empty list of
            distinct strings naming resettable volumes; the message says which.
    """
    known = {volume.suffix: volume for volume in user_volumes}
    if not isinstance(suffixes, list) or not all(isinstance(s, str) for s in suffixes):
        raise InvalidVolumeSelectionError('"volumes" must be a list of volume names')
    if not suffixes:
        raise InvalidVolumeSelectionError('"volumes" must name at least one volume')
    if len(set(suffixes)) != len(suffixes):
        raise InvalidVolumeSelectionError('"volumes" names a volume twice')
    unknown = [suffix for suffix in suffixes if suffix not in known]
    if unknown:
        raise InvalidVolumeSelectionError(
            f"unknown volume {', '.join(map(repr, unknown))}; "
            f"resettable volumes are {', '.join(map(repr, known))}"
        )
    return tuple(known[suffix] for suffix in suffixes)


async def existing_user_volumes(
    client: docker.DockerClient,
    db: Database,
    user_id: int,
    user_volumes: tuple[UserVolume, ...],
    *,
    sizes: Mapping[str, int | None],
    limit_s: float,
) -> list[ExistingVolume]:
    """Return hub user *user_id*'s own volumes that exist, with their last known sizes.

    Volumes are matched by exact name, never by prefix (``bob`` never sees
    ``bobby``'s), and only those the account owns are returned: an archived
    volume of a deleted account of the same name is not this account's.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    account = account_of(db, user_id)
    wanted = {volume_name(volume, account.name): volume for volume in user_volumes}
    present = await call_engine(limit_s, volume_names, client)
    return [
        ExistingVolume(volume.suffix, name, volume.mount_point, volume.description, sizes.get(name))
        for name, volume in wanted.items()
        if name in present and await owns_volume(client, db, account, name, limit_s)
    ]


async def delete_user_volumes(
    client: docker.DockerClient,
    db: Database,
    user_id: int,
    volumes: tuple[UserVolume, ...],
    limit_s: float,
) -> list[DeletionResult]:
    """Delete hub user *user_id*'s *volumes* (found by exact name); report each one's outcome.

    Only a volume the account owns is deleted: one that is missing, or is
    not the account's (an archive of a deleted account of the same name), is
    reported as ``no such volume``; one still in use as that. The others are
    deleted all the same. The records of the deleted ones are dropped from
    *db*, which the caller commits. The caller makes sure the user's server
    is stopped.

    Raises:
        DockerUnavailableError: the engine did not answer.
    """
    account = account_of(db, user_id)
    results = []
    for volume in volumes:
        name = volume_name(volume, account.name)
        if not await owns_volume(client, db, account, name, limit_s):
            results.append(DeletionResult(volume.suffix, name, deleted=False, error=NO_SUCH_VOLUME))
            continue
        try:
            await call_engine(limit_s, client.api.remove_volume, name)
        except docker.errors.NotFound:
            results.append(DeletionResult(volume.suffix, name, deleted=False, error=NO_SUCH_VOLUME))
        except docker.errors.APIError as error:
            reason = (
                "in use by a container"
                if error.status_code == HTTPStatus.CONFLICT
                else str(error.explanation)
            )
            results.append(DeletionResult(volume.suffix, name, deleted=False, error=reason))
        else:
            forget_volume(db, name)
            results.append(DeletionResult(volume.suffix, name, deleted=True))
    return results


def volume_names(client: docker.DockerClient) -> set[str]:
    """Return the names of every volume on the engine (a blocking SDK call: run it in a thread)."""
    listing = client.api.volumes()
    return {volume["Name"] for volume in listing.get("Volumes") or []}

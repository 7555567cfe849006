"""The per-user and shared volumes a lab container mounts.

Volume names are DockerSpawner templates: DockerSpawner itself substitutes
``{username}`` with its escaped username when it creates the container, so a
name here is exactly the name on disk. The defaults are the names the original
Stellars deployment used, so an existing installation keeps every user's files.
"""

from __future__ import annotations

from dataclasses import dataclass


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

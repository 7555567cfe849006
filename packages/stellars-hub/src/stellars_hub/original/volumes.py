"""``get_user_volume_suffixes``: which volumes of a DockerSpawner mapping belong to a user."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stellars_docker import DEFAULT_USER_VOLUMES, DockerSettings, UserVolume

if TYPE_CHECKING:
    from collections.abc import Mapping

# A user's volume is named after the user's container: jupyterlab-{username}_<suffix>.
USER_VOLUME_PREFIX = f"{DockerSettings.name_template}_"
_SUFFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def get_user_volume_suffixes(volumes_dict: Mapping[str, Any]) -> list[str]:
    """Return the suffixes (``home``, ``workspace``, ...) of the per-user volumes in *volumes_dict*.

    *volumes_dict* maps DockerSpawner volume name templates to mount points.
    Volumes shared by everyone (no ``{username}``) and names of another form
    are left out; the order is the mapping's.
    """
    suffixes = []
    for name in volumes_dict:
        suffix = name.removeprefix(USER_VOLUME_PREFIX)
        if suffix != name and _SUFFIX.fullmatch(suffix):
            suffixes.append(suffix)
    return suffixes


def user_volumes_of(
    volumes_dict: Mapping[str, Any], descriptions: Mapping[str, str] | None = None
) -> tuple[UserVolume, ...]:
    """Return the per-user volumes of DockerSpawner's *volumes_dict*, with their descriptions.

    Each keeps the mount point the mapping gives it (a path, or DockerSpawner's
    ``{"bind": path, "mode": ...}``) and the description *descriptions* gives
    its suffix; without one, the platform's own description of that suffix,
    or none.
    """
    defaults = {volume.suffix: volume.description for volume in DEFAULT_USER_VOLUMES}
    given = dict(descriptions or {})
    volumes = []
    for suffix in get_user_volume_suffixes(volumes_dict):
        target = volumes_dict[f"{USER_VOLUME_PREFIX}{suffix}"]
        mount_point = str(target["bind"] if isinstance(target, dict) else target)
        description = str(given.get(suffix) or defaults.get(suffix, ""))
        name = f"{USER_VOLUME_PREFIX}{suffix}"
        volumes.append(UserVolume(suffix, name, mount_point, description))
    return tuple(volumes)

"""``get_user_volume_suffixes``: which volumes of a DockerSpawner mapping belong to a user."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stellars_docker import DockerSettings

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

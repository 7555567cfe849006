"""What each user's container and volumes use, from the runtime's caches (no engine call)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stellars_docker.naming import template_namespace

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from stellars_docker.settings import DockerSettings
    from stellars_docker.stats import ContainerStats

_PERCENT = 100.0


@dataclass(frozen=True)
class VolumeUsage:
    """One existing volume of a user; *size_bytes* is None until the engine has measured it."""

    suffix: str
    name: str
    size_bytes: int | None


@dataclass(frozen=True)
class UserUsage:
    """A user's resource use as last measured.

    Attributes:
        stats: the container's last stats, or None (not running, or not
            measured since it started).
        volumes: the user's volumes that exist, in the configured order.
        node: on a swarm, the node the container runs on, else the node(s)
            holding the volumes (comma-separated); None on one host.
    """

    stats: ContainerStats | None
    volumes: tuple[VolumeUsage, ...]
    node: str | None = None

    @property
    def memory_percent(self) -> float | None:
        """Return memory in use as a share of the container's limit, or None."""
        if self.stats is None or self.stats.memory_limit_bytes <= 0:
            return None
        return _PERCENT * self.stats.memory_bytes / self.stats.memory_limit_bytes

    @property
    def volumes_total_bytes(self) -> int | None:
        """Return the sum of the measured volume sizes, or None when none is measured."""
        sizes = [volume.size_bytes for volume in self.volumes if volume.size_bytes is not None]
        return sum(sizes) if sizes else None


def usage_by_user(
    usernames: Iterable[str],
    settings: DockerSettings,
    stats: Mapping[str, ContainerStats],
    sizes: Mapping[str, int | None],
    volume_nodes: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, UserUsage]:
    """Return each user's usage from the last *stats* (by container) and *sizes* (by volume).

    Names come from DockerSpawner's templates (exact names, never prefixes),
    so one user's row can never show another's container or volume. A
    volume absent from *sizes* does not exist (or was created after the
    last measurement) and is left out.
    """
    usage: dict[str, UserUsage] = {}
    for username in usernames:
        namespace = template_namespace(username, image=settings.image)
        volumes = []
        for volume in settings.user_volumes:
            name = volume.name_template.format(**namespace)
            if name in sizes:
                volumes.append(VolumeUsage(volume.suffix, name, sizes[name]))
        container = stats.get(settings.name_template.format(**namespace))
        usage[username] = UserUsage(
            stats=container,
            volumes=tuple(volumes),
            node=_node_of(container, volumes, volume_nodes or {}),
        )
    return usage


def _node_of(
    stats: ContainerStats | None,
    volumes: list[VolumeUsage],
    volume_nodes: Mapping[str, tuple[str, ...]],
) -> str | None:
    if stats is not None and stats.node is not None:
        return stats.node
    nodes = sorted({node for volume in volumes for node in volume_nodes.get(volume.name, ())})
    return ", ".join(nodes) or None

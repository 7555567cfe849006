"""Docker for Stellars Hub: DockerSpawner configuration and per-user volumes."""

from stellars_docker.settings import DockerSettings
from stellars_docker.spawner import spawner_config
from stellars_docker.volumes import (
    DEFAULT_SHARED_VOLUME,
    DEFAULT_USER_VOLUMES,
    SharedVolume,
    UserVolume,
    volume_mounts,
)

__all__ = [
    "DEFAULT_SHARED_VOLUME",
    "DEFAULT_USER_VOLUMES",
    "DockerSettings",
    "SharedVolume",
    "UserVolume",
    "spawner_config",
    "volume_mounts",
]

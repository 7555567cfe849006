"""Docker for Stellars Hub: spawner configuration, volumes, restarts, stats, GPUs, access groups."""

from stellars_docker.access import (
    BUILTIN_GROUPS,
    DOCKER_PRIVILEGED_GROUP,
    DOCKER_SOCK_GROUP,
    DockerGrants,
    apply_docker_access,
    grants_for,
    make_pre_spawn_hook,
)
from stellars_docker.errors import (
    DockerUnavailableError,
    InvalidVolumeSelectionError,
    RestartInProgressError,
    RestartTimeoutError,
    ServerStateError,
    StellarsDockerError,
)
from stellars_docker.gpu import (
    Gpu,
    GpuMode,
    GpuResolution,
    detect_gpus,
    gpu_spawner_config,
    parse_inventory,
    probe_gpus,
    resolve_gpus,
)
from stellars_docker.naming import container_name, escape_username, volume_name
from stellars_docker.restart import RestartTracker, restart_container
from stellars_docker.runtime import DockerRuntime
from stellars_docker.settings import DockerSettings
from stellars_docker.sizes import VolumeSizeRefresher, parse_volume_sizes
from stellars_docker.spawner import spawner_config
from stellars_docker.stats import ContainerStats, StatsCollector, compute_stats
from stellars_docker.usage import UserUsage, VolumeUsage, usage_by_user
from stellars_docker.volumes import (
    DEFAULT_SHARED_VOLUME,
    DEFAULT_USER_VOLUMES,
    NO_SUCH_VOLUME,
    DeletionResult,
    ExistingVolume,
    SharedVolume,
    UserVolume,
    delete_user_volumes,
    existing_user_volumes,
    select_volumes,
    volume_mounts,
)

__all__ = [
    "BUILTIN_GROUPS",
    "DEFAULT_SHARED_VOLUME",
    "DEFAULT_USER_VOLUMES",
    "DOCKER_PRIVILEGED_GROUP",
    "DOCKER_SOCK_GROUP",
    "NO_SUCH_VOLUME",
    "ContainerStats",
    "DeletionResult",
    "DockerGrants",
    "DockerRuntime",
    "DockerSettings",
    "DockerUnavailableError",
    "ExistingVolume",
    "Gpu",
    "GpuMode",
    "GpuResolution",
    "InvalidVolumeSelectionError",
    "RestartInProgressError",
    "RestartTimeoutError",
    "RestartTracker",
    "ServerStateError",
    "SharedVolume",
    "StatsCollector",
    "StellarsDockerError",
    "UserUsage",
    "UserVolume",
    "VolumeSizeRefresher",
    "VolumeUsage",
    "apply_docker_access",
    "compute_stats",
    "container_name",
    "delete_user_volumes",
    "detect_gpus",
    "escape_username",
    "existing_user_volumes",
    "gpu_spawner_config",
    "grants_for",
    "make_pre_spawn_hook",
    "parse_inventory",
    "parse_volume_sizes",
    "probe_gpus",
    "resolve_gpus",
    "restart_container",
    "select_volumes",
    "spawner_config",
    "usage_by_user",
    "volume_mounts",
    "volume_name",
]

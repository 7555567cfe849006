"""DockerSpawner configuration derived from :class:`DockerSettings`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stellars_docker.gpu import GpuResolution, gpu_spawner_config
from stellars_docker.labels import LAB_ROLE, ROLE_LABEL
from stellars_docker.volumes import volume_mounts

if TYPE_CHECKING:
    from stellars_docker.settings import DockerSettings

SPAWNER_CLASS = "dockerspawner.DockerSpawner"
# A subclass of DockerSpawner: every trait value below applies to it as well.
SWARM_SPAWNER_CLASS = "stellars_docker.swarm.SwarmSpawner"


def spawner_config(settings: DockerSettings, gpu: GpuResolution | None = None) -> dict[str, Any]:
    """Return DockerSpawner trait values (name to value) for *settings* and the GPUs in *gpu*.

    The caller assigns them to ``c.DockerSpawner``; keeping them a plain
    mapping lets tests compare them and keeps this package free of config state.

    Raises:
        ValueError: the volume layout is inconsistent (see :func:`volume_mounts`).
    """
    config: dict[str, Any] = {
        "image": settings.image,
        # No registry is assumed reachable: the image is built on the host.
        "pull_policy": "never",
        "name_template": settings.name_template,
        "volumes": volume_mounts(settings.user_volumes, settings.shared_volume),
        "remove": settings.remove_on_stop,
        "start_timeout": settings.start_timeout,
        "notebook_dir": settings.user_volumes[0].mount_point if settings.user_volumes else "",
    }
    config["extra_create_kwargs"] = {"labels": {ROLE_LABEL: LAB_ROLE, **settings.extra_labels}}
    gpu_config = gpu_spawner_config(gpu or GpuResolution(enabled=False, detected=False, gpus=()))
    # The spawner removes a stopped server's container itself (``remove``),
    # so the engine must not (AutoRemove, which DockerSpawner would set from
    # ``remove``): Docker 20.10, Debian 12's, can remove an AutoRemove
    # container it has just restarted, while it runs again (moby/moby#43751),
    # and the home page's restart is a restart. A container that dies on its
    # own stays, exited, until the hub's poll notices and the spawner removes it.
    config["extra_host_config"] = {
        "auto_remove": False,
        **gpu_config.get("extra_host_config", {}),
    }
    config["environment"] = {**settings.environment, **gpu_config.get("environment", {})}
    # JupyterHub's own Spawner limits, which DockerSpawner applies to the container.
    if settings.cpu_limit is not None:
        config["cpu_limit"] = settings.cpu_limit
    if settings.mem_limit is not None:
        config["mem_limit"] = settings.mem_limit
    if settings.network_name:
        config["network_name"] = settings.network_name
        # On a user-defined network the hub reaches the container by its
        # address there instead of a port published on the host.
        config["use_internal_ip"] = True
    return config

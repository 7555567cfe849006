"""What the Docker side of the platform is configured with."""

from __future__ import annotations

from dataclasses import dataclass, field

from stellars_docker.volumes import (
    DEFAULT_SHARED_VOLUME,
    DEFAULT_USER_VOLUMES,
    SharedVolume,
    UserVolume,
)


@dataclass(frozen=True)
class DockerSettings:
    """Docker settings, built by ``stellars_hub`` from the environment.

    Attributes:
        image: the JupyterLab image every user's container runs; it must exist
            on the engine (nothing is pulled).
        network_name: Docker network the containers join; empty for the default
            bridge, where the hub reaches a container through a port published
            on the host's loopback.
        name_template: DockerSpawner template of the container name.
        user_volumes: the per-user volumes and where they are mounted.
        shared_volume: the volume every container mounts, or None.
        remove_on_stop: remove the container when the server stops; the
            volumes keep the files, and the next start uses the current image.
        start_timeout: seconds a start may take before the hub gives up.
        extra_labels: labels put on every container the spawner creates.
        engine_timeout_s: seconds any one call to the engine may take.
        restart_timeout_s: seconds JupyterLab may take to answer after a restart.
        volume_size_interval_s: seconds between two refreshes of the volume sizes.
        volume_size_timeout_s: seconds one volume-size query may take (the
            engine walks every volume's files).
        stats_interval_s: seconds between two refreshes of the container stats.
        cpu_limit: CPUs a container may use (0.5, 2, ...); None for no limit.
        mem_limit: memory a container may use, as JupyterHub writes it
            (``512M``, ``4G``); None for no limit.
        environment: variables every lab container gets (the lab image's
            service toggles, say), beside those the GPU resolution adds.
    """

    image: str
    network_name: str = ""
    name_template: str = "jupyterlab-{username}"
    user_volumes: tuple[UserVolume, ...] = DEFAULT_USER_VOLUMES
    shared_volume: SharedVolume | None = DEFAULT_SHARED_VOLUME
    remove_on_stop: bool = True
    start_timeout: int = 120
    extra_labels: dict[str, str] = field(default_factory=dict)
    engine_timeout_s: float = 30.0
    restart_timeout_s: float = 60.0
    volume_size_interval_s: float = 300.0
    volume_size_timeout_s: float = 120.0
    stats_interval_s: float = 30.0
    cpu_limit: float | None = None
    mem_limit: str | None = None
    environment: dict[str, str] = field(default_factory=dict)

"""Running user servers on a Docker Swarm (``JUPYTERHUB_SPAWNER=swarm``)."""

from stellars_docker.swarm.spawner import SwarmSpawner

__all__ = ["SwarmSpawner"]

"""The platform on a Docker Swarm of three nodes, each an engine in a container.

The hub runs from the hub image in a container on the manager node, on an
attachable overlay network that the users' servers join, as a deployment on
a swarm runs it; its port is published on the manager node's address, which
the tests reach over the host's bridge. Every user server is a swarm service
(``JUPYTERHUB_SPAWNER=swarm``) that the scheduler places on any node.

A node agent runs on every node as a global service of the hub image, on a
second overlay network that the hub joins and the users' servers do not; the
hub and the agents share a swarm secret. A deployment creates that network
encrypted; here it is plain unless ``STELLARS_SWARM_AGENTS_ENCRYPTED=1``:
these nodes' kernel cannot hold the IPsec state an encrypted overlay needs
(every node logs ``Failed Adding rSA{... Proto: esp, Mode: transport, ...
Aead: rfc4106(gcm(aes)) ...}: function not implemented``), and traffic
between nodes on it times out.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import docker.errors
import pytest

from stellars_testing import wait_until
from stellars_testing.hub_container import HubContainer, start_hub_container
from stellars_testing.swarm_agents import Agents, remove_agents_leftovers, start_agents

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stellars_testing.swarm import Swarm

HUB_NAME = "hub"
# Seconds between two readings of stats and of sizes: the tests wait for them.
STATS_INTERVAL_S = 3
SIZES_INTERVAL_S = 10


@dataclass(kw_only=True)
class SwarmHub(HubContainer):
    """The hub running on the swarm, and what the tests need to know of the swarm around it."""

    swarm: Swarm
    network: str
    agents: Agents | None = None
    agent_network: str = ""
    agent_secret: str = ""

    def tasks_of(self, service: str) -> list[dict[str, Any]]:
        """The tasks of the service named *service*, as the manager lists them."""
        try:
            tasks: list[dict[str, Any]] = self.swarm.manager.client.api.tasks(
                filters={"service": service}
            )
        except docker.errors.NotFound:
            return []  # no such service
        return tasks

    def node_of(self, service: str) -> str:
        """The host name of the node that runs *service*'s running task."""
        (running,) = [t for t in self.tasks_of(service) if t["Status"]["State"] == "running"]
        node = self.swarm.manager.client.nodes.get(running["NodeID"])
        return str(node.attrs["Description"]["Hostname"])


@pytest.fixture(scope="session")
def swarm_hub(swarm: Swarm, hub_image: str, lab_image: str) -> Any:
    """Start the hub on the swarm's manager; remove it, its servers and network at the end."""
    swarm.load_image(lab_image)
    # Every node runs an agent from the hub image.
    swarm.load_image(hub_image)
    manager = swarm.manager.client
    network = f"stellars-swarm-{swarm.run_id}"
    manager.networks.create(network, driver="overlay", attachable=True)
    agents = start_agents(swarm, hub_image)
    try:
        hub = start_swarm_hub(
            swarm, hub_image, lab_image, name=HUB_NAME, network=network, agents=agents
        )
        yield hub
    finally:
        for service in manager.services.list():
            service.remove()
        with contextlib.suppress(docker.errors.NotFound):
            manager.containers.get(HUB_NAME).remove(force=True)
        wait_until(
            lambda: not manager.containers.list(all=True, ignore_removed=True),
            timeout_s=60,
            what="the servers' containers to go",
        )
        with contextlib.suppress(Exception):
            manager.networks.get(network).remove()
        remove_agents_leftovers(swarm, agents)


def start_swarm_hub(
    swarm: Swarm,
    hub_image: str,
    lab_image: str,
    *,
    name: str,
    network: str,
    agents: Agents,
    environment: Mapping[str, str] | None = None,
    binds: Mapping[str, str] | None = None,
) -> SwarmHub:
    """Run a hub named *name* on the swarm's manager, with *agents*; return it, answering.

    *environment* adds to or replaces the platform's settings below; *binds*
    (a path of the manager node: a path in the hub) are mounted into it.
    The caller removes the container and the servers it started.
    """
    started = start_hub_container(
        swarm.manager.client,
        image=hub_image,
        name=name,
        network=network,
        address=swarm.manager.address,
        environment={
            **agents.hub_environment(),
            "JUPYTERHUB_STATS_INTERVAL": str(STATS_INTERVAL_S),
            "JUPYTERHUB_VOLUME_SIZE_INTERVAL": str(SIZES_INTERVAL_S),
            "JUPYTERHUB_SPAWNER": "swarm",
            "JUPYTERHUB_NETWORK_NAME": network,
            "JUPYTERHUB_NOTEBOOK_IMAGE": lab_image,
            # GPUs as the nodes advertise them (one worker does): reserved by
            # count for the groups whose policy grants them, none by default.
            "JUPYTERHUB_GPU_ENABLED": "1",
            "JUPYTERHUB_DEFAULT_GPUS": "none",
            # A local volume on a swarm is one node's: a "shared" one would
            # not be shared. Sharing across nodes needs shared storage.
            "JUPYTERHUB_SHARED_VOLUME": "none",
            **(environment or {}),
        },
        # A plain container takes no swarm secret: the hub's copy is put
        # where the secret would be.
        files=agents.hub_files(),
        networks=[agents.network],
        binds=binds,
    )
    return SwarmHub(
        **vars(started),
        swarm=swarm,
        network=network,
        agents=agents,
        agent_network=agents.network,
        agent_secret=agents.secret,
    )

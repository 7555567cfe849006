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
import os
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import docker.errors
import docker.types
import pytest

from stellars_testing import wait_until
from stellars_testing.hub_container import DOCKER_SOCKET, HubContainer, start_hub_container

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stellars_testing.swarm import Swarm

HUB_NAME = "hub"
AGENT_SERVICE = "stellars-agent"
AGENT_PORT = 8090
AGENT_SECRET_FILE = "/run/secrets/stellars-agent-secret"
# A plain container takes no swarm secret: the hub's copy is put in its file
# system before it starts, where the secret would be.
HUB_SECRET_FILE = "/tmp/stellars-agent-secret"
# Seconds between two readings of stats and of sizes: the tests wait for them.
STATS_INTERVAL_S = 3
SIZES_INTERVAL_S = 10


@dataclass(kw_only=True)
class SwarmHub(HubContainer):
    """The hub running on the swarm, and what the tests need to know of the swarm around it."""

    swarm: Swarm
    network: str
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
    agent_network, agent_secret = _start_agents(swarm, hub_image)
    try:
        yield start_swarm_hub(
            swarm,
            hub_image,
            lab_image,
            name=HUB_NAME,
            network=network,
            agent_network=agent_network,
            agent_secret=agent_secret,
        )
    finally:
        for service in manager.services.list():
            service.remove()
        with contextlib.suppress(docker.errors.NotFound):
            manager.containers.get(HUB_NAME).remove(force=True)
        wait_until(
            lambda: not manager.containers.list(all=True),
            timeout_s=60,
            what="the servers' containers to go",
        )
        for leftover in (network, agent_network):
            with contextlib.suppress(Exception):
                manager.networks.get(leftover).remove()
        with contextlib.suppress(Exception):
            manager.secrets.get(_secret_name(swarm)).remove()


def start_swarm_hub(
    swarm: Swarm,
    hub_image: str,
    lab_image: str,
    *,
    name: str,
    network: str,
    agent_network: str,
    agent_secret: str,
    environment: Mapping[str, str] | None = None,
    binds: Mapping[str, str] | None = None,
) -> SwarmHub:
    """Run a hub named *name* on the swarm's manager, with the node agents; return it, answering.

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
            "JUPYTERHUB_SWARM_AGENT_SERVICE": AGENT_SERVICE,
            "JUPYTERHUB_SWARM_AGENT_NETWORK": agent_network,
            "JUPYTERHUB_SWARM_AGENT_PORT": str(AGENT_PORT),
            "JUPYTERHUB_SWARM_AGENT_SECRET_FILE": HUB_SECRET_FILE,
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
        files={HUB_SECRET_FILE: agent_secret},
        networks=[agent_network],
        binds=binds,
    )
    return SwarmHub(
        **vars(started),
        swarm=swarm,
        network=network,
        agent_network=agent_network,
        agent_secret=agent_secret,
    )


def _secret_name(swarm: Swarm) -> str:
    return f"stellars-agent-secret-{swarm.run_id}"


def _start_agents(swarm: Swarm, hub_image: str) -> tuple[str, str]:
    """Start the node agents as a global service; return their network's name and the secret."""
    manager = swarm.manager.client
    secret = secrets.token_urlsafe(32)
    secret_id = manager.secrets.create(name=_secret_name(swarm), data=secret.encode()).id
    network = f"stellars-agents-{swarm.run_id}"
    encrypted = os.environ.get("STELLARS_SWARM_AGENTS_ENCRYPTED", "0") == "1"
    manager.networks.create(
        network,
        driver="overlay",
        attachable=True,
        options={"encrypted": ""} if encrypted else None,
    )
    manager.services.create(
        hub_image,
        ["python", "-m", "stellars_docker.swarm.agent"],
        name=AGENT_SERVICE,
        mode=docker.types.ServiceMode("global"),
        networks=[network],
        mounts=[f"{DOCKER_SOCKET}:{DOCKER_SOCKET}:rw"],
        secrets=[
            docker.types.SecretReference(
                secret_id, _secret_name(swarm), filename=AGENT_SECRET_FILE.rsplit("/", 1)[1]
            )
        ],
        env=[
            f"STELLARS_AGENT_PORT={AGENT_PORT}",
            f"STELLARS_AGENT_SECRET_FILE={AGENT_SECRET_FILE}",
        ],
        endpoint_spec=docker.types.EndpointSpec(mode="dnsrr"),
    )

    def every_node_runs_one() -> bool:
        running = [
            task
            for task in manager.api.tasks(filters={"service": AGENT_SERVICE})
            if task["Status"]["State"] == "running"
        ]
        return len({task["NodeID"] for task in running}) == len(manager.nodes.list())

    try:
        wait_until(
            every_node_runs_one, timeout_s=120, interval_s=1, what="a node agent on every node"
        )
    except AssertionError as error:
        # The engine's own words: an encrypted overlay a node cannot join says so here.
        reasons = {
            f"{task['Status']['State']}: {task['Status'].get('Err') or task['Status']['Message']}"
            for task in manager.api.tasks(filters={"service": AGENT_SERVICE})
        }
        raise AssertionError(f"{error}; the agents' tasks: {sorted(reasons)}") from None
    return network, secret

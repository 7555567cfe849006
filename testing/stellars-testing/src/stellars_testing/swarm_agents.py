"""The platform's node agents on the test swarm, as a deployment runs them.

The hub image as a global service (one task on every node, its node's
engine socket mounted), on an overlay network of its own that the hub
joins, with the shared secret as a swarm secret. The swarm layer's hub
fixture and the swarm stats benchmark both start them here.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stellars_testing.hub_container import DOCKER_SOCKET
from stellars_testing.polling import wait_until

if TYPE_CHECKING:
    from stellars_testing.swarm import Swarm

AGENT_SERVICE = "stellars-agent"
AGENT_PORT = 8090
AGENT_SECRET_FILE = "/run/secrets/stellars-agent-secret"  # noqa: S105  (a path)
# A plain container takes no swarm secret: the hub's copy is put in its file
# system before it starts, where the secret would be.
HUB_SECRET_FILE = "/tmp/stellars-agent-secret"  # noqa: S105, S108  (a path in the hub's container)
# Seconds for every node to run its agent (the image is on every node already).
START_TIMEOUT_S = 120


@dataclass(frozen=True)
class Agents:
    """The running agents: their network, the secret they answer to, and its swarm secret."""

    network: str
    secret: str
    secret_name: str

    def hub_environment(self) -> dict[str, str]:
        """The hub's settings that find these agents (the secret at :data:`HUB_SECRET_FILE`)."""
        return {
            "JUPYTERHUB_SWARM_AGENT_SERVICE": AGENT_SERVICE,
            "JUPYTERHUB_SWARM_AGENT_NETWORK": self.network,
            "JUPYTERHUB_SWARM_AGENT_PORT": str(AGENT_PORT),
            "JUPYTERHUB_SWARM_AGENT_SECRET_FILE": HUB_SECRET_FILE,
        }

    def hub_files(self) -> dict[str, str]:
        """The files to put in the hub's container before it starts: the secret."""
        return {HUB_SECRET_FILE: self.secret}


def start_agents(swarm: Swarm, hub_image: str) -> Agents:
    """Start the node agents from *hub_image* (on every node already) and wait for each.

    The agents' network is plain unless ``STELLARS_SWARM_AGENTS_ENCRYPTED=1``
    (see the swarm layer's conftest for why). The caller removes the
    service, then :func:`remove_agents_leftovers`.

    Raises:
        AssertionError: a node runs no agent in time, with the engine's reasons.
    """
    import docker.types  # noqa: PLC0415 - only the swarm layer pays for the import

    manager = swarm.manager.client
    secret = secrets.token_urlsafe(32)
    secret_name = f"stellars-agent-secret-{swarm.run_id}"
    secret_id = manager.secrets.create(name=secret_name, data=secret.encode()).id
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
                secret_id, secret_name, filename=AGENT_SECRET_FILE.rsplit("/", 1)[1]
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
            every_node_runs_one,
            timeout_s=START_TIMEOUT_S,
            interval_s=1,
            what="a node agent on every node",
        )
    except AssertionError as error:
        # The engine's own words: an encrypted overlay a node cannot join says so here.
        reasons = {
            f"{task['Status']['State']}: {task['Status'].get('Err') or task['Status']['Message']}"
            for task in manager.api.tasks(filters={"service": AGENT_SERVICE})
        }
        raise AssertionError(f"{error}; the agents' tasks: {sorted(reasons)}") from None
    return Agents(network=network, secret=secret, secret_name=secret_name)


def remove_agents_leftovers(swarm: Swarm, agents: Agents) -> None:
    """Remove the agents' network and secret, once their service and the hub are gone."""
    manager = swarm.manager.client
    with contextlib.suppress(Exception):
        manager.networks.get(agents.network).remove()
    with contextlib.suppress(Exception):
        manager.secrets.get(agents.secret_name).remove()

"""The real Docker engine, and cleaning up everything a test run created on it."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stellars_testing.components import require

if TYPE_CHECKING:
    import docker

# Everything a test creates on the engine carries this label with the run's id,
# so cleanup removes exactly what this run made and nothing else.
RUN_LABEL = "org.stellars-hub.test-run"
DEFAULT_LAB_IMAGE = "stellars-hub-lab:latest"
DEFAULT_HUB_IMAGE = "stellars-hub:latest"
DEFAULT_POSTGRES_IMAGE = "stellars-hub-postgres:latest"
DEFAULT_REGISTRY_IMAGE = "stellars-hub-registry:latest"


def connect() -> docker.DockerClient:
    """Return a client of the engine that answers, or stop the test saying how to start one."""
    import docker  # noqa: PLC0415 - only tests of the Docker layer pay for the import

    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except docker.errors.DockerException as error:
        require("Docker engine", str(error), "Run scripts/provision-docker.sh.")
    return client


def lab_image(client: docker.DockerClient) -> str:
    """Return the name of the locally built lab image, or stop the test saying how to build it."""
    return _local_image(client, "lab", "STELLARS_LAB_IMAGE", DEFAULT_LAB_IMAGE)


def hub_image(client: docker.DockerClient) -> str:
    """Return the name of the locally built hub image, or stop the test saying how to build it."""
    return _local_image(client, "hub", "STELLARS_HUB_IMAGE", DEFAULT_HUB_IMAGE)


def postgres_image(client: docker.DockerClient) -> str:
    """Return the name of deploy/stack.yml's PostgreSQL image, or stop saying how to build it."""
    return _local_image(client, "postgres", "STELLARS_POSTGRES_IMAGE", DEFAULT_POSTGRES_IMAGE)


def registry_image(client: docker.DockerClient) -> str:
    """Return the name of deploy/stack.yml's registry image, or stop saying how to build it."""
    return _local_image(client, "registry", "STELLARS_REGISTRY_IMAGE", DEFAULT_REGISTRY_IMAGE)


def _local_image(client: docker.DockerClient, kind: str, variable: str, default: str) -> str:
    # Each image has its provision script, scripts/provision-<kind>-image.sh.
    import docker  # noqa: PLC0415

    name = os.environ.get(variable, default)
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        require(f"{kind} image", f"{name} is not built", f"Run scripts/provision-{kind}-image.sh.")
    return name


def bridge_gateway(client: docker.DockerClient) -> str:
    """Return the host's address on the default bridge, where containers reach the hub."""
    ipam = client.networks.get("bridge").attrs["IPAM"]["Config"][0]
    if "Gateway" in ipam:
        return str(ipam["Gateway"])
    # Older engines report only the subnet; the bridge then takes its first address.
    return str(next(ipaddress.ip_network(ipam["Subnet"]).hosts()))


@dataclass
class DockerRun:
    """The engine and the label that marks what this test run creates."""

    client: docker.DockerClient
    run_id: str

    @property
    def labels(self) -> dict[str, str]:
        """Return the labels to put on every container or volume a test creates."""
        return {RUN_LABEL: self.run_id}

    def cleanup(self) -> None:
        """Remove this run's containers and volumes.

        A container or volume is this run's when it carries the run's label or
        when its name holds the run's id: Docker creates the named volumes of a
        container unlabelled, so tests put the run's id in the usernames and
        volume names they make. Nothing of the developer's own has either.
        """
        selector = {"label": f"{RUN_LABEL}={self.run_id}"}
        for container in self.client.containers.list(all=True, filters=selector):
            container.remove(force=True)
        for volume in self.client.volumes.list():
            labels = volume.attrs["Labels"] or {}
            if self.run_id in volume.name or labels.get(RUN_LABEL) == self.run_id:
                volume.remove(force=True)

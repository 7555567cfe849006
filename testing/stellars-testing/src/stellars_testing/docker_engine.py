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
    import docker  # noqa: PLC0415

    name = os.environ.get("STELLARS_LAB_IMAGE", DEFAULT_LAB_IMAGE)
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        require("lab image", f"{name} is not built", "Run scripts/provision-lab-image.sh.")
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

        A volume is this run's when it carries the run's label, or when a
        container of this run mounted it and its name holds the run's id
        (Docker creates a container's named volumes unlabelled). A volume of
        the developer's own deployment is never either.
        """
        selector = {"label": f"{RUN_LABEL}={self.run_id}"}
        volumes: set[str] = set()
        for container in self.client.containers.list(all=True, filters=selector):
            volumes.update(
                mount["Name"]
                for mount in container.attrs["Mounts"]
                if mount["Type"] == "volume" and self.run_id in mount["Name"]
            )
            container.remove(force=True)
        volumes.update(volume.name for volume in self.client.volumes.list(filters=selector))
        for name in volumes:
            self.client.volumes.get(name).remove(force=True)

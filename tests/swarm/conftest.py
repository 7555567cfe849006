"""The platform on a Docker Swarm of three nodes, each an engine in a container.

The hub runs from the hub image in a container on the manager node, on an
attachable overlay network that the users' servers join, as a deployment on
a swarm runs it; its port is published on the manager node's address, which
the tests reach over the host's bridge. Every user server is a swarm service
(``JUPYTERHUB_SPAWNER=swarm``) that the scheduler places on any node.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import docker.errors
import pytest
import requests

from stellars_testing import wait_until

if TYPE_CHECKING:
    from stellars_testing.swarm import Swarm

HUB_NAME = "hub"
HUB_PORT = 8000
API_PORT = 8081
DOCKER_SOCKET = "/var/run/docker.sock"


@dataclass
class SwarmHub:
    """The hub running on the swarm, and an admin's token for its API."""

    swarm: Swarm
    url: str
    network: str
    container: Any
    token: str = ""

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the hub's REST API (``/hub/api/`` + *path*) with the admin's token."""
        return requests.request(
            method,
            f"{self.url}hub/api/{path}",
            headers={"Authorization": f"token {self.token}"},
            timeout=60,
            **kwargs,
        )

    def logs(self) -> str:
        """The hub's log, the last lines."""
        return str(self.container.logs(tail=80).decode(errors="replace"))

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


def _log_in_and_get_token(url: str, admin: str, password: str) -> str:
    session = requests.Session()
    form = session.get(f"{url}hub/login", timeout=30)
    form.raise_for_status()
    xsrf = session.cookies.get("_xsrf", "")
    home = session.post(
        form.url,
        data={"username": admin, "password": password, "_xsrf": xsrf},
        timeout=30,
    )
    assert home.status_code == 200, f"{home.status_code} {home.url}"
    response = session.post(
        f"{url}hub/api/users/{admin}/tokens",
        json={"note": "swarm tests", "expires_in": 3600},
        headers={"X-XSRFToken": session.cookies.get("_xsrf", "")},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


@pytest.fixture(scope="session")
def swarm_hub(swarm: Swarm, hub_image: str, lab_image: str) -> Any:
    """Start the hub on the swarm's manager; remove it, its servers and network at the end."""
    swarm.load_image(lab_image)
    swarm.load_image(hub_image, nodes=[swarm.manager])
    manager = swarm.manager.client
    network = f"stellars-swarm-{swarm.run_id}"
    manager.networks.create(network, driver="overlay", attachable=True)
    admin, password = "swarm-admin", secrets.token_urlsafe(16)
    container = manager.containers.run(
        hub_image,
        name=HUB_NAME,
        detach=True,
        network=network,
        ports={f"{HUB_PORT}/tcp": None},
        volumes={DOCKER_SOCKET: {"bind": DOCKER_SOCKET, "mode": "rw"}},
        environment={
            "JUPYTERHUB_SPAWNER": "swarm",
            "JUPYTERHUB_NETWORK_NAME": network,
            "JUPYTERHUB_NOTEBOOK_IMAGE": lab_image,
            "JUPYTERHUB_HUB_BIND_URL": f"http://0.0.0.0:{API_PORT}",
            "JUPYTERHUB_HUB_CONNECT_URL": f"http://{HUB_NAME}:{API_PORT}",
            "JUPYTERHUB_SSL_ENABLED": "0",
            # GPUs as the nodes advertise them (one worker does): reserved by
            # count for the groups whose policy grants them, none by default.
            "JUPYTERHUB_GPU_ENABLED": "1",
            "JUPYTERHUB_DEFAULT_GPUS": "none",
            # A local volume on a swarm is one node's: a "shared" one would
            # not be shared. Sharing across nodes needs a multi-host driver.
            "JUPYTERHUB_SHARED_VOLUME": "none",
            "JUPYTERHUB_ADMIN": admin,
            "JUPYTERHUB_ADMIN_PASSWORD": password,
        },
    )
    try:
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"][f"{HUB_PORT}/tcp"][0]["HostPort"]
        url = f"http://{swarm.manager.address}:{port}/"
        hub = SwarmHub(swarm=swarm, url=url, network=network, container=container)

        def healthy() -> bool:
            with contextlib.suppress(requests.RequestException):
                return requests.get(f"{url}hub/health", timeout=5).status_code == 200
            return False

        try:
            wait_until(healthy, timeout_s=120, interval_s=1, what="the hub on the swarm")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{hub.logs()}") from None
        hub.token = _log_in_and_get_token(url, admin, password)
        yield hub
    finally:
        for service in manager.services.list():
            service.remove()
        container.remove(force=True)
        wait_until(
            lambda: not manager.containers.list(all=True),
            timeout_s=60,
            what="the servers' containers to go",
        )
        with contextlib.suppress(Exception):
            manager.networks.get(network).remove()

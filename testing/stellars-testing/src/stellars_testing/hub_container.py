"""The hub image running as a container of one engine, driven through its REST API.

For the tests and benchmarks that run the platform as a deployment runs it:
the hub in its image, its port published on the engine's address. Used by
the swarm layer (the hub on the manager node) and by the swarm spawn
benchmark, which runs a swarm hub and a single-engine hub side by side.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import secrets
import tarfile
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import requests

from stellars_testing.polling import wait_until

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import docker

HUB_PORT = 8000
API_PORT = 8081
DOCKER_SOCKET = "/var/run/docker.sock"
# Seconds a hub container gets to answer its health check after it starts.
START_TIMEOUT_S = 120


@dataclass
class HubContainer:
    """A hub in a container: where it answers, its admin, and the admin's token for its API."""

    url: str
    container: Any
    token: str = ""
    admin: str = ""
    password: str = ""

    def hub_url(self, path: str = "") -> str:
        """Return the public URL of a hub page, e.g. ``hub_url("admin")``."""
        return f"{self.url}hub/{path.lstrip('/')}"

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the hub's REST API (``/hub/api/`` + *path*) with the admin's token."""
        return requests.request(
            method,
            f"{self.url}hub/api/{path}",
            headers={"Authorization": f"token {self.token}"},
            timeout=60,
            **kwargs,
        )

    def logs(self, tail: int | str = 80) -> str:
        """The hub's log, the last *tail* lines ("all": the whole log)."""
        return str(self.container.logs(tail=tail).decode(errors="replace"))


def start_hub_container(
    engine: docker.DockerClient,
    *,
    image: str,
    name: str,
    network: str,
    address: str,
    environment: Mapping[str, str],
    files: Mapping[str, str] | None = None,
    networks: Sequence[str] = (),
    binds: Mapping[str, str] | None = None,
) -> HubContainer:
    """Run the hub image as container *name* of *engine* and return it, answering, logged in.

    The hub joins *network* (and *networks*), mounts the engine's socket and
    publishes its port on *address* (the engine's). *files* (absolute path:
    text) are put in its file system before it starts, readable by its user
    only: what a swarm secret would give a service. *binds* (a path of the
    engine's host: a path in the hub) are mounted read-write. Its admin is
    made from a fresh password; *environment* adds the platform's settings.
    The caller removes the container (and what the hub started).

    Raises:
        AssertionError: the hub did not answer its health check in time (with its log).
    """
    admin, password = "hub-admin", secrets.token_urlsafe(16)
    container = engine.containers.create(
        image,
        name=name,
        detach=True,
        network=network,
        ports={f"{HUB_PORT}/tcp": None},
        volumes={
            DOCKER_SOCKET: {"bind": DOCKER_SOCKET, "mode": "rw"},
            **{source: {"bind": target, "mode": "rw"} for source, target in (binds or {}).items()},
        },
        environment={
            "JUPYTERHUB_HUB_BIND_URL": f"http://0.0.0.0:{API_PORT}",
            "JUPYTERHUB_HUB_CONNECT_URL": f"http://{name}:{API_PORT}",
            "JUPYTERHUB_SSL_ENABLED": "0",
            "JUPYTERHUB_ADMIN": admin,
            "JUPYTERHUB_ADMIN_PASSWORD": password,
            **environment,
        },
    )
    for path, content in (files or {}).items():
        folder, filename = posixpath.split(path)
        container.put_archive(folder, _archive_of(filename, content))
    for extra in networks:
        engine.networks.get(extra).connect(container)
    container.start()
    container.reload()
    port = container.attrs["NetworkSettings"]["Ports"][f"{HUB_PORT}/tcp"][0]["HostPort"]
    hub = HubContainer(
        url=f"http://{address}:{port}/", container=container, admin=admin, password=password
    )

    def healthy() -> bool:
        with contextlib.suppress(requests.RequestException):
            return requests.get(f"{hub.url}hub/health", timeout=5).status_code == HTTPStatus.OK
        return False

    try:
        wait_until(healthy, timeout_s=START_TIMEOUT_S, interval_s=1, what=f"the hub {name}")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{hub.logs()}") from None
    hub.token = admin_token(hub.url, admin, password)
    return hub


def _archive_of(filename: str, content: str) -> bytes:
    data = content.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        entry = tarfile.TarInfo(filename)
        entry.size = len(data)
        entry.mode = 0o400
        archive.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


def admin_token(url: str, admin: str, password: str, *, verify: bool = True) -> str:
    """Log *admin* in through the hub's form at *url* and return a new API token of theirs.

    *verify*: False for a hub with a certificate of its own making.
    """
    session = requests.Session()
    form = session.get(f"{url}hub/login", timeout=30, verify=verify)
    form.raise_for_status()
    # Not followed: the redirect after a login starts the admin's own server.
    logged_in = session.post(
        form.url,
        data={"username": admin, "password": password, "_xsrf": session.cookies.get("_xsrf", "")},
        timeout=30,
        allow_redirects=False,
        verify=verify,
    )
    assert logged_in.status_code == HTTPStatus.FOUND, f"{logged_in.status_code} {logged_in.text}"
    response = session.post(
        f"{url}hub/api/users/{admin}/tokens",
        json={"note": "tests", "expires_in": 3600},
        headers={"X-XSRFToken": session.cookies.get("_xsrf") or ""},
        timeout=30,
        verify=verify,
    )
    assert response.status_code == HTTPStatus.CREATED, response.text
    return str(response.json()["token"])

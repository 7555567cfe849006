"""deploy/stack.yml deployed by ``docker stack deploy`` on the test swarm, as an admin deploys it.

The admin's steps of deploy/README.md, in order: the images on the nodes
(copied, as ``docker save | docker load`` does), one worker labelled for the
database and the other for the registry, the three secrets created, then
``docker stack deploy`` of the file as it is, with only its documented
variables set to the images this run built. The hub must answer on the
manager's own port, the admin log in with the secret's password, a user's
server start as a service of its own and answer through the hub, and the
accounts be in the stack's PostgreSQL. ``docker stack rm`` and the admin's
clean-up of volumes and secrets then leave nothing on any node.

The hub serves HTTPS with the self-signed certificate it makes (the file's
default). The certificate names the hub's container, not the manager's
address the test reaches, so requests do not verify it; the test checks
instead that the certificate served is the one the hub generated.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docker.errors
import pytest
import requests

from stellars_testing import wait_until
from stellars_testing.docker_engine import postgres_image, registry_image
from stellars_testing.hub_container import admin_token

if TYPE_CHECKING:
    from stellars_testing.swarm import Swarm, SwarmNode

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

STACK_FILE = Path(__file__).resolve().parents[2] / "deploy" / "stack.yml"
STACK = "stellars"
NAMESPACE_LABEL = "com.docker.stack.namespace"
SECRET_NAMES = (
    "stellars_db_password",
    "stellars_admin_password",
    "stellars_cookie_secret",
    "stellars_agent_secret",
)
# The stack's volumes (their fixed names in stack.yml) and those of a server
# of the test's user or of the admin (whose server no test starts).
USER = "stackuser"
ADMIN = "admin"
LAB_SERVICES = tuple(f"jupyterlab-{name}" for name in (USER, ADMIN))
USER_VOLUMES = tuple(
    f"{service}_{kind}" for service in LAB_SERVICES for kind in ("home", "workspace", "cache")
)
STACK_VOLUMES = ("stellars-hub-data", "stellars-hub-db", "stellars-hub-registry")
USERS_NETWORK = "stellars-hub"
NODE_LABELS = {"db": "stellars.db", "registry": "stellars.registry"}
HUB_PORT = 8000
REGISTRY_PORT = 5000
CERT_PATH = "/srv/jupyterhub/data/ssl/cert.pem"
# The hub waits for PostgreSQL's first start (the cluster is made then) by
# exiting and being started again by the swarm; on a busy two-core machine.
START_TIMEOUT_S = 180
SERVER_TIMEOUT_S = 180


@dataclass
class Stack:
    """The deployed stack: where it runs, the admin's session and token."""

    swarm: Swarm
    db_node: SwarmNode
    registry_node: SwarmNode
    admin_password: str
    url: str
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request to the hub (*path* below its root) with the admin's token, if any."""
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        headers.update(kwargs.pop("headers", {}))
        # verify per request: REQUESTS_CA_BUNDLE would override a session's.
        return self.session.request(
            method, f"{self.url}{path}", headers=headers, timeout=60, verify=False, **kwargs
        )

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the hub's REST API (``hub/api/`` + *path*)."""
        return self.request(method, f"hub/api/{path}", **kwargs)

    def service_containers(self, node: SwarmNode, service: str) -> list[Any]:
        """The containers of the stack's *service* (``hub``, ``db``) on *node*."""
        label = f"com.docker.swarm.service.name={STACK}_{service}"
        return list(node.client.containers.list(filters={"label": label}))

    def logs(self) -> str:
        """The hub's log, the last lines, for failure messages."""
        with contextlib.suppress(docker.errors.DockerException, ValueError):
            (hub,) = self.service_containers(self.swarm.manager, "hub")
            tasks = self.cli("stack", "ps", "--no-trunc", STACK).stdout
            return f"{tasks}\n{hub.logs(tail=60).decode(errors='replace')}"
        return str(self.cli("stack", "ps", "--no-trunc", STACK).stdout)

    def cli(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Run the docker CLI against the manager's engine, as an admin on the manager does."""
        return subprocess.run(
            ["docker", "--host", self.swarm.manager.engine_url, *args],
            check=False,
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, **(env or {})},
        )


def _label_node(node: SwarmNode, manager: Any, label: str, *, on: bool) -> None:
    swarm_node = manager.nodes.get(node.node_id())
    spec = swarm_node.attrs["Spec"]
    labels = dict(spec.get("Labels") or {})
    if on:
        labels[label] = "true"
    else:
        labels.pop(label, None)
    swarm_node.update({**spec, "Labels": labels})


def _leftovers(stack: Stack) -> list[str]:
    """What of the stack and the test's user is still on the swarm, in words."""
    manager = stack.swarm.manager.client
    stack_label = {"label": f"{NAMESPACE_LABEL}={STACK}"}
    found = [f"service {s.name}" for s in manager.services.list(filters=stack_label)]
    found += [f"service {s.name}" for s in manager.services.list() if s.name in LAB_SERVICES]
    found += [f"secret {s.name}" for s in manager.secrets.list() if s.name in SECRET_NAMES]
    for node in stack.swarm.nodes:
        found += [
            f"network {n.name} on {node.name}"
            for n in node.client.networks.list(filters=stack_label)
        ]
        found += [
            f"network {n.name} on {node.name}"
            for n in node.client.networks.list(names=[USERS_NETWORK])
        ]
        found += [
            f"container {c.name} on {node.name}"
            for c in node.client.containers.list(all=True, filters=stack_label)
        ]
        found += [
            f"volume {v.name} on {node.name}"
            for v in node.client.volumes.list()
            if v.name in STACK_VOLUMES + USER_VOLUMES
        ]
        labels = manager.nodes.get(node.node_id()).attrs["Spec"].get("Labels") or {}
        found += [
            f"label {label} on {node.name}" for label in NODE_LABELS.values() if label in labels
        ]
    return found


def _stack_rm(stack: Stack) -> None:
    outcome: list[str] = []

    def removed() -> bool:
        # A network a service was just removed from may still count as in
        # use for a moment: stack rm then fails for it alone, and is run again.
        result = stack.cli("stack", "rm", STACK)
        outcome[:] = [result.stderr]
        return result.returncode == 0 or "Nothing found" in result.stderr

    try:
        wait_until(removed, timeout_s=60, interval_s=2, what="docker stack rm to succeed")
    except AssertionError as error:
        services = stack.cli("service", "ls").stdout
        raise AssertionError(f"{error}: {outcome}\n{services}") from None


def _containers_left(node: SwarmNode) -> list[Any]:
    """The containers of the stack's services and of the users' on *node*."""
    services = [f"{NAMESPACE_LABEL}={STACK}"]
    services += [f"com.docker.swarm.service.name={service}" for service in LAB_SERVICES]
    return [
        container
        for label in services
        for container in node.client.containers.list(
            all=True, filters={"label": label}, ignore_removed=True
        )
    ]


def _remove_everything(stack: Stack) -> None:
    """Run ``docker stack rm``, then remove what an admin removes by hand (deploy/README.md)."""
    manager = stack.swarm.manager.client
    # The users' services are the hub's, not the stack's: stack rm leaves them.
    for service in manager.services.list():
        if service.name in LAB_SERVICES:
            service.remove()
    _stack_rm(stack)
    wait_until(
        lambda: not any(_containers_left(node) for node in stack.swarm.nodes),
        timeout_s=90,
        what="the stack's containers to go",
    )
    for node in stack.swarm.nodes:
        for name in STACK_VOLUMES + USER_VOLUMES:
            with contextlib.suppress(docker.errors.NotFound):
                node.client.volumes.get(name).remove()
    for secret in manager.secrets.list():
        if secret.name in SECRET_NAMES:
            secret.remove()
    _label_node(stack.db_node, manager, NODE_LABELS["db"], on=False)
    _label_node(stack.registry_node, manager, NODE_LABELS["registry"], on=False)
    # Overlay networks go from the workers once their last task has.
    wait_until(lambda: not _leftovers(stack), timeout_s=60, what="nothing of the stack left")


@pytest.fixture(scope="module")
def stack(swarm, docker_run, hub_image, lab_image):
    """Deploy deploy/stack.yml as deploy/README.md says; remove it and all it made at the end."""
    images = {
        "STELLARS_HUB_IMAGE": hub_image,
        "STELLARS_LAB_IMAGE": lab_image,
        "STELLARS_POSTGRES_IMAGE": postgres_image(docker_run.client),
        "STELLARS_REGISTRY_IMAGE": registry_image(docker_run.client),
    }
    db_node, registry_node = swarm.workers
    # The images where their services may run: the users' servers anywhere.
    swarm.load_image(images["STELLARS_HUB_IMAGE"], nodes=[swarm.manager])
    swarm.load_image(images["STELLARS_LAB_IMAGE"])
    swarm.load_image(images["STELLARS_POSTGRES_IMAGE"], nodes=[db_node])
    swarm.load_image(images["STELLARS_REGISTRY_IMAGE"], nodes=[registry_node])
    manager = swarm.manager.client
    stack = Stack(
        swarm=swarm,
        db_node=db_node,
        registry_node=registry_node,
        admin_password=secrets.token_urlsafe(16),
        url=f"https://{swarm.manager.address}:{HUB_PORT}/",
    )
    values = {
        "stellars_db_password": secrets.token_urlsafe(24),
        "stellars_admin_password": stack.admin_password,
        "stellars_cookie_secret": secrets.token_hex(32),
        "stellars_agent_secret": secrets.token_urlsafe(32),
    }
    try:
        _label_node(db_node, manager, NODE_LABELS["db"], on=True)
        _label_node(registry_node, manager, NODE_LABELS["registry"], on=True)
        for name, value in values.items():
            manager.secrets.create(name=name, data=value.encode())
        # --resolve-image never: the images are the nodes' own, in no registry.
        deployed = stack.cli(
            "stack",
            "deploy",
            "--resolve-image",
            "never",
            "--compose-file",
            str(STACK_FILE),
            STACK,
            env=images,
        )
        assert deployed.returncode == 0, f"{deployed.stdout}\n{deployed.stderr}"

        def healthy() -> bool:
            with contextlib.suppress(requests.RequestException):
                return stack.request("GET", "hub/health").status_code == 200
            return False

        try:
            wait_until(healthy, timeout_s=START_TIMEOUT_S, interval_s=1, what="the stack's hub")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{stack.logs()}") from None
        stack.token = admin_token(stack.url, ADMIN, stack.admin_password, verify=False)
        yield stack
    finally:
        # Again after the last test, which removed it all: then it finds
        # nothing to do. Earlier, it removes what a failed test left.
        _remove_everything(stack)


def test_the_hub_answers_on_the_managers_port_with_the_certificate_it_made(stack):
    (hub,) = stack.service_containers(stack.swarm.manager, "hub")
    generated = hub.exec_run(["cat", CERT_PATH])
    assert generated.exit_code == 0, generated.output
    served = ssl.get_server_certificate((stack.swarm.manager.address, HUB_PORT))
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(generated.output.decode())


def test_the_admin_logged_in_with_the_secrets_password_and_a_users_server_answers(stack):
    assert stack.api("POST", f"users/{USER}").status_code == 201
    started = stack.api("POST", f"users/{USER}/server")
    assert started.status_code in {201, 202}, started.text

    def ready() -> bool:
        response = stack.api("GET", f"users/{USER}")
        response.raise_for_status()
        return bool(response.json()["servers"].get("", {}).get("ready"))

    try:
        wait_until(ready, timeout_s=SERVER_TIMEOUT_S, interval_s=1, what=f"{USER}'s server")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{stack.logs()}") from None
    # The server is a swarm service of its own, not one of the stack's.
    (service,) = stack.swarm.manager.client.services.list(filters={"name": f"jupyterlab-{USER}"})
    assert NAMESPACE_LABEL not in service.attrs["Spec"].get("Labels", {})
    # JupyterLab answers through the hub's proxy.
    status = stack.request("GET", f"user/{USER}/api/status")
    assert status.status_code == 200, status.text
    assert "started" in status.json()


def test_the_accounts_are_in_the_stacks_postgresql_on_the_labelled_node(stack):
    # Only on the node labelled for it: the volume that holds the database is there.
    (db,) = stack.service_containers(stack.db_node, "db")
    query = "SELECT name FROM users ORDER BY name"
    result = db.exec_run(["psql", "--no-psqlrc", "-At", "--dbname", "jupyterhub", "-c", query])
    assert result.exit_code == 0, result.output
    assert result.output.decode().split() == [ADMIN, USER]
    # ... and not in a SQLite file of the hub's (the image's default database).
    (hub,) = stack.service_containers(stack.swarm.manager, "hub")
    assert hub.exec_run(["test", "-e", "/srv/jupyterhub/data/jupyterhub.sqlite"]).exit_code == 1


def test_the_registry_serves_on_its_labelled_node(stack):
    assert stack.service_containers(stack.registry_node, "registry")
    response = requests.get(f"http://{stack.registry_node.address}:{REGISTRY_PORT}/v2/", timeout=30)
    assert response.status_code == 200, response.text


def test_stack_rm_and_the_admins_clean_up_leave_nothing(stack):
    _remove_everything(stack)
    assert _leftovers(stack) == []

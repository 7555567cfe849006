"""deploy/compose.yml run by a real compose on the real engine, with the images built here.

The hub container runs exactly as the file describes: compose reads
deploy/compose.yml itself, and the test adds only an override file that
renames what would collide with another run or a real deployment on the same
engine (project, network, hub data volume, shared volume, published port,
admin) and labels it for the run's cleanup. Then a person logs in through
the form, starts their server, and JupyterLab answers through the hub.

The hub runs with the file's default, JUPYTERHUB_SSL_ENABLED=1 and no
certificate given: it serves https with the self-signed certificate it
generated on its data volume, which the test copies out of the container
and verifies every request against, as an operator would trust it.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import yaml

from stellars_testing import require, wait_until
from stellars_testing.docker_engine import DEFAULT_HUB_IMAGE, DEFAULT_LAB_IMAGE, RUN_LABEL
from stellars_testing.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "deploy" / "compose.yml"
SERVICE = "hub"
# Where the hub image keeps its state (its working folder; see deploy/hub/Dockerfile).
STATE_DIR = "/srv/jupyterhub/data"
# Where the compose file has the hub generate its certificate: on the data volume.
CERT_PATH = f"{STATE_DIR}/ssl/cert.pem"
DOCKER_SOCKET = "/var/run/docker.sock"


def _compose_model() -> dict[str, Any]:
    model: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return model


def _hub_service() -> dict[str, Any]:
    service: dict[str, Any] = _compose_model()["services"][SERVICE]
    return service


# ------------------------------------------------------------------ the file itself


def test_the_lab_network_setting_names_the_network_compose_creates():
    model = _compose_model()
    (network_key,) = _hub_service()["networks"]
    assert (
        _hub_service()["environment"]["JUPYTERHUB_NETWORK_NAME"]
        == model["networks"][network_key]["name"]
    )


def test_lab_containers_reach_the_hub_by_its_service_name():
    environment = _hub_service()["environment"]
    connect = urlsplit(environment["JUPYTERHUB_HUB_CONNECT_URL"])
    bind = urlsplit(environment["JUPYTERHUB_HUB_BIND_URL"])
    assert connect.hostname == SERVICE
    assert connect.port == bind.port
    assert bind.hostname == "0.0.0.0"  # the hub's API must answer on the network


def test_the_hub_serves_https_by_default_with_its_certificate_on_the_data_volume():
    environment = _hub_service()["environment"]
    assert environment["JUPYTERHUB_SSL_ENABLED"] == "${JUPYTERHUB_SSL_ENABLED:-1}"
    assert f"{environment['JUPYTERHUB_SSL_DIR']}/cert.pem" == CERT_PATH
    assert any(volume.endswith(f":{STATE_DIR}") for volume in _hub_service()["volumes"])


def test_the_file_uses_the_images_the_scripts_build():
    service = _hub_service()
    assert service["image"] == DEFAULT_HUB_IMAGE
    assert service["environment"]["JUPYTERHUB_NOTEBOOK_IMAGE"] == DEFAULT_LAB_IMAGE


# ------------------------------------------------------------------ the running deployment


@dataclass
class Deployment:
    """The compose project under test and how to reach its hub."""

    compose: list[str]
    project: str
    run_id: str
    env: dict[str, str]
    url: str
    admin: str
    password: str
    network: str
    data_volume: str
    client: Any
    # The hub's certificate, copied out of its container once it made it.
    ca_cert: Path

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """Run a compose command on this project."""
        return subprocess.run(
            [*self.compose, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=COMPOSE_FILE.parent,
        )

    def hub_container(self) -> Any:
        """Return the hub's container, the one compose made for the service."""
        (container,) = self.client.containers.list(
            all=True,
            filters={
                "label": [
                    f"{RUN_LABEL}={self.run_id}",
                    f"com.docker.compose.project={self.project}",
                    f"com.docker.compose.service={SERVICE}",
                ]
            },
        )
        return container

    def certificate(self) -> bytes | None:
        """Return the certificate the hub generated (PEM), or None while there is none."""
        result = self.hub_container().exec_run(["cat", CERT_PATH])
        return bytes(result.output) if result.exit_code == 0 else None

    def session(self) -> requests.Session:
        """Return a browser-like session that trusts the hub's certificate and nothing else."""
        session = requests.Session()
        # Without the environment, whose REQUESTS_CA_BUNDLE would replace
        # the session's own verify with the system's CAs.
        session.trust_env = False
        session.verify = str(self.ca_cert)
        return session

    def logs(self) -> str:
        """Return the tail of the hub's log, for failure messages."""
        with contextlib.suppress(Exception):
            tail = self.hub_container().logs(tail=80).decode(errors="replace")
            return f"--- hub container log ---\n{tail}"
        return "(no hub container)"

    def wait_until_healthy(self, timeout_s: float = 120) -> None:
        """Wait for /hub/health through the published port."""

        def healthy() -> bool:
            container = self.hub_container()
            container.reload()
            assert container.status != "exited", f"the hub container exited\n{self.logs()}"
            if container.status != "running" or not (certificate := self.certificate()):
                return False
            self.ca_cert.write_bytes(certificate)
            with contextlib.suppress(requests.ConnectionError):
                return self.session().get(f"{self.url}hub/health", timeout=5).ok
            return False

        try:
            wait_until(healthy, timeout_s=timeout_s, what="the hub's /hub/health")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.logs()}") from None


def _compose_command() -> list[str]:
    found = os.environ.get("STELLARS_COMPOSE") or shutil.which("docker-compose")
    if not found:
        require("docker-compose", "not found", "Run scripts/provision-compose.sh.")
    return [found]


def _override(deployment_names: dict[str, str], hub_image: str, lab_image: str, run: Any) -> str:
    """Return the override file: new names for isolation, the run's label, nothing else."""
    model = _compose_model()
    (network_key,) = _hub_service()["networks"]
    (data_key,) = model["volumes"]
    labels = dict(run.labels)
    override: dict[str, Any] = {
        "services": {
            SERVICE: {
                # The images the harness found (STELLARS_HUB_IMAGE/_LAB_IMAGE may name others).
                "image": hub_image,
                "labels": labels,
                "environment": {
                    "JUPYTERHUB_NOTEBOOK_IMAGE": lab_image,
                    "JUPYTERHUB_NETWORK_NAME": deployment_names["network"],
                    "JUPYTERHUB_SHARED_VOLUME": deployment_names["shared_volume"],
                },
            }
        },
        "networks": {network_key: {"name": deployment_names["network"], "labels": labels}},
        "volumes": {data_key: {"name": deployment_names["data_volume"], "labels": labels}},
    }
    socket = os.environ.get("DOCKER_HOST", "")
    if socket.startswith("unix://") and socket.removeprefix("unix://") != DOCKER_SOCKET:
        # Compose merges volumes by their path in the container: this replaces
        # the file's host socket with the one this engine listens on.
        override["services"][SERVICE]["volumes"] = [
            f"{socket.removeprefix('unix://')}:{DOCKER_SOCKET}"
        ]
    return yaml.safe_dump(override, sort_keys=False)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, docker_run, hub_image, lab_image):
    """Bring the compose project up; take it down, with everything it started, at the end."""
    compose = _compose_command()
    run_id = docker_run.run_id
    names = {
        "network": f"stellars-deploy-{run_id}",
        "data_volume": f"stellars-deploy-data-{run_id}",
        "shared_volume": f"stellars_deploy_shared_{run_id}",
    }
    folder = tmp_path_factory.mktemp("compose")
    override = folder / "override.yml"
    override.write_text(_override(names, hub_image, lab_image, docker_run))
    port = free_port()
    # The ${...} of compose.yml, set as an operator's .env would set them.
    admin, password = f"admin-{run_id}", secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "STELLARS_HUB_PORT": f"127.0.0.1:{port}",
        "JUPYTERHUB_ADMIN": admin,
        "JUPYTERHUB_ADMIN_PASSWORD": password,
    }
    project = f"stellars-deploy-{run_id}"
    command = [*compose, "--project-name", project]
    command += ["--file", str(COMPOSE_FILE), "--file", str(override)]
    deployment = Deployment(
        compose=command,
        project=project,
        run_id=run_id,
        env=env,
        url=f"https://127.0.0.1:{port}/",
        admin=admin,
        password=password,
        network=names["network"],
        data_volume=names["data_volume"],
        client=docker_run.client,
        ca_cert=folder / "hub-cert.pem",
    )
    try:
        up = deployment.run("up", "--detach")
        assert up.returncode == 0, f"compose up failed:\n{up.stdout}\n{up.stderr}"
        deployment.wait_until_healthy()
        yield deployment
    finally:
        # The lab containers are the hub's, not compose's: they go first, or
        # the network they are attached to could not be removed.
        for container in docker_run.client.containers.list(all=True):
            if run_id in container.name:
                container.remove(force=True)
        down = deployment.run("down", "--volumes", "--timeout", "20")
        assert down.returncode == 0, f"compose down failed:\n{down.stdout}\n{down.stderr}"


def _xsrf(page: requests.Response) -> str:
    match = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    assert match, f"no XSRF field in {page.url}"
    return html.unescape(match.group(1))


def _log_in(deployment: Deployment) -> tuple[requests.Session, requests.Response]:
    session = deployment.session()
    form = session.get(f"{deployment.url}hub/login?next=%2Fhub%2Fhome", timeout=30)
    form.raise_for_status()
    home = session.post(
        form.url,
        data={"username": deployment.admin, "password": deployment.password, "_xsrf": _xsrf(form)},
        timeout=30,
    )
    assert home.status_code == 200, f"{home.status_code} {home.url}\n{deployment.logs()}"
    assert urlsplit(home.url).path == "/hub/home", f"not logged in: {home.url}"
    return session, home


def _lab_answers(deployment: Deployment, session: requests.Session) -> requests.Response | None:
    # Before the lab is up the hub answers for it (a spawn-pending page);
    # once it is, the page goes through the hub's OAuth, which the lab
    # completes by calling the hub's API at JUPYTERHUB_HUB_CONNECT_URL, and
    # ends at the lab's own page. (The lab's API answers 403 without that
    # cookie rather than redirecting, so the page is what to ask for.)
    lab_path = f"/user/{deployment.admin}/lab"
    response = session.get(f"{deployment.url}{lab_path.lstrip('/')}", timeout=30)
    if response.status_code == 200 and urlsplit(response.url).path == lab_path:
        return response
    return None


@pytest.fixture(scope="module")
def running_lab(deployment):
    """Log the admin in, start their server with the home page's button, wait for it."""
    session, home = _log_in(deployment)
    button = re.search(r'<a id="start"[^>]*href="([^"]+)"', home.text)
    assert button, f"no start button on the home page:\n{home.text}"
    started = session.get(urljoin(home.url, html.unescape(button.group(1))), timeout=60)
    assert started.status_code == 200, f"{started.status_code}\n{deployment.logs()}"
    try:
        wait_until(
            lambda: _lab_answers(deployment, session),
            timeout_s=180,
            interval_s=1,
            what="JupyterLab through the hub",
        )
    except AssertionError as error:
        raise AssertionError(f"{error}\n{deployment.logs()}") from None
    return session


def test_a_person_logs_in_starts_a_lab_and_reaches_jupyterlab(deployment, running_lab):
    lab = _lab_answers(deployment, running_lab)
    assert lab is not None
    assert "jupyter-config-data" in lab.text  # JupyterLab's own page, not the hub's
    status = running_lab.get(f"{deployment.url}user/{deployment.admin}/api/status", timeout=30)
    assert status.status_code == 200
    assert "started" in status.json()  # the lab's server API, through the proxy
    # DockerSpawner put the lab on the compose network, as JUPYTERHUB_NETWORK_NAME says.
    attached = deployment.client.networks.get(deployment.network).containers
    labs = [c.name for c in attached if c.id != deployment.hub_container().id]
    assert len(labs) == 1, labs
    assert deployment.run_id in labs[0]


def test_the_hub_state_is_in_the_data_volume(deployment, running_lab):
    mounts = {m["Destination"]: m for m in deployment.hub_container().attrs["Mounts"]}
    assert mounts[STATE_DIR]["Name"] == deployment.data_volume
    listing = deployment.hub_container().exec_run(["ls", STATE_DIR]).output.decode()
    assert {"jupyterhub.sqlite", "jupyterhub_cookie_secret", "ssl"} <= set(listing.split())


def test_a_recreated_hub_container_keeps_sessions_and_running_labs(deployment, running_lab):
    # What an upgrade does: a new container from the (new) image, same volume.
    before = deployment.hub_container().id
    certificate = deployment.certificate()
    recreated = deployment.run("up", "--detach", "--force-recreate")
    assert recreated.returncode == 0, f"{recreated.stdout}\n{recreated.stderr}"
    assert deployment.hub_container().id != before
    deployment.wait_until_healthy()
    # The new hub kept the certificate on the volume, the one browsers were told to trust.
    assert deployment.certificate() == certificate
    # Same cookie secret and database: the person is still logged in, and the
    # hub found their running lab again instead of losing it.
    home = running_lab.get(f"{deployment.url}hub/home", timeout=30)
    assert urlsplit(home.url).path == "/hub/home", f"logged out: {home.url}"
    assert wait_until(
        lambda: _lab_answers(deployment, running_lab),
        timeout_s=60,
        what="the running lab through the recreated hub",
    )

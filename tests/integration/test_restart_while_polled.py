"""A restart in place while JupyterHub polls the server: the hub keeps it, the engine keeps it.

Between the engine stopping the container and starting it again, the
container is "exited". JupyterHub polls every running server (every
``Spawner.poll_interval``, and whenever its owner opens the home page); a
poll that lands in that window concludes the server died and stops it, which
with ``remove=True`` deletes the container. Here the hub polls every second
and the owner opens the home page all through the restart, so polls land in
the window.
"""

import dataclasses
import threading
import time

import docker.errors
import pytest
import requests
from accounts import signed_up, user_token
from lab_containers import run_username

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.naming import container_name, volume_name

PASSWORD = "restart-poll-passphrase"
POLL_INTERVAL_S = 1  # the least JupyterHub allows
# The platform's restart waits for the server up to JUPYTERHUB_RESTART_TIMEOUT.
RESTART_ANSWER_TIMEOUT_S = 180.0


@pytest.fixture
def hub(docker_platform):
    return docker_platform(
        {"JUPYTERHUB_RESTART_TIMEOUT": "150"},
        extra_config=f"c.Spawner.poll_interval = {POLL_INTERVAL_S}",
    )


def _open_home_until(owner, hub, done, visits):
    # Each visit of /hub/home by a user whose server runs makes the hub poll it.
    while not done.is_set():
        visits.append(owner.get(hub.hub_url("home"), timeout=30).status_code)
        time.sleep(0.05)


def _log_without_visits(hub, lines=60):
    # The home page visits fill the log; what the restart and the polls did is the rest.
    kept = [line for line in hub.log_since_start().splitlines() if "/hub/home " not in line]
    return "\n".join(["--- hub log, home page visits left out ---", *kept[-lines:]])


def test_a_poll_during_a_restart_does_not_stop_the_server(
    hub, docker_run, admin_name, admin_password
):
    username = run_username(docker_run, "rp")
    owner = signed_up(hub, username, PASSWORD, admin_name, admin_password)
    token = user_token(hub, username)
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)
    container = docker_run.client.containers.get(container_name("jupyterlab-{username}", username))

    patient = dataclasses.replace(hub, api_timeout=RESTART_ANSWER_TIMEOUT_S)
    restarted = threading.Event()
    visits = []
    visitor = threading.Thread(target=_open_home_until, args=(owner, hub, restarted, visits))
    visitor.start()
    try:
        response = patient.api("POST", f"users/{username}/restart-server", token=token)
    finally:
        restarted.set()
        visitor.join()
    assert visits, "the owner never opened the home page during the restart"
    assert set(visits) == {200}, visits
    log = _log_without_visits(hub)
    assert response.status_code == 200, f"{response.text}\n{log}"
    # The hub says this the moment a poll makes it stop a server, before it stops it.
    assert f"User {username} server stopped" not in hub.log_since_start(), log

    try:
        container.reload()
    except docker.errors.NotFound:
        pytest.fail(f"the restarted container was removed\n{log}")
    assert container.attrs["State"]["Running"], log
    server = hub.user_model(username)["servers"].get("") or {}
    assert server.get("ready"), f"the hub no longer counts the server running\n{log}"
    volumes = {volume.name for volume in docker_run.client.volumes.list()}
    assert {volume_name(volume, username) for volume in DEFAULT_USER_VOLUMES} <= volumes
    # Through the proxy: the route points at the restarted container.
    lab = requests.get(
        hub.user_url(username, "api/status"),
        headers={"Authorization": f"token {token}"},
        timeout=30,
    )
    assert lab.status_code == 200, f"{lab.status_code} {lab.text[:200]}\n{log}"

"""Docker-access grants on the platform spawning into the real engine.

Two ways a membership of ``docker-sock`` reaches a spawn that the hub-layer
tests cannot show, since what counts is the container the engine creates:

- the operator lists the member in ``c.JupyterHub.load_groups``, written
  in ``jupyterhub_config.py`` before ``configure(c)`` as well as after: it is
  the operator's grant, and the lab gets the engine's socket;
- the holder of ``groups!group=docker-sock`` adds someone through the hub's
  own port (``hub_bind_url``), which every lab container reaches without the
  proxy: the membership exists, but the spawn gives no socket and the hub
  logs why, exactly as through the proxy (``packages/stellars-docker``'s
  engine test covers that path).

``docker-sock`` only: a privileged container cannot start on this machine's
kernel, and the rule is the same for both groups (the hub-layer tests list
``docker-privileged`` grants).
"""

import pytest
import requests

from stellars_docker.naming import container_name
from stellars_testing.hub import platform_config

SOCKET = "/var/run/docker.sock"  # the platform's default; the engine's socket here
PASSWORD = "docker-grants-engine-passphrase"


@pytest.fixture(scope="module")
def names(docker_run):
    run = docker_run.run_id
    return {
        "admin": f"boss-{run}",
        "before": f"listed-before-{run}",  # listed above configure(c)
        "after": f"listed-after-{run}",  # listed below it
        "keeper": f"keeper-{run}",  # holds groups!group=docker-sock and nothing more
        "slipped": f"slipped-{run}",  # added by the keeper through the hub's own port
    }


@pytest.fixture(scope="module")
def hub(module_hub_factory, docker_run, lab_image, docker_host_ip, names):
    environ = {
        "JUPYTERHUB_ADMIN": names["admin"],
        "JUPYTERHUB_ADMIN_PASSWORD": PASSWORD,
        "JUPYTERHUB_NOTEBOOK_IMAGE": lab_image,
        "JUPYTERHUB_SHARED_VOLUME": f"stellars_test_shared_{docker_run.run_id}",
        "JUPYTERHUB_GPU_ENABLED": "0",
    }
    before = f'c.JupyterHub.load_groups = {{"docker-sock": {{"users": [{names["before"]!r}]}}}}\n'
    after = f"""
c.DockerSpawner.extra_create_kwargs["labels"].update({docker_run.labels!r})
c.JupyterHub.load_groups["docker-sock"].setdefault("users", []).append({names["after"]!r})
c.JupyterHub.load_roles.append(
    {{"name": "keeper", "scopes": ["groups!group=docker-sock"], "users": [{names["keeper"]!r}]}}
)
"""
    return module_hub_factory(before + platform_config(environ, after), hub_ip=docker_host_ip)


def _start(hub, username):
    response = hub.api("POST", f"users/{username}/server")
    assert response.status_code in {201, 202}, response.text
    hub.wait_for_server(username, running=True)


def _binds(docker_run, username):
    container = docker_run.client.containers.get(container_name("jupyterlab-{username}", username))
    return container.attrs["HostConfig"]["Binds"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_member_listed_in_the_configuration_gets_the_socket(hub, docker_run, names, where):
    username = names[where]
    assert username in hub.api("GET", "groups/docker-sock").json()["users"]
    _start(hub, username)
    assert f"{SOCKET}:{SOCKET}:rw" in _binds(docker_run, username)
    # The harness's own token holds core scopes only; the platform admin reads the grants.
    admin_token = hub.api("POST", f"users/{names['admin']}/tokens", json={}).json()["token"]
    response = hub.api("GET", "stellars/docker-grants", token=admin_token)
    assert response.status_code == 200, response.text
    grants = response.json()["groups"][0]
    listed = {member["username"]: member for member in grants["members"]}
    assert listed[username]["granted_by"] == "configuration (c.JupyterHub.load_groups)"
    assert listed[username]["counts_at_spawn"] is True


def test_a_filtered_token_on_the_hubs_own_port_gives_no_socket(hub, docker_run, names):
    response = hub.api(
        "POST", f"users/{names['keeper']}/tokens", json={"scopes": ["groups!group=docker-sock"]}
    )
    assert response.status_code == 201, response.text
    keeper_token = response.json()["token"]
    slipped = names["slipped"]
    hub.create_user(slipped)
    # What a lab can do: JUPYTERHUB_API_URL is the hub's own port, no proxy in between.
    response = requests.post(
        hub.direct_hub_url("api/groups/docker-sock/users"),
        headers={"Authorization": f"token {keeper_token}"},
        json={"users": [slipped]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert slipped in hub.api("GET", "groups/docker-sock").json()["users"]

    _start(hub, slipped)
    assert f"{SOCKET}:{SOCKET}:rw" not in _binds(docker_run, slipped)
    log = hub.log_since_start()
    assert f"{slipped} is in docker-sock by {names['keeper']}, who is not a full admin" in log

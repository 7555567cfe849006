"""Driving users' servers on the test swarm through the hub's REST API."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests

from stellars_testing import wait_until

if TYPE_CHECKING:
    from collections.abc import Iterator

SERVER_TIMEOUT_S = 180
# What "fails within seconds" allows on a busy two-core machine: the engine
# says why at once; the placement grace is 5 s.
FAILURE_WITHIN_S = 30


def service_name(username: str) -> str:
    # The platform's default container name template, jupyterlab-{username}.
    return f"jupyterlab-{username}"


def ready(swarm_hub, username: str) -> bool:
    response = swarm_hub.api("GET", f"users/{username}")
    response.raise_for_status()
    return bool(response.json()["servers"].get("", {}).get("ready"))


def start(swarm_hub, username: str, **options) -> None:
    response = swarm_hub.api("POST", f"users/{username}/server", json=options)
    assert response.status_code in {201, 202}, f"{response.text}\n{swarm_hub.logs(30)}"


def wait_ready(swarm_hub, username: str) -> None:
    try:
        wait_until(
            lambda: ready(swarm_hub, username),
            timeout_s=SERVER_TIMEOUT_S,
            interval_s=1,
            what=f"{username}'s server on the swarm",
        )
    except AssertionError as error:
        raise AssertionError(f"{error}\n{swarm_hub.logs()}") from None


def lab_status(swarm_hub, username: str) -> requests.Response:
    return requests.get(
        f"{swarm_hub.url}user/{username}/api/status",
        headers={"Authorization": f"token {swarm_hub.token}"},
        timeout=30,
    )


def route_host(swarm_hub, username: str) -> str | None:
    routes = swarm_hub.api("GET", "proxy").json()
    targets = [r["target"] for r in routes.values() if r.get("data", {}).get("user") == username]
    (target,) = targets
    return urlsplit(target).hostname


def task_address(swarm_hub, task: dict) -> str:
    (address,) = [
        a["Addresses"][0].split("/")[0]
        for a in task["NetworksAttachments"]
        if a["Network"]["Spec"]["Name"] == swarm_hub.network
    ]
    return address


def start_and_fail(swarm_hub, username: str, **options) -> str:
    """Start *username*'s server and return why it failed, as the API tells it.

    JupyterHub waits a few seconds for a spawn before it answers: a spawn
    that fails within them fails the request itself; a slower one fails in
    the progress stream.
    """
    response = swarm_hub.api("POST", f"users/{username}/server", json=options)
    if response.status_code >= 400:
        return str(response.json()["message"])
    assert response.status_code == 202, response.text
    outcome = spawn_outcome(swarm_hub, username)
    assert outcome.get("failed"), outcome
    return str(outcome["message"])


def spawn_outcome(swarm_hub, username: str) -> dict:
    """Follow the spawn's progress stream to its last event (JupyterHub's own API)."""
    with requests.get(
        f"{swarm_hub.url}hub/api/users/{username}/server/progress",
        headers={"Authorization": f"token {swarm_hub.token}"},
        stream=True,
        timeout=SERVER_TIMEOUT_S,
    ) as stream:
        last: dict = {}
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                last = json.loads(line.removeprefix("data:"))
                if last.get("failed") or last.get("ready"):
                    return last
    return last


def team(swarm_hub, group: str, usernames: list[str], policy: dict) -> None:
    """Create *usernames* as the members of *group*, whose policy is *policy*."""
    created = swarm_hub.api("POST", "users", json={"usernames": usernames})
    assert created.status_code == 201, created.text
    made = swarm_hub.api("POST", f"groups/{group}", json={"users": usernames})
    assert made.status_code == 201, made.text
    stored = swarm_hub.api("PUT", f"stellars/group-policies/{group}", json={"policy": policy})
    assert stored.status_code == 200, stored.text


def stop(swarm_hub, username: str) -> None:
    """Stop *username*'s server and wait until its service is gone."""
    stop_servers(swarm_hub, [username])


def contents_url(swarm_hub, username: str, path: str) -> str:
    """The address of *path* in *username*'s JupyterLab (the contents API)."""
    return f"{swarm_hub.url}user/{username}/api/contents/{path}"


def write_file(swarm_hub, username: str, path: str, content: str) -> None:
    """Write *content* to *path* through *username*'s running JupyterLab."""
    response = requests.put(
        contents_url(swarm_hub, username, path),
        json={"type": "file", "format": "text", "content": content},
        headers={"Authorization": f"token {swarm_hub.token}"},
        timeout=60,
    )
    assert response.status_code in {200, 201}, response.text


def read_file(swarm_hub, username: str, path: str) -> str | None:
    """Return *path*'s text in *username*'s running JupyterLab, or None when it is not there."""
    response = requests.get(
        contents_url(swarm_hub, username, path),
        headers={"Authorization": f"token {swarm_hub.token}"},
        timeout=30,
    )
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    return str(response.json()["content"])


def set_availability(swarm_hub, hostname: str, availability: str) -> None:
    """Set the node *hostname*'s availability: "active", "pause" or "drain"."""
    node_id = swarm_hub.swarm.node_named(hostname).node_id()
    node = swarm_hub.swarm.manager.client.nodes.get(node_id)
    spec = dict(node.attrs["Spec"])
    spec["Availability"] = availability
    assert node.update(spec)


@contextlib.contextmanager
def paused(swarm_hub, *hostnames: str) -> Iterator[None]:
    """No new task goes to the nodes *hostnames* meanwhile; those running there stay."""
    for hostname in hostnames:
        set_availability(swarm_hub, hostname, "pause")
    try:
        yield
    finally:
        for hostname in hostnames:
            set_availability(swarm_hub, hostname, "active")


def node_names(swarm_hub) -> list[str]:
    """The host name of every node of the test swarm."""
    return [node.client.info()["Name"] for node in swarm_hub.swarm.nodes]


def stop_servers(swarm_hub, usernames: list[str]) -> None:
    """Stop the servers of *usernames* and wait until their services are gone."""
    for username in usernames:
        response = swarm_hub.api("DELETE", f"users/{username}/server")
        assert response.status_code in {202, 204}, response.text
    wait_until(
        lambda: not any(swarm_hub.tasks_of(service_name(username)) for username in usernames),
        timeout_s=SERVER_TIMEOUT_S,
        interval_s=1,
        what=f"the services of {usernames} to go",
    )

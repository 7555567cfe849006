"""A broadcast through the hub's API reaches users' servers on every node of the swarm.

The hub posts a notification to each server at the address it knows the
server by (its task's own, on the overlay), whichever node the swarm put
the server on; each lab's notifications extension then lists it.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from servers import service_name, start, stop_servers, wait_ready

NOTIFICATIONS = "jupyterlab-notifications-extension/notifications"
# One server a node if the swarm spreads them evenly; a few more if other
# modules' servers left the nodes unevenly loaded (the scheduler puts each
# new one on a node with the fewest tasks).
FIRST_USERS = 3
MOST_USERS = 6


def _nodes(swarm_hub) -> set[str]:
    manager = swarm_hub.swarm.manager.client
    return {node.attrs["Description"]["Hostname"] for node in manager.nodes.list()}


@pytest.fixture(scope="module")
def on_every_node(swarm_hub):
    """Users whose servers run on every node of the swarm: the node by user.

    Their servers are stopped at the end, so later modules find the nodes
    as loaded as before.
    """
    run = uuid.uuid4().hex[:4]
    usernames = [f"cast{run}{index}" for index in range(MOST_USERS)]
    response = swarm_hub.api("POST", "users", json={"usernames": usernames})
    assert response.status_code == 201, response.text
    started = usernames[:FIRST_USERS]
    for username in started:
        start(swarm_hub, username)
    placed: dict[str, str] = {}
    try:
        for username in started:
            wait_ready(swarm_hub, username)
            placed[username] = swarm_hub.node_of(service_name(username))
        for username in usernames[FIRST_USERS:]:
            if set(placed.values()) == _nodes(swarm_hub):
                break
            start(swarm_hub, username)
            started.append(username)
            wait_ready(swarm_hub, username)
            placed[username] = swarm_hub.node_of(service_name(username))
        assert set(placed.values()) == _nodes(swarm_hub), placed
        yield placed
    finally:
        stop_servers(swarm_hub, started)


def _received(swarm_hub, username: str) -> list[str]:
    # The extension's queue empties on each read.
    response = requests.get(
        f"{swarm_hub.url}user/{username}/{NOTIFICATIONS}",
        headers={"Authorization": f"token {swarm_hub.token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [entry["message"] for entry in response.json()["notifications"]]


def test_a_broadcast_reaches_the_servers_on_every_node(swarm_hub, on_every_node):
    message = f"Maintenance on every node at 18:00 ({uuid.uuid4().hex[:6]})"
    usernames = sorted(on_every_node)
    response = swarm_hub.api(
        "POST",
        "notifications/broadcast",
        json={"message": message, "variant": "warning", "recipients": usernames},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    outcomes = {
        result["username"]: (result["delivered"], result["reason"]) for result in body["results"]
    }
    assert outcomes == dict.fromkeys(usernames, (True, None)), on_every_node
    assert body["totals"] == {
        "recipients": len(usernames),
        "delivered": len(usernames),
        "failed": 0,
    }
    for username, node in on_every_node.items():
        assert _received(swarm_hub, username) == [message], (username, node)

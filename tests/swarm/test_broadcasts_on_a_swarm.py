"""A broadcast through the hub's API reaches users' servers on every node of the swarm.

The hub posts a notification to each server at the address it knows the
server by (its task's own, on the overlay), whichever node the swarm put
the server on; each lab's notifications extension then lists it.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from servers import node_names, paused, service_name, start, stop_servers, wait_ready

NOTIFICATIONS = "jupyterlab-notifications-extension/notifications"


@pytest.fixture(scope="module")
def on_every_node(swarm_hub):
    """Users whose servers run on every node of the swarm: the node by user.

    Each server is put on its node by pausing the others while it starts
    (the scheduler's own spread depends on what other modules left on the
    nodes, and once put none on the manager). Their servers are stopped at
    the end, so later modules find the nodes as loaded as before.
    """
    run = uuid.uuid4().hex[:4]
    nodes = sorted(node_names(swarm_hub))
    placed = {f"cast{run}{index}": node for index, node in enumerate(nodes)}
    response = swarm_hub.api("POST", "users", json={"usernames": list(placed)})
    assert response.status_code == 201, response.text
    started: list[str] = []
    try:
        for username, node in placed.items():
            with paused(swarm_hub, *(other for other in nodes if other != node)):
                start(swarm_hub, username)
                started.append(username)
                wait_ready(swarm_hub, username)
            assert swarm_hub.node_of(service_name(username)) == node, swarm_hub.logs(40)
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

"""Per-node work through the node agents: stats and sizes from every node, reset on a worker.

The hub asks each node's agent (a global service of the hub image) at the
agent task's own address, on a network of their own that users' servers
are not on; only the hub, which holds the shared secret, is answered.
"""

from __future__ import annotations

import json

import pytest
from servers import service_name, stop, wait_ready, write_file

from stellars_testing import wait_until

USERS = [f"agentuser{index}" for index in range(4)]
# A few stats intervals and one sizes interval of the swarm hub, with room.
FIGURES_WITHIN_S = 90
AGENT_PORT = 8090


def _rows(swarm_hub) -> tuple[dict[str, dict], dict]:
    response = swarm_hub.api("GET", "activity")
    assert response.status_code == 200, response.text
    body = response.json()
    return {row["username"]: row for row in body["users"]}, body["settings"]


@pytest.fixture(scope="module")
def spread(swarm_hub):
    """The users' servers, running on at least two nodes; their node by user."""
    response = swarm_hub.api("POST", "users", json={"usernames": USERS})
    assert response.status_code == 201, response.text
    for username in USERS:
        response = swarm_hub.api("POST", f"users/{username}/server")
        assert response.status_code in {201, 202}, response.text
    for username in USERS:
        wait_ready(swarm_hub, username)
    nodes = {username: swarm_hub.node_of(service_name(username)) for username in USERS}
    assert len(set(nodes.values())) >= 2, nodes
    for index, username in enumerate(USERS):
        write_file(swarm_hub, username, "workspace/data.txt", "x" * 200_000 * (index + 1))
    return nodes


def _wait_for_rows(swarm_hub, holds, what: str) -> None:
    """Wait until *holds* (the Activity rows by user) is true; on timeout, say what was seen."""
    try:
        wait_until(
            lambda: holds(_rows(swarm_hub)[0]), timeout_s=FIGURES_WITHIN_S, interval_s=2, what=what
        )
    except AssertionError as error:
        rows, settings = _rows(swarm_hub)
        seen = {
            user: (row["node"], row["cpu_percent"], row["volumes"])
            for user, row in rows.items()
            if user in USERS
        }
        why = [line for line in swarm_hub.logs().splitlines() if "agents missing" in line]
        raise AssertionError(f"{error}: {seen}; {settings}; {why[-2:]}") from None


def test_stats_of_servers_on_several_nodes_each_carry_their_nodes_name(swarm_hub, spread):
    _wait_for_rows(
        swarm_hub,
        lambda rows: all(
            rows[user]["cpu_percent"] is not None
            and rows[user]["memory_mb"]
            and rows[user]["node"] == node
            for user, node in spread.items()
        ),
        f"every server's stats, with its node ({spread})",
    )
    _, settings = _rows(swarm_hub)
    assert settings["unreachable_nodes"] == []


def test_sizes_come_from_every_node_that_holds_a_users_volumes(swarm_hub, spread):
    written = {user: 200_000 * (USERS.index(user) + 1) for user in spread}
    _wait_for_rows(
        swarm_hub,
        lambda rows: all(
            any(
                volume["suffix"] == "workspace" and (volume["size_bytes"] or 0) >= size
                for volume in rows[user]["volumes"]
            )
            for user, size in written.items()
        ),
        "every workspace's size",
    )


def _on_a_worker(swarm_hub, spread) -> tuple[str, str]:
    manager = swarm_hub.swarm.manager.client.info()["Name"]
    on_workers = [(user, node) for user, node in spread.items() if node != manager]
    assert on_workers, f"no server on a worker: {spread}"
    return on_workers[0]


def test_measure_now_measures_a_users_volumes_on_their_worker(swarm_hub, spread):
    username, _ = _on_a_worker(swarm_hub, spread)
    response = swarm_hub.api("POST", f"users/{username}/volume-sizes", json={})
    assert response.status_code == 200, response.text
    sizes = {volume["suffix"]: volume["size_bytes"] for volume in response.json()["volumes"]}
    expected = 200_000 * (USERS.index(username) + 1)
    assert sizes["workspace"] >= expected, sizes


def test_reset_on_a_worker_removes_exactly_that_users_volumes_there(swarm_hub, spread):
    username, node = _on_a_worker(swarm_hub, spread)
    worker = swarm_hub.swarm.node_named(node).client
    # Another account's volume on the same node, with a name that starts like theirs.
    decoy = worker.volumes.create(f"jupyterlab-{username}x_workspace")
    others = {
        name
        for name in (volume.name for volume in worker.volumes.list())
        if name.startswith("jupyterlab-") and f"-{username}_" not in name
    }
    stop(swarm_hub, username)
    listed = swarm_hub.api("GET", f"users/{username}/manage-volumes")
    assert listed.status_code == 200, listed.text
    assert {v["suffix"] for v in listed.json()["volumes"]} >= {"home", "workspace", "cache"}

    response = swarm_hub.api(
        "DELETE", f"users/{username}/manage-volumes", json={"volumes": ["workspace", "cache"]}
    )

    assert response.status_code == 200, response.text
    assert [(v["suffix"], v["deleted"]) for v in response.json()["volumes"]] == [
        ("workspace", True),
        ("cache", True),
    ]
    left = {volume.name for volume in worker.volumes.list()}
    assert f"jupyterlab-{username}_workspace" not in left
    assert f"jupyterlab-{username}_cache" not in left
    assert f"jupyterlab-{username}_home" in left
    assert decoy.name in left
    assert others <= left


def _agent_addresses(swarm_hub) -> dict[str, str]:
    """Each node's agent task's address on the agents' network, by node."""
    addresses = {}
    for task in swarm_hub.tasks_of("stellars-agent"):
        if task["Status"]["State"] != "running":
            continue
        for attachment in task.get("NetworksAttachments") or []:
            if attachment["Network"]["Spec"]["Name"] == swarm_hub.agent_network:
                node = swarm_hub.swarm.manager.client.nodes.get(task["NodeID"])
                addresses[node.attrs["Description"]["Hostname"]] = attachment["Addresses"][0].split(
                    "/"
                )[0]
    return addresses


# Run in the hub container (or a user's): POST {} to an agent; print the status and
# body, or "unreachable" when no connection could be made.
_PROBE = """
import sys, urllib.request, urllib.error
address, port, secret = sys.argv[1:4]
headers = {"Content-Type": "application/json"}
if secret:
    headers["Authorization"] = "Bearer " + secret
url = "http://" + address + ":" + port + "/stats"
request = urllib.request.Request(url, data=b"{}", method="POST", headers=headers)
try:
    answer = urllib.request.urlopen(request, timeout=5)
    print(answer.status, answer.read().decode())
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode())
except OSError as error:
    print("unreachable", error)
"""


def _probe(container, address: str, secret: str, python: str = "python3") -> str:
    result = container.exec_run([python, "-c", _PROBE, address, str(AGENT_PORT), secret])
    return result.output.decode(errors="replace").strip()


def test_only_the_hub_with_the_secret_is_answered_and_a_users_server_cannot_reach_an_agent(
    swarm_hub, spread
):
    addresses = _agent_addresses(swarm_hub)
    assert len(addresses) == len(swarm_hub.swarm.manager.client.nodes.list()), addresses
    hub = swarm_hub.container
    for node, address in addresses.items():
        answer = _probe(hub, address, swarm_hub.agent_secret, "python")
        assert answer.startswith("200"), (node, answer)
        assert json.loads(answer.split(" ", 1)[1])["node"] == node
        without = _probe(hub, address, "", "python")
        assert without.startswith("401"), without
        assert json.loads(without.split(" ", 1)[1])["status"] == 401
        wrong = _probe(hub, address, "not-the-secret", "python")
        assert wrong.startswith("403"), wrong

    # A user's server, on its own node, tries every agent, with the secret even.
    # One still running (the reset above stopped one).
    username, node = next(
        (user, node) for user, node in spread.items() if swarm_hub.tasks_of(service_name(user))
    )
    engine = swarm_hub.swarm.node_named(node).client
    (lab,) = engine.containers.list(
        filters={"label": f"com.docker.swarm.service.name={service_name(username)}"}
    )
    for node, address in addresses.items():
        answer = _probe(lab, address, swarm_hub.agent_secret)
        # No agent answers: no connection at all, or (on this test machine, where an
        # address off the server's network goes out through the host) some other
        # host's answer, never the agent's own.
        assert not answer.startswith(("200", "401", "403")), (username, node, answer)
        assert node not in answer, (username, node, answer)


def test_deleting_an_account_removes_its_volumes_on_its_worker_and_nobody_elses(swarm_hub, spread):
    username, node = _on_a_worker(swarm_hub, spread)
    worker = swarm_hub.swarm.node_named(node).client
    before = {volume.name for volume in worker.volumes.list()}
    own = {name for name in before if name.startswith(f"jupyterlab-{username}_")}
    assert own, before

    response = swarm_hub.api("DELETE", f"users/{username}/account", json={"volumes": "delete"})

    assert response.status_code == 200, response.text
    fates = {volume["name"]: volume["fate"] for volume in response.json()["volumes"]}
    assert {fates[name] for name in own} == {"deleted"}, fates
    after = {volume.name for volume in worker.volumes.list()}
    assert after == before - own

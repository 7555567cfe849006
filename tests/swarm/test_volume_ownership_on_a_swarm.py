"""A volume on any node of the swarm is mounted only by the account that owns it.

On one host the hub checks every volume a server would mount before the
spawn. On a swarm the volumes are on the node where the server ran, which
the hub's own engine does not see: the check asks every node's agent, and
so do the archive's listing, purge and assignment.
"""

from __future__ import annotations

import time

from servers import (
    FAILURE_WITHIN_S,
    node_names,
    paused,
    read_file,
    service_name,
    spawn_outcome,
    stop,
    wait_ready,
    write_file,
)

USERNAME = "reused"


def _create(swarm_hub, username: str) -> None:
    response = swarm_hub.api("POST", "users", json={"usernames": [username]})
    assert response.status_code == 201, response.text


def _archive_of(swarm_hub, username: str) -> dict[str, dict]:
    listed = swarm_hub.api("GET", "stellars/archived-volumes")
    assert listed.status_code == 200, listed.text
    return {v["name"]: v for v in listed.json()["volumes"] if v["owner_name"] == username}


def _delete_keeping_the_volumes(swarm_hub, username: str) -> None:
    deleted = swarm_hub.api("DELETE", f"users/{username}/account", json={"volumes": "archive"})
    assert deleted.status_code == 200, deleted.text
    assert {v["fate"] for v in deleted.json()["volumes"]} == {"archived"}


def test_a_deleted_accounts_files_on_a_worker_are_kept_from_its_namesake_until_an_admin_acts(
    swarm_hub,
):
    service = service_name(USERNAME)
    _create(swarm_hub, USERNAME)
    # The first server on a worker, whose volumes the hub's own engine does not see.
    manager = swarm_hub.swarm.manager.client.info()["Name"]
    with paused(swarm_hub, manager):
        assert swarm_hub.api("POST", f"users/{USERNAME}/server").status_code in {201, 202}
        wait_ready(swarm_hub, USERNAME)
    node = swarm_hub.node_of(service)
    assert node != manager
    write_file(swarm_hub, USERNAME, "private.txt", "the first account's file")
    stop(swarm_hub, USERNAME)
    _delete_keeping_the_volumes(swarm_hub, USERNAME)
    # The archive is listed from the node that holds it.
    archive = _archive_of(swarm_hub, USERNAME)
    assert f"{service}_home" in archive, archive
    assert {tuple(v["nodes"]) for v in archive.values()} == {(node,)}

    _create(swarm_hub, USERNAME)
    # Only the node that holds the archive may take new servers: where the
    # scheduler would otherwise put the new account by chance.
    others = [name for name in node_names(swarm_hub) if name != node]
    with paused(swarm_hub, *others):
        started = time.monotonic()
        response = swarm_hub.api("POST", f"users/{USERNAME}/server")
        if response.status_code < 400:
            outcome = spawn_outcome(swarm_hub, USERNAME)
            if outcome.get("ready"):
                seen = read_file(swarm_hub, USERNAME, "private.txt")
                raise AssertionError(f"the new account's server started on {node}; saw {seen!r}")
            message = str(outcome.get("message"))
        else:
            message = str(response.json()["message"])
        assert "deleted account 'reused'" in message, message
        assert node in message, message
        assert time.monotonic() - started < FAILURE_WITHIN_S
        assert not swarm_hub.tasks_of(service)

    # The admin gives the files to the new account: it is pinned to their
    # node, and its server starts there with them.
    for name in archive:
        assigned = swarm_hub.api(
            "POST", f"stellars/archived-volumes/{name}/assign", json={"user": USERNAME}
        )
        assert assigned.status_code == 200, assigned.text
    assert _archive_of(swarm_hub, USERNAME) == {}
    assert swarm_hub.api("GET", f"users/{USERNAME}/node").json()["node"] == node
    assert swarm_hub.api("POST", f"users/{USERNAME}/server").status_code in {201, 202}
    wait_ready(swarm_hub, USERNAME)
    assert swarm_hub.node_of(service) == node
    assert read_file(swarm_hub, USERNAME, "private.txt") == "the first account's file"
    stop(swarm_hub, USERNAME)

    # Deleted again, and this time the admin purges the files: on their worker.
    _delete_keeping_the_volumes(swarm_hub, USERNAME)
    archive = _archive_of(swarm_hub, USERNAME)
    assert {tuple(v["nodes"]) for v in archive.values()} == {(node,)}
    for name in archive:
        purged = swarm_hub.api("DELETE", f"stellars/archived-volumes/{name}")
        assert purged.status_code == 200, purged.text
    on_node = {v.name for v in swarm_hub.swarm.node_named(node).client.volumes.list()}
    assert not set(archive) & on_node
    assert _archive_of(swarm_hub, USERNAME) == {}

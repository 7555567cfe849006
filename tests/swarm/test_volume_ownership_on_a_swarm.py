"""A volume on any node of the swarm is mounted only by the account that owns it.

On one host the hub checks every volume a server would mount before the
spawn. On a swarm the volumes are on the node where the server ran, which
the hub's own engine does not see: the check asks every node's agent.
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


def test_a_new_account_of_a_deleted_ones_name_never_mounts_its_archived_files(swarm_hub):
    service = service_name(USERNAME)
    _create(swarm_hub, USERNAME)
    # The first server on a worker. The hub lists (and the admin purges
    # below) the archived volumes of the manager's engine, its own: had the
    # server run there, its archive would be purged, and there would be no
    # files left for the new account to be kept from.
    manager = swarm_hub.swarm.manager.client.info()["Name"]
    with paused(swarm_hub, manager):
        assert swarm_hub.api("POST", f"users/{USERNAME}/server").status_code in {201, 202}
        wait_ready(swarm_hub, USERNAME)
    node = swarm_hub.node_of(service)
    assert node != manager
    write_file(swarm_hub, USERNAME, "private.txt", "the first account's file")
    stop(swarm_hub, USERNAME)
    deleted = swarm_hub.api("DELETE", f"users/{USERNAME}/account", json={"volumes": "archive"})
    assert deleted.status_code == 200, deleted.text
    # The admin purges whatever the hub lists as archived: on a swarm that
    # list is the manager's engine's, which need not hold the files.
    listed = swarm_hub.api("GET", "stellars/archived-volumes")
    assert listed.status_code == 200, listed.text
    for volume in listed.json()["volumes"]:
        purged = swarm_hub.api("DELETE", f"stellars/archived-volumes/{volume['name']}")
        assert purged.status_code == 200, purged.text
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
    # With every node open again, the new account's first server goes to a
    # node without the archive and starts with empty volumes.
    assert swarm_hub.api("POST", f"users/{USERNAME}/server").status_code in {201, 202}
    wait_ready(swarm_hub, USERNAME)
    assert swarm_hub.node_of(service) != node
    assert read_file(swarm_hub, USERNAME, "private.txt") is None
    stop(swarm_hub, USERNAME)

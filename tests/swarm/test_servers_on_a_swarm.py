"""User servers as swarm services, through the hub's API, on a manager and two workers."""

from __future__ import annotations

import time

import pytest
import requests
from servers import (
    FAILURE_WITHIN_S,
    contents_url,
    lab_status,
    read_file,
    ready,
    route_host,
    service_name,
    set_availability,
    start,
    start_and_fail,
    task_address,
    team,
    wait_ready,
)

from stellars_testing import wait_until

# Letters and digits only: the service's name is then jupyterlab-{username}
# as written (DockerSpawner escapes anything else in a name).
USERS = [f"swarmuser{index}" for index in range(4)]


@pytest.fixture(scope="module")
def running(swarm_hub):
    response = swarm_hub.api("POST", "users", json={"usernames": USERS})
    assert response.status_code == 201, response.text
    for username in USERS:
        start(swarm_hub, username)
    for username in USERS:
        wait_ready(swarm_hub, username)
    return USERS


def test_servers_of_several_users_run_on_several_nodes_and_answer_through_the_hub(
    swarm_hub, running
):
    nodes = {username: swarm_hub.node_of(service_name(username)) for username in running}
    assert len(set(nodes.values())) >= 2, nodes
    for username in running:
        status = lab_status(swarm_hub, username)
        assert status.status_code == 200, f"{username} on {nodes[username]}: {status.text}"
        assert "started" in status.json()


def test_each_server_is_a_service_with_one_task_resolved_without_a_virtual_ip(swarm_hub, running):
    manager = swarm_hub.swarm.manager.client
    spec = manager.services.get(service_name(running[0])).attrs["Spec"]
    assert spec["Mode"] == {"Replicated": {"Replicas": 1}}
    assert spec["EndpointSpec"]["Mode"] == "dnsrr"
    assert spec["TaskTemplate"]["RestartPolicy"]["Condition"] == "none"
    mounts = spec["TaskTemplate"]["ContainerSpec"]["Mounts"]
    # Named volumes are volumes, not bind mounts (dockerspawner issue 536).
    assert {mount["Type"] for mount in mounts} == {"volume"}
    assert f"jupyterlab-{running[0]}_home" in {mount["Source"] for mount in mounts}


def test_the_proxy_routes_to_the_tasks_own_address_also_after_a_quick_restart(swarm_hub, running):
    username = running[0]
    service = service_name(username)
    response = swarm_hub.api("DELETE", f"users/{username}/server")
    assert response.status_code in {202, 204}, response.text
    wait_until(
        lambda: not ready(swarm_hub, username) and not swarm_hub.tasks_of(service),
        timeout_s=60,
        what="the server to stop and its service to go",
    )
    start(swarm_hub, username)
    wait_ready(swarm_hub, username)
    (task,) = [t for t in swarm_hub.tasks_of(service) if t["Status"]["State"] == "running"]
    assert route_host(swarm_hub, username) == task_address(swarm_hub, task)
    assert lab_status(swarm_hub, username).status_code == 200


def test_a_users_file_is_there_after_a_stop_and_start_on_the_node_of_their_volumes(
    swarm_hub, running
):
    username = running[1]
    service = service_name(username)
    headers = {"Authorization": f"token {swarm_hub.token}"}
    node = swarm_hub.node_of(service)
    written = requests.put(
        contents_url(swarm_hub, username, "kept.txt"),
        json={"type": "file", "format": "text", "content": f"on {node}"},
        headers=headers,
        timeout=30,
    )
    assert written.status_code in {200, 201}, written.text
    for _ in range(2):
        assert swarm_hub.api("DELETE", f"users/{username}/server").status_code in {202, 204}
        wait_until(
            lambda: not swarm_hub.tasks_of(service),
            timeout_s=60,
            what="the server's service to go",
        )
        start(swarm_hub, username)
        wait_ready(swarm_hub, username)
        assert swarm_hub.node_of(service) == node
        spec = swarm_hub.swarm.manager.client.services.get(service).attrs["Spec"]
        node_id = swarm_hub.swarm.node_named(node).node_id()
        assert f"node.id=={node_id}" in spec["TaskTemplate"]["Placement"]["Constraints"]
        assert read_file(swarm_hub, username, "kept.txt") == f"on {node}"


def test_a_restart_replaces_the_task_on_its_node_keeps_the_files_and_moves_the_route(
    swarm_hub, running
):
    username = running[2]
    service = service_name(username)
    headers = {"Authorization": f"token {swarm_hub.token}"}
    node = swarm_hub.node_of(service)
    (before,) = [t for t in swarm_hub.tasks_of(service) if t["Status"]["State"] == "running"]
    written = requests.put(
        contents_url(swarm_hub, username, "restarted.txt"),
        json={"type": "file", "format": "text", "content": "before the restart"},
        headers=headers,
        timeout=30,
    )
    assert written.status_code in {200, 201}, written.text

    response = swarm_hub.api("POST", f"users/{username}/restart-server")
    assert response.status_code == 200, f"{response.text}\n{swarm_hub.logs()}"

    (after,) = [t for t in swarm_hub.tasks_of(service) if t["Status"]["State"] == "running"]
    assert after["ID"] != before["ID"]  # a new task of the same service
    assert swarm_hub.node_of(service) == node
    # The answer comes once the lab answers again, at the new task's address.
    assert route_host(swarm_hub, username) == task_address(swarm_hub, after)
    read = requests.get(
        contents_url(swarm_hub, username, "restarted.txt"), headers=headers, timeout=30
    )
    assert read.status_code == 200, read.text
    assert read.json()["content"] == "before the restart"
    assert ready(swarm_hub, username)


def _profile_user(swarm_hub, name: str, profile: dict) -> str:
    username = f"swarm{name}"
    profiles = [{"name": name, "display_name": name, **profile}]
    team(swarm_hub, f"swarm-{name}", [username], {"profiles": profiles})
    return username


def _fails_fast_saying(swarm_hub, username: str, profile: str, reason: str) -> None:
    started = time.monotonic()
    message = start_and_fail(swarm_hub, username, profile=profile)
    elapsed = time.monotonic() - started
    assert reason in message, swarm_hub.logs()
    assert elapsed < FAILURE_WITHIN_S, f"{elapsed:.0f}s: {message}"
    assert not swarm_hub.tasks_of(service_name(username))
    services = swarm_hub.swarm.manager.client.services.list()
    assert service_name(username) not in {service.name for service in services}


def test_a_server_the_swarm_cannot_start_fails_within_seconds_with_its_reason_and_noservice_name(
    swarm_hub, lab_image
):
    # The policy API accepts a profile's image only when the engine has it;
    # this one is removed after, so every node rejects the task (no registry
    # to pull it from).
    manager = swarm_hub.swarm.manager.client
    gone = f"stellars-gone:{swarm_hub.swarm.run_id}"
    manager.images.get(lab_image).tag(gone)
    username = _profile_user(swarm_hub, "gone", {"image": gone})
    manager.images.remove(gone)
    _fails_fast_saying(swarm_hub, username, "gone", "the swarm could not start the server: ")


def test_a_server_no_node_has_room_for_fails_within_seconds_with_its_reason_and_noservice_name(
    swarm_hub, lab_image
):
    # The guarantee is a reservation the scheduler must find on one node.
    profile = {"image": lab_image, "mem_guarantee": "1T", "mem_limit": "2T"}
    username = _profile_user(swarm_hub, "toobig", profile)
    _fails_fast_saying(swarm_hub, username, "toobig", "insufficient resources")


def test_a_user_whose_node_is_drained_is_told_where_their_files_are_and_gets_noservice_name(
    swarm_hub, running
):
    # Last in the module: draining the node stops every server on it.
    username = running[2]
    service = service_name(username)
    node = swarm_hub.node_of(service)
    assert swarm_hub.api("DELETE", f"users/{username}/server").status_code in {202, 204}
    wait_until(lambda: not swarm_hub.tasks_of(service), timeout_s=60, what="the service to go")
    set_availability(swarm_hub, node, "drain")
    try:
        started = time.monotonic()
        message = start_and_fail(swarm_hub, username)
        assert f"files are on the swarm node {node}" in message
        assert "move them to another node" in message
        assert time.monotonic() - started < FAILURE_WITHIN_S
        assert not swarm_hub.tasks_of(service)
    finally:
        set_availability(swarm_hub, node, "active")

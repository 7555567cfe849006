"""Deleting an account with the admin's choice for its volumes, on a real hub and engine."""

import threading

import docker.errors
import pytest
from lab_containers import in_volume, lab_containers, run_username, spawn_and_stop

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.naming import volume_name
from stellars_testing import wait_until

HOME = DEFAULT_USER_VOLUMES[0]
MARKER = "written-before-the-delete"


@pytest.fixture(scope="module")
def hub(shared_docker_platform):
    return shared_docker_platform


def _volumes_of(docker_run, username):
    names = {volume_name(volume, username) for volume in DEFAULT_USER_VOLUMES}
    return {volume.name for volume in docker_run.client.volumes.list() if volume.name in names}


def _user_with_a_server(hub, docker_run, lab_image, what, *, keep_running):
    username = run_username(docker_run, what)
    hub.create_user(username)
    if keep_running:
        assert hub.api("POST", f"users/{username}/server").status_code in {201, 202}
        hub.wait_for_server(username, running=True)
    else:
        spawn_and_stop(hub, docker_run, username)
        in_volume(docker_run, lab_image, volume_name(HOME, username), f"echo {MARKER} > /v/m")
    return username


def test_delete_stops_the_running_server_and_removes_the_volumes(hub, docker_run, lab_image):
    username = _user_with_a_server(hub, docker_run, lab_image, "del", keep_running=True)
    assert lab_containers(docker_run, username)
    response = hub.api("DELETE", f"users/{username}/account", json={"volumes": "delete"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == username
    assert [(v["suffix"], v["fate"], v["error"]) for v in body["volumes"]] == [
        (volume.suffix, "deleted", None) for volume in DEFAULT_USER_VOLUMES
    ]
    assert {v["name"] for v in body["volumes"]} == {
        volume_name(volume, username) for volume in DEFAULT_USER_VOLUMES
    }
    assert hub.api("GET", f"users/{username}").status_code == 404
    assert not lab_containers(docker_run, username)
    assert not _volumes_of(docker_run, username)


def test_archive_keeps_the_volumes_for_nobody(hub, docker_run, lab_image):
    username = _user_with_a_server(hub, docker_run, lab_image, "arc", keep_running=False)
    response = hub.api("DELETE", f"users/{username}/account", json={"volumes": "archive"})
    assert response.status_code == 200, response.text
    assert [(v["suffix"], v["fate"]) for v in response.json()["volumes"]] == [
        (volume.suffix, "archived") for volume in DEFAULT_USER_VOLUMES
    ]
    assert hub.api("GET", f"users/{username}").status_code == 404
    home = volume_name(HOME, username)
    assert in_volume(docker_run, lab_image, home, "cat /v/m") == MARKER

    # A new account of that name neither sees nor mounts them.
    token = hub.create_user(username)
    listing = hub.api("GET", f"users/{username}/manage-volumes", token=token)
    assert listing.json() == {"volumes": []}
    hub.api("POST", f"users/{username}/server")
    wait_until(
        lambda: not hub.user_model(username)["servers"], timeout_s=60, what="the spawn to fail"
    )
    assert not lab_containers(docker_run, username)
    assert in_volume(docker_run, lab_image, home, "cat /v/m") == MARKER


def test_delete_leaves_a_deleted_namesakes_archive_alone(hub, docker_run, lab_image):
    username = _user_with_a_server(hub, docker_run, lab_image, "twice", keep_running=False)
    assert hub.api("DELETE", f"users/{username}").status_code == 204  # core: archives
    hub.create_user(username)
    response = hub.api("DELETE", f"users/{username}/account", json={"volumes": "delete"})
    assert response.status_code == 200, response.text
    # The second account owned no volume: the first one's archive is untouched.
    assert response.json()["volumes"] == []
    home = volume_name(HOME, username)
    try:
        assert in_volume(docker_run, lab_image, home, "cat /v/m") == MARKER
    except docker.errors.ContainerError:
        pytest.fail(f"{home} lost its files")


@pytest.fixture(scope="module")
def admin(hub, admin_name):
    """The platform admin's token: the archive scope is the platform admin role's."""
    response = hub.api("POST", f"users/{admin_name}/tokens", json={"note": "archive"})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def _archived(hub, token):
    response = hub.api("GET", "stellars/archived-volumes", token=token)
    assert response.status_code == 200, response.text
    return {volume["name"]: volume for volume in response.json()["volumes"]}


def _archive_of_a_deleted_account(hub, docker_run, lab_image, what):
    username = _user_with_a_server(hub, docker_run, lab_image, what, keep_running=False)
    response = hub.api("DELETE", f"users/{username}/account", json={"volumes": "archive"})
    assert response.status_code == 200, response.text
    return username


def test_the_archive_lists_purges_and_assigns(hub, docker_run, lab_image, admin):
    username = _archive_of_a_deleted_account(hub, docker_run, lab_image, "lst")
    home = volume_name(HOME, username)
    archived = _archived(hub, admin)
    assert {volume_name(volume, username) for volume in DEFAULT_USER_VOLUMES} <= set(archived)
    entry = archived[home]
    assert (entry["owner_name"], entry["suffix"]) == (username, "home")
    assert (
        entry["owner"]
        == docker_run.client.volumes.get(home).attrs["Labels"]["org.stellars-hub.owner"]
    )
    assert entry["deleted_at"].endswith("+00:00")
    assert entry["size_bytes"] is None or entry["size_bytes"] >= 0
    # One engine: no nodes to name.
    assert entry["nodes"] == []

    # Only to the account whose volume it is by name.
    other = run_username(docker_run, "someone")
    hub.create_user(other)
    refused = hub.api(
        "POST", f"stellars/archived-volumes/{home}/assign", json={"user": other}, token=admin
    )
    assert refused.status_code == 409, refused.text
    assert "mounted by name" in refused.json()["message"]
    unknown = hub.api(
        "POST", f"stellars/archived-volumes/{home}/assign", json={"user": "no-one"}, token=admin
    )
    assert unknown.status_code == 404, unknown.text

    hub.create_user(username)
    assigned = hub.api(
        "POST", f"stellars/archived-volumes/{home}/assign", json={"user": username}, token=admin
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json() == {"volume": home, "user": username}
    assert home not in _archived(hub, admin)

    # The rest of the archive is purged; then the new account starts, with the old home.
    for volume in DEFAULT_USER_VOLUMES[1:]:
        name = volume_name(volume, username)
        purged = hub.api("DELETE", f"stellars/archived-volumes/{name}", token=admin)
        assert purged.status_code == 200, purged.text
        assert purged.json() == {"purged": name}
        assert name not in {v.name for v in docker_run.client.volumes.list()}
        again = hub.api("DELETE", f"stellars/archived-volumes/{name}", token=admin)
        assert again.status_code == 404, again.text
    assert hub.api("POST", f"users/{username}/server").status_code in {201, 202}
    hub.wait_for_server(username, running=True)
    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)
    wait_until(lambda: not lab_containers(docker_run, username), timeout_s=60, what="removed")
    assert in_volume(docker_run, lab_image, home, "cat /v/m") == MARKER


def test_a_purge_waits_for_a_stopped_container_that_is_going(hub, docker_run, lab_image, admin):
    # On a swarm a deleted account's server container goes a little after
    # its service, and an admin may purge the archive at once: a purge then
    # answered 409 "in use" (a CI run's swarm test). Here a stopped container
    # still mounts the volume and goes three seconds after the purge is asked.
    username = _archive_of_a_deleted_account(hub, docker_run, lab_image, "gone")
    home = volume_name(HOME, username)
    going = docker_run.client.containers.create(
        lab_image, ["true"], volumes={home: {"bind": "/v", "mode": "rw"}}
    )
    remover = threading.Timer(3.0, going.remove)
    remover.start()
    try:
        purged = hub.api("DELETE", f"stellars/archived-volumes/{home}", token=admin)
    finally:
        remover.join()
    assert purged.status_code == 200, purged.text
    assert home not in {volume.name for volume in docker_run.client.volumes.list()}


def test_a_live_accounts_volume_is_neither_purged_nor_assigned(hub, docker_run, lab_image, admin):
    username = _user_with_a_server(hub, docker_run, lab_image, "live", keep_running=False)
    home = volume_name(HOME, username)
    purge = hub.api("DELETE", f"stellars/archived-volumes/{home}", token=admin)
    assert purge.status_code == 404, purge.text
    assert "not an archived volume" in purge.json()["message"]
    assign = hub.api(
        "POST", f"stellars/archived-volumes/{home}/assign", json={"user": username}, token=admin
    )
    assert assign.status_code == 404, assign.text
    assert in_volume(docker_run, lab_image, home, "cat /v/m") == MARKER


def test_a_plain_user_cannot_touch_the_archive(hub, docker_run, lab_image, admin):
    username = _archive_of_a_deleted_account(hub, docker_run, lab_image, "pln")
    home = volume_name(HOME, username)
    token = hub.create_user(username)  # even the new account of that name
    calls = [
        ("GET", "stellars/archived-volumes", None),
        ("DELETE", f"stellars/archived-volumes/{home}", None),
        ("POST", f"stellars/archived-volumes/{home}/assign", {"user": username}),
    ]
    for method, path, body in calls:
        response = hub.api(method, path, token=token, json=body)
        assert response.status_code == 403, response.text
        assert "custom:volumes:archive" in response.json()["message"]
    assert home in _archived(hub, admin)
    assert in_volume(docker_run, lab_image, home, "cat /v/m") == MARKER

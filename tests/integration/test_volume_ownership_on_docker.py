"""A deleted account's volumes never go to a later account of the same name: real hub and engine."""

import docker.errors
import pytest
from lab_containers import in_volume, lab_containers, run_username, spawn_and_stop

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.naming import volume_name
from stellars_testing import wait_until

# The labels' contract (stellars_docker.labels), spelled out: operators filter on them.
ROLE_LABEL = "org.stellars-hub.role"
USER_VOLUME_ROLE = "user-volume"
OWNER_LABEL = "org.stellars-hub.owner"
OWNER_NAME_LABEL = "org.stellars-hub.owner-name"

HOME = DEFAULT_USER_VOLUMES[0]
MARKER = "written-by-the-first-account"


@pytest.fixture(scope="module")
def hub(shared_docker_platform):
    return shared_docker_platform


def _spawn_is_refused(hub, docker_run, username, volume):
    response = hub.api("POST", f"users/{username}/server")
    # Refused in the pre-spawn hook: at once (an error) or after the API's slow-spawn wait.
    if response.status_code in {201, 202}:
        wait_until(
            lambda: not hub.user_model(username)["servers"],
            timeout_s=60,
            what=f"{username}'s spawn to fail",
        )
    assert not hub.user_model(username)["servers"]
    assert not lab_containers(docker_run, username)
    log = hub.log_since_start()
    assert f"The volume {volume!r} belongs to the deleted account {username!r}" in log


def test_a_new_account_of_a_deleted_name_never_mounts_the_old_home(hub, docker_run, lab_image):
    username = run_username(docker_run, "gone")
    hub.create_user(username)
    spawn_and_stop(hub, docker_run, username)
    home = volume_name(HOME, username)
    labels = docker_run.client.volumes.get(home).attrs["Labels"]
    assert labels[ROLE_LABEL] == USER_VOLUME_ROLE
    assert labels[OWNER_NAME_LABEL] == username
    first_owner = labels[OWNER_LABEL]
    in_volume(docker_run, lab_image, home, f"echo {MARKER} > /v/marker")

    # The admin page's own button: core JupyterHub's delete.
    assert hub.api("DELETE", f"users/{username}").status_code == 204
    hub.create_user(username)
    _spawn_is_refused(hub, docker_run, username, home)

    # The first account's files are all still there, still its own.
    assert in_volume(docker_run, lab_image, home, "cat /v/marker") == MARKER
    assert docker_run.client.volumes.get(home).attrs["Labels"][OWNER_LABEL] == first_owner


def test_a_legacy_volume_is_adopted_by_its_account_and_not_handed_on(hub, docker_run, lab_image):
    username = run_username(docker_run, "legacy")
    home = volume_name(HOME, username)
    # Made before the platform labelled volumes: no owner label.
    docker_run.client.volumes.create(home, labels=docker_run.labels)
    # As a lab leaves it: the home belongs to the lab's user, who must write there.
    in_volume(docker_run, lab_image, home, f"echo {MARKER} > /v/marker && chown -R 1000:1000 /v")
    hub.create_user(username)
    spawn_and_stop(hub, docker_run, username)
    assert OWNER_LABEL not in docker_run.client.volumes.get(home).attrs["Labels"]
    # The account that existed when the platform first saw it kept its files.
    assert in_volume(docker_run, lab_image, home, "cat /v/marker") == MARKER

    assert hub.api("DELETE", f"users/{username}").status_code == 204
    hub.create_user(username)
    _spawn_is_refused(hub, docker_run, username, home)
    assert in_volume(docker_run, lab_image, home, "cat /v/marker") == MARKER


def test_a_missing_volume_is_created_labelled_before_the_container(hub, docker_run):
    username = run_username(docker_run, "fresh")
    hub.create_user(username)
    spawn_and_stop(hub, docker_run, username)
    for volume in DEFAULT_USER_VOLUMES:
        try:
            labels = docker_run.client.volumes.get(volume_name(volume, username)).attrs["Labels"]
        except docker.errors.NotFound:
            pytest.fail(f"{volume_name(volume, username)} was not created")
        assert labels[ROLE_LABEL] == USER_VOLUME_ROLE
        assert labels[OWNER_NAME_LABEL] == username


def test_a_new_account_neither_lists_nor_resets_a_deleted_namesakes_volumes(
    hub, docker_run, lab_image
):
    username = run_username(docker_run, "reset")
    hub.create_user(username)
    spawn_and_stop(hub, docker_run, username)
    home = volume_name(HOME, username)
    in_volume(docker_run, lab_image, home, f"echo {MARKER} > /v/marker")
    assert hub.api("DELETE", f"users/{username}").status_code == 204

    token = hub.create_user(username)
    listing = hub.api("GET", f"users/{username}/manage-volumes", token=token)
    assert listing.status_code == 200
    assert listing.json() == {"volumes": []}
    reset = hub.api(
        "DELETE",
        f"users/{username}/manage-volumes",
        token=token,
        json={"volumes": [volume.suffix for volume in DEFAULT_USER_VOLUMES]},
    )
    assert reset.status_code == 404
    assert {result["error"] for result in reset.json()["volumes"]} == {"no such volume"}
    # The archive is intact: the reset touched none of the deleted account's volumes.
    assert in_volume(docker_run, lab_image, home, "cat /v/marker") == MARKER
    for volume in DEFAULT_USER_VOLUMES:
        docker_run.client.volumes.get(volume_name(volume, username))

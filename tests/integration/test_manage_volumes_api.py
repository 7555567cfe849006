"""``/hub/api/users/{name}/manage-volumes`` on the real engine."""

import uuid

import pytest
import requests

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.naming import container_name, volume_name
from stellars_testing import wait_until

SUFFIXES = [volume.suffix for volume in DEFAULT_USER_VOLUMES]


@pytest.fixture(scope="module")
def hub(shared_docker_platform):
    return shared_docker_platform


def _user_whose_server_ran_once(hub, docker_run):
    username = f"vol-{uuid.uuid4().hex[:6]}-{docker_run.run_id}"
    token = hub.create_user(username)
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)
    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)
    # Stopped for the hub, and gone from the engine: a container the engine is
    # still removing holds the volumes, and deleting them would be refused.
    # ignore_removed: the SDK inspects each container it lists, and one removed
    # in between raised NotFound instead of counting as gone (seen in CI).
    name = container_name("jupyterlab-{username}", username)
    wait_until(
        lambda: (
            not docker_run.client.containers.list(
                all=True, filters={"name": f"^{name}$"}, ignore_removed=True
            )
        ),
        timeout_s=60,
        what=f"{name} removed",
    )
    return username, token


@pytest.fixture
def user_with_volumes(hub, docker_run):
    """A user of this test only, whose server ran once (so their volumes exist), stopped now."""
    return _user_whose_server_ran_once(hub, docker_run)


@pytest.fixture(scope="module")
def untouched_user(hub, docker_run):
    """Like ``user_with_volumes``, shared by the tests that must leave its volumes alone."""
    return _user_whose_server_ran_once(hub, docker_run)


def _names_on_engine(docker_run):
    """Return the names of this run's volumes (every username here carries its id).

    Only this run's: other sessions create and remove volumes on the same
    engine meanwhile (run ci23 saw another run's volume go between two looks).
    """
    return {
        volume.name
        for volume in docker_run.client.volumes.list()
        if docker_run.run_id in volume.name
    }


def test_lists_the_users_existing_volumes(hub, untouched_user):
    username, token = untouched_user
    response = hub.api("GET", f"users/{username}/manage-volumes", token=token)
    assert response.status_code == 200
    volumes = response.json()["volumes"]
    assert [v["suffix"] for v in volumes] == SUFFIXES
    for volume, configured in zip(volumes, DEFAULT_USER_VOLUMES, strict=True):
        assert volume["name"] == volume_name(configured, username)
        assert volume["mount_point"] == configured.mount_point
        assert volume["description"] == configured.description
        # The platform creates volumes empty before the container starts, and a
        # volume the lab wrote nothing to yet truly measures 0 bytes.
        assert volume["size_bytes"] is None or volume["size_bytes"] >= 0


def test_a_user_who_never_started_a_server_has_no_volumes(hub, docker_run):
    username = f"new-{uuid.uuid4().hex[:6]}-{docker_run.run_id}"
    token = hub.create_user(username)
    response = hub.api("GET", f"users/{username}/manage-volumes", token=token)
    assert response.json() == {"volumes": []}


def test_deletes_only_the_chosen_volumes(hub, docker_run, user_with_volumes):
    username, token = user_with_volumes
    response = hub.api(
        "DELETE", f"users/{username}/manage-volumes", token=token, json={"volumes": ["cache"]}
    )
    assert response.status_code == 200
    assert response.json()["volumes"] == [
        {
            "suffix": "cache",
            "name": volume_name(DEFAULT_USER_VOLUMES[2], username),
            "deleted": True,
            "error": None,
        }
    ]
    names = _names_on_engine(docker_run)
    assert volume_name(DEFAULT_USER_VOLUMES[2], username) not in names
    assert volume_name(DEFAULT_USER_VOLUMES[0], username) in names
    assert f"stellars_test_shared_{docker_run.run_id}" in names


def test_deleting_a_volume_that_is_gone_reports_it_and_is_not_a_200(hub, user_with_volumes):
    username, token = user_with_volumes
    path = f"users/{username}/manage-volumes"
    hub.api("DELETE", path, token=token, json={"volumes": ["cache"]}).raise_for_status()
    again = hub.api("DELETE", path, token=token, json={"volumes": ["cache"]})
    assert again.status_code == 404
    assert again.json()["volumes"][0]["deleted"] is False
    assert again.json()["volumes"][0]["error"] == "no such volume"


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        pytest.param({"volumes": []}, "volumes: List should have at least 1", id="empty-list"),
        pytest.param({"volumes": ["home", "nope"]}, "'nope'", id="unknown-suffix"),
        pytest.param({"volumes": "home"}, "volumes: Input should be a valid list", id="not-a-list"),
        pytest.param({"volumes": ["home", "home"]}, "twice", id="duplicate"),
        pytest.param({"volumes": ["home"], "force": True}, "'force'", id="unknown-field"),
        pytest.param({}, "volumes: Field required", id="no-volumes-field"),
        pytest.param(["home"], "JSON object", id="not-an-object"),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_deleted(
    hub, docker_run, untouched_user, body, complaint
):
    username, token = untouched_user
    before = _names_on_engine(docker_run)
    response = hub.api("DELETE", f"users/{username}/manage-volumes", token=token, json=body)
    assert response.status_code == 400
    assert complaint in response.json()["message"]
    assert _names_on_engine(docker_run) == before


def test_a_body_that_is_not_json_is_refused(hub, untouched_user):
    username, token = untouched_user
    response = hub.api("DELETE", f"users/{username}/manage-volumes", token=token, data=b"{home")
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_volumes_of_a_running_server_are_not_deleted(hub, docker_run, user_with_volumes):
    username, token = user_with_volumes
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)
    before = _names_on_engine(docker_run)
    response = hub.api(
        "DELETE", f"users/{username}/manage-volumes", token=token, json={"volumes": SUFFIXES}
    )
    assert response.status_code == 409
    assert "stop it" in response.json()["message"]
    assert _names_on_engine(docker_run) == before


def test_another_users_volumes_are_out_of_reach(hub, docker_run, untouched_user):
    username, _ = untouched_user
    intruder = hub.create_user(f"intruder-{docker_run.run_id}")
    path = f"users/{username}/manage-volumes"
    before = _names_on_engine(docker_run)
    assert hub.api("GET", path, token=intruder).status_code == 403
    response = hub.api("DELETE", path, token=intruder, json={"volumes": SUFFIXES})
    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert _names_on_engine(docker_run) == before
    # Same answer for a name that does not exist: no way to probe for accounts.
    assert hub.api("GET", "users/nobody-here/manage-volumes", token=intruder).status_code == 403


def test_an_admin_manages_anyones_volumes_and_unknown_users_are_404(hub, untouched_user):
    username, _ = untouched_user
    assert hub.api("GET", f"users/{username}/manage-volumes").status_code == 200
    missing = hub.api("GET", "users/nobody-here/manage-volumes")
    assert missing.status_code == 404
    assert missing.json()["status"] == 404


def test_anonymous_requests_are_refused(hub, untouched_user):
    username, _ = untouched_user
    response = requests.get(hub.hub_url(f"api/users/{username}/manage-volumes"), timeout=30)
    assert response.status_code == 403

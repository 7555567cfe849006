"""Container and volume names equal what DockerSpawner creates, for awkward usernames."""

import pytest

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.naming import container_name, volume_name


@pytest.fixture
def awkward_usernames(docker_run):
    rid = docker_run.run_id  # in every name, so the run's cleanup finds the volumes
    return {
        "dot": f"a.b{rid}",
        "dash": f"a-b{rid}",
        "underscore": f"a_b{rid}",
        "non-ascii": f"ü{rid}",
        "sixty-chars": "x" * (60 - len(rid)) + rid,
        "prefix": f"bob{rid}",
        "longer": f"bob{rid}by",
    }


@pytest.fixture(scope="module")
def hub(module_docker_platform):
    # The default username policy takes ASCII only; an operator may allow
    # letters of any script, and DockerSpawner's escaping must hold for them.
    return module_docker_platform({"JUPYTERHUB_USERNAME_PATTERN": r"\w[\w.@-]*"})


def test_names_match_real_spawns(hub, docker_run, awkward_usernames):
    for username in awkward_usernames.values():
        hub.api("POST", f"users/{username}").raise_for_status()
        assert hub.api("POST", f"users/{username}/server").status_code in {201, 202}
    for username in awkward_usernames.values():
        hub.wait_for_server(username, running=True)

    for kind, username in awkward_usernames.items():
        container = docker_run.client.containers.get(
            container_name("jupyterlab-{username}", username)
        )
        mounted = {m["Name"] for m in container.attrs["Mounts"] if m["Type"] == "volume"}
        expected = {volume_name(volume, username) for volume in DEFAULT_USER_VOLUMES}
        assert expected <= mounted, kind


def test_a_users_volumes_are_found_by_exact_name_only(hub, docker_run):
    # Not the names of the test above: this one deletes volumes.
    bob, bobby = f"bob2{docker_run.run_id}", f"bob2{docker_run.run_id}by"
    for username in (bob, bobby):
        hub.api("POST", f"users/{username}").raise_for_status()
        hub.api("POST", f"users/{username}/server")
    for username in (bob, bobby):
        hub.wait_for_server(username, running=True)
        hub.api("DELETE", f"users/{username}/server")
    for username in (bob, bobby):
        hub.wait_for_server(username, running=False)

    listed = hub.api("GET", f"users/{bob}/manage-volumes").json()["volumes"]
    assert sorted(v["name"] for v in listed) == sorted(
        volume_name(volume, bob) for volume in DEFAULT_USER_VOLUMES
    )
    deleted = hub.api("DELETE", f"users/{bob}/manage-volumes", json={"volumes": ["home"]})
    assert deleted.status_code == 200
    remaining = {v.name for v in docker_run.client.volumes.list()}
    assert volume_name(DEFAULT_USER_VOLUMES[0], bob) not in remaining
    assert all(volume_name(volume, bobby) in remaining for volume in DEFAULT_USER_VOLUMES)

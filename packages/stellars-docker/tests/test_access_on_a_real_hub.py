"""Docker-access groups on a real hub spawning into the real engine (without stellars_hub).

The hub runs DockerSpawner with our pre-spawn hook and the grant recorder;
groups are managed through the REST API, as an admin would (the harness's
service, a full admin) or as a holder of a group-filtered scope would; what
counts is the container the engine runs.
"""

import os
import textwrap

import pytest

from stellars_docker.naming import container_name
from stellars_testing import HubSession
from stellars_testing.hub import ADMIN_SERVICE

NAME_TEMPLATE = "jupyterlab-{username}"
HOME = {"jupyterlab-{username}_home": "/home/jovyan"}
PASSWORD = "access-test-password"


@pytest.fixture
def socket_path():
    # The engine's own socket: binding a path that does not exist would make
    # the engine create a directory there on the host.
    docker_host = os.environ.get("DOCKER_HOST", "")
    return (
        docker_host.removeprefix("unix://")
        if docker_host.startswith("unix://")
        else ("/var/run/docker.sock")
    )


def _keeper(docker_run):
    """The user who holds groups!group=docker-sock and nothing more."""
    return f"keeper-{docker_run.run_id}"


@pytest.fixture
def hub(hub_factory, docker_run, lab_image, docker_host_ip, socket_path):
    config = textwrap.dedent(f"""
        from jupyterhub.app import JupyterHub
        from stellars_core.migrations import upgrade
        from stellars_docker import GrantRecorder, capture_granters
        from stellars_docker.schema import HISTORY
        from stellars_docker.access import BUILTIN_GROUPS, make_pre_spawn_hook

        recorder = GrantRecorder()
        recorder.install()
        app = JupyterHub.instance()
        create_application = app.init_tornado_application

        def init_tornado_application():
            # What stellars_hub does once the hub has loaded its configuration.
            create_application()
            upgrade(app.db_url, [HISTORY])
            capture_granters(app.tornado_application)
            recorder.loading_configuration = False

        app.init_tornado_application = init_tornado_application

        c.JupyterHub.authenticator_class = "dummy"
        c.DummyAuthenticator.password = {PASSWORD!r}
        c.Authenticator.allow_all = True
        c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
        c.DockerSpawner.image = {lab_image!r}
        c.DockerSpawner.pull_policy = "never"
        c.DockerSpawner.remove = True
        c.DockerSpawner.name_template = {NAME_TEMPLATE!r}
        c.DockerSpawner.extra_create_kwargs = {{"labels": {docker_run.labels!r}}}
        c.DockerSpawner.volumes = {HOME!r}
        c.Spawner.pre_spawn_hook = make_pre_spawn_hook(
            {HOME!r}, {{}}, socket_path={socket_path!r}
        )
        c.JupyterHub.load_groups = {{name: {{}} for name in BUILTIN_GROUPS}}
        # The test manages memberships as an admin would, with the harness's token.
        c.JupyterHub.load_roles = [
            {{"name": "group-admin", "scopes": ["admin:groups"], "services": [{ADMIN_SERVICE!r}]}},
            {{"name": "sock-keeper", "scopes": ["groups!group=docker-sock"],
              "users": [{_keeper(docker_run)!r}]}},
        ]
    """)
    return hub_factory(config, hub_ip=docker_host_ip)


def _set_membership(hub, method, group, username):
    response = hub.api(method, f"groups/{group}/users", json={"users": [username]})
    assert response.status_code == 200, response.text


def _start(hub, username):
    response = hub.api("POST", f"users/{username}/server")
    assert response.status_code in {201, 202}, response.text
    hub.wait_for_server(username, running=True)


def _stop(hub, username):
    assert hub.api("DELETE", f"users/{username}/server").status_code in {202, 204}
    hub.wait_for_server(username, running=False)


def _container(docker_run, username):
    return docker_run.client.containers.get(container_name(NAME_TEMPLATE, username))


def _home_bind(username):
    home = container_name("jupyterlab-{username}_home", username)
    return f"{home}:/home/jovyan:rw"


def test_each_group_grants_its_own_access_and_nothing_more(hub, docker_run, socket_path):
    sock, privileged = f"sock-{docker_run.run_id}", f"priv-{docker_run.run_id}"
    for username, group in ((sock, "docker-sock"), (privileged, "docker-privileged")):
        hub.create_user(username)
        _set_membership(hub, "POST", group, username)
        _start(hub, username)

    with_socket = _container(docker_run, sock)
    assert sorted(with_socket.attrs["HostConfig"]["Binds"]) == sorted(
        [_home_bind(sock), f"{socket_path}:{socket_path}:rw"]
    )
    assert with_socket.attrs["HostConfig"]["Privileged"] is False
    # The engine's socket really is there, not an empty directory in its place.
    assert with_socket.exec_run(["test", "-S", socket_path]).exit_code == 0

    privileged_container = _container(docker_run, privileged)
    assert privileged_container.attrs["HostConfig"]["Privileged"] is True
    assert privileged_container.attrs["HostConfig"]["Binds"] == [_home_bind(privileged)]


def test_a_revoked_membership_is_gone_after_the_next_stop_and_start(hub, docker_run, socket_path):
    username = f"revoked-{docker_run.run_id}"
    hub.create_user(username)
    for group in ("docker-sock", "docker-privileged"):
        _set_membership(hub, "POST", group, username)
    _start(hub, username)
    granted = _container(docker_run, username).attrs["HostConfig"]
    assert f"{socket_path}:{socket_path}:rw" in granted["Binds"]
    assert granted["Privileged"] is True

    for group in ("docker-sock", "docker-privileged"):
        _set_membership(hub, "DELETE", group, username)
    _stop(hub, username)
    _start(hub, username)
    revoked = _container(docker_run, username).attrs["HostConfig"]
    assert revoked["Binds"] == [_home_bind(username)]
    assert revoked["Privileged"] is False


def test_what_a_user_submits_adds_no_image_mount_or_privilege(
    hub, docker_run, lab_image, socket_path
):
    submitted = {
        "image": f"stellars-not-the-lab-image-{docker_run.run_id}:latest",
        "volumes": {"/": "/host", socket_path: socket_path},
        "privileged": True,
        "extra_host_config": {"privileged": True, "binds": ["/:/host:rw"]},
        "device_requests": [{"Count": -1, "Capabilities": [["gpu"]]}],
    }
    fields = {"image": submitted["image"], "volumes": "/:/host", "privileged": "1"}
    # The three ways a user hands options to a spawn: REST body, spawn form, query string.
    by_api, by_form, by_query = (f"{way}-{docker_run.run_id}" for way in ("api", "form", "query"))
    token = hub.create_user(by_api)
    response = hub.api("POST", f"users/{by_api}/server", token=token, json=submitted)
    assert response.status_code in {201, 202}, response.text
    for username in (by_form, by_query):
        hub.create_user(username)
    form = HubSession(hub)
    form.log_in(by_form, PASSWORD)
    response = form.post(
        hub.hub_url(f"spawn/{by_form}"),
        data=fields,
        headers={"X-XSRFToken": form.cookies["_xsrf"]},
        timeout=60,
    )
    assert response.ok, response.text[:500]
    query = HubSession(hub)
    query.log_in(by_query, PASSWORD)
    assert query.get(hub.hub_url(f"spawn/{by_query}"), params=fields, timeout=60).ok

    for username in (by_api, by_form, by_query):
        hub.wait_for_server(username, running=True)
        container = _container(docker_run, username)
        assert container.attrs["Config"]["Image"] == lab_image
        assert container.attrs["HostConfig"]["Binds"] == [_home_bind(username)]
        assert container.attrs["HostConfig"]["Privileged"] is False
        assert not container.attrs["HostConfig"].get("DeviceRequests")
        assert hub.user_model(username)["servers"][""]["user_options"] == {}


def test_a_membership_granted_by_a_filtered_token_gives_no_socket(hub, docker_run, socket_path):
    # The keeper's token holds groups!group=docker-sock, which JupyterHub lets add
    # anyone to that group; the spawn must not honour it (root on the host).
    keeper = _keeper(docker_run)
    response = hub.api(
        "POST", f"users/{keeper}/tokens", json={"scopes": ["groups!group=docker-sock"]}
    )
    assert response.status_code == 201, response.text
    keeper_token = response.json()["token"]
    username = f"filtered-{docker_run.run_id}"
    hub.create_user(username)
    response = hub.api(
        "POST", "groups/docker-sock/users", token=keeper_token, json={"users": [username]}
    )
    assert response.status_code == 200, response.text
    assert username in hub.api("GET", "groups/docker-sock").json()["users"]

    _start(hub, username)
    config = _container(docker_run, username).attrs["HostConfig"]
    assert config["Binds"] == [_home_bind(username)]
    assert config["Privileged"] is False
    log = hub.log_since_start()
    assert f"{username} is in docker-sock by {keeper}, who is not a full admin" in log
    assert "ignored at this spawn" in log

    # The same membership granted again by a full admin (the harness's service) counts.
    _set_membership(hub, "DELETE", "docker-sock", username)
    _set_membership(hub, "POST", "docker-sock", username)
    _stop(hub, username)
    _start(hub, username)
    assert (
        f"{socket_path}:{socket_path}:rw"
        in _container(docker_run, username).attrs["HostConfig"]["Binds"]
    )

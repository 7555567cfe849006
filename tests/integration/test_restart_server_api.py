"""``POST /hub/api/users/{name}/restart-server`` on the real engine."""

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import pytest
from accounts import signed_up, user_token
from lab_containers import run_username

from stellars_docker.naming import container_name

PASSWORD = "restart-test-passphrase"
# The platform's restart waits for the server up to JUPYTERHUB_RESTART_TIMEOUT:
# its default (60 s) was once not enough for JupyterLab to answer again in a
# CI run, with two other test streams on the same two cores.
RESTART_TIMEOUT_S = 150
RESTART_ANSWER_TIMEOUT_S = RESTART_TIMEOUT_S + 30.0


def patient(hub):
    """*hub* with an API client that waits for a restart's answer.

    A restart answers when JupyterLab answers again, which on a loaded
    two-core machine has taken more than the harness's 30 s (once in CI
    for the very first restart, when nothing of the lab was cached yet).
    """
    return dataclasses.replace(hub, api_timeout=RESTART_ANSWER_TIMEOUT_S)


@pytest.fixture(scope="module")
def hub(module_docker_platform):
    return module_docker_platform({"JUPYTERHUB_RESTART_TIMEOUT": str(RESTART_TIMEOUT_S)})


@pytest.fixture
def running_user(hub, docker_run, admin_name, admin_password):
    """A user signed up, authorised, logged in (a browser session) with a running server."""
    username = run_username(docker_run, "rs")
    person = signed_up(hub, username, PASSWORD, admin_name, admin_password)
    token = user_token(hub, username)
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)
    return username, token, person


def test_restart_keeps_container_files_environment_and_url(hub, docker_run, running_user):
    username, token, person = running_user
    container = docker_run.client.containers.get(container_name("jupyterlab-{username}", username))
    contents = hub.user_url(username, "api/contents/kept.txt")
    headers = {"Authorization": f"token {token}"}
    person.put(
        contents,
        json={"type": "file", "format": "text", "content": "kept"},
        headers=headers,
        timeout=30,
    ).raise_for_status()

    response = patient(hub).api("POST", f"users/{username}/restart-server", token=token)
    assert response.status_code == 200, response.text
    assert response.json()["restarted"] is True

    container.reload()
    assert container.id == docker_run.client.containers.get(container.name).id
    assert container.attrs["State"]["Running"]
    assert int(container.attrs["RestartCount"]) == 0  # restarted by us, not by a crash loop
    environment = container.attrs["Config"]["Env"]
    assert f"JUPYTERHUB_USER={username}" in environment
    # Through the proxy, at the same URL, right after the answer.
    assert person.get(contents, headers=headers, timeout=30).json()["content"] == "kept"
    assert person.get(hub.user_url(username, "lab"), timeout=30).status_code == 200


def test_a_second_restart_while_one_runs_is_refused(hub, running_user):
    username, token, _ = running_user
    path = f"users/{username}/restart-server"
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda _: patient(hub).api("POST", path, token=token), range(2)))
    answers = sorted(response.status_code for response in responses)
    # A restart that gave up says why in its answer and in the hub's log.
    bodies = "\n".join(response.text for response in responses)
    assert answers == [200, 409], f"{bodies}\n{hub.log_tail(120)}"


def test_a_stopped_server_is_not_restarted(hub, running_user):
    username, token, _ = running_user
    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)
    response = hub.api("POST", f"users/{username}/restart-server", token=token)
    assert response.status_code == 409
    assert "not running" in response.json()["message"]


def test_another_users_server_is_out_of_reach(hub, docker_run, running_user):
    username, _, _ = running_user
    intruder = hub.create_user(run_username(docker_run, "other"))
    response = hub.api("POST", f"users/{username}/restart-server", token=intruder)
    assert response.status_code == 403

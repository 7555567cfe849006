"""A newcomer's first day, end to end: real hub, real proxy, real Docker engine.

Sign up through the form, get authorised, log in, start a JupyterLab container
through the REST API, reach it through the proxy, and find a file written in
the first session still there after the server was stopped and started again.
"""

import time

from accounts import signed_up, user_token
from dockerspawner import DockerSpawner

from stellars_testing import wait_until

USER_PASSWORD = "integration-user-passphrase"


def _containers_of(docker_run, username):
    # The container's name is DockerSpawner's template filled with its own escaping.
    name = f"jupyterlab-{DockerSpawner._escape(username)}"
    # ignore_removed: the SDK inspects each container it lists, and one the
    # engine removes in between would raise instead of being gone.
    return docker_run.client.containers.list(
        all=True, filters={"name": f"^{name}$"}, ignore_removed=True
    )


def _states(docker_run, username):
    return [(c.name, c.status) for c in _containers_of(docker_run, username)]


def test_a_new_user_keeps_their_files_across_server_restarts(
    docker_platform, docker_run, admin_name, admin_password
):
    hub = docker_platform()
    username = f"ada-{docker_run.run_id}"

    person = signed_up(hub, username, USER_PASSWORD, admin_name, admin_password)

    started = time.monotonic()
    assert hub.api("POST", f"users/{username}/server").status_code in {201, 202}
    hub.wait_for_server(username, running=True)
    print(f"spawn took {time.monotonic() - started:.1f}s")
    assert len(_containers_of(docker_run, username)) == 1

    # The person's own browser session reaches JupyterLab through the proxy (OAuth included).
    lab = person.get(hub.user_url(username, "lab"), timeout=60)
    assert lab.status_code == 200, lab.text[:500]
    assert "JupyterLab" in lab.text

    token = user_token(hub, username)
    contents = hub.user_url(username, "api/contents/notes.txt")
    headers = {"Authorization": f"token {token}"}
    written = person.put(
        contents,
        json={"type": "file", "format": "text", "content": "written before the restart"},
        headers=headers,
        timeout=30,
    )
    assert written.status_code in {200, 201}, written.text

    assert hub.api("DELETE", f"users/{username}/server").status_code in {202, 204}
    hub.wait_for_server(username, running=False)
    # Removed: only the volumes keep files. The hub marks the server stopped
    # once DockerSpawner's stop returns; allow the engine a moment all the same.
    wait_until(
        lambda: _containers_of(docker_run, username) == [],
        timeout_s=30,
        what=f"{username}'s container removed",
        explain=lambda: f"{_states(docker_run, username)}\n{hub.log_tail()}",
    )

    assert hub.api("POST", f"users/{username}/server").status_code in {201, 202}
    hub.wait_for_server(username, running=True)
    read = person.get(contents, headers=headers, timeout=30)
    assert read.status_code == 200, read.text
    assert read.json()["content"] == "written before the restart"

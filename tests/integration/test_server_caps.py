"""The caps on running servers, on a hub with local single-user servers (no Docker needed).

- a group policy's ``max_servers``: a member's next named server is refused
  with 403 and the reason (a policy, so it holds on any spawner);
- ``JUPYTERHUB_ACTIVE_SERVER_LIMIT``: JupyterHub's own limit, refused with 429.
"""

import uuid

import pytest
from accounts import local_platform
from group_policies import group_with_members, store_policy

from stellars_testing import wait_until

ADMIN = "caps-admin"
PASSWORD = "server-caps-passphrase"


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    settings = {**local_platform(ADMIN, PASSWORD), "JUPYTERHUB_ACTIVE_SERVER_LIMIT": "2"}
    return module_platform_hub(settings, "c.JupyterHub.allow_named_servers = True\n")


def _user(hub, what):
    username = f"{what}-{uuid.uuid4().hex[:6]}"
    hub.create_user(username)
    return username


def _ready(hub, username, server):
    wait_until(
        lambda: (hub.user_model(username)["servers"].get(server) or {}).get("ready"),
        timeout_s=120,
        what=f"{username}'s server {server!r} ready",
    )


def _stop(hub, username, server=""):
    hub.api("DELETE", f"users/{username}/servers/{server}").raise_for_status()
    wait_until(
        lambda: server not in hub.user_model(username)["servers"],
        timeout_s=60,
        what=f"{username}'s server {server!r} stopped",
    )


def _refuses_the_second_server(hub):
    username = _user(hub, "capped")
    group = f"one-server-{uuid.uuid4().hex[:6]}"
    store_policy(hub.db_url, group, max_servers=1)
    group_with_members(hub, group, username)
    response = hub.api("POST", f"users/{username}/servers/first")
    assert response.status_code in {201, 202}, response.text
    _ready(hub, username, "first")

    refused = hub.api("POST", f"users/{username}/servers/second")
    assert refused.status_code == 403, refused.text
    message = refused.json()["message"]
    assert "Your groups allow 1 server(s) at a time" in message
    assert f"from {group}" in message
    assert "Running now: first" in message
    assert set(hub.api("GET", f"users/{username}").json()["servers"]) == {"first"}
    _stop(hub, username, "first")


def test_a_groups_server_cap_refuses_the_next_server(hub):
    _refuses_the_second_server(hub)


def test_the_server_cap_holds_on_postgresql(platform_hub, postgres_db_url):
    # The cap is read from the policies table at each start: on either database.
    settings = local_platform(ADMIN, PASSWORD)
    extra = "c.JupyterHub.allow_named_servers = True\n"
    _refuses_the_second_server(platform_hub(settings, extra, db_url=postgres_db_url))


def test_the_active_server_limit_refuses_a_further_users_start(hub):
    first, second, third = (_user(hub, what) for what in ("one", "two", "three"))
    for username in (first, second):
        assert hub.api("POST", f"users/{username}/server").status_code in {201, 202}
        hub.wait_for_server(username, running=True)
    refused = hub.api("POST", f"users/{third}/server")
    assert refused.status_code == 429, refused.text
    assert "Active user limit exceeded" in refused.json()["message"]
    for username in (first, second):
        _stop(hub, username)


def test_an_option_that_is_no_offered_profile_is_refused_on_the_local_spawner_too(hub):
    # No container to put an image in, but nothing a user submits reaches a
    # spawner unchecked, whichever spawner the hub runs.
    username = _user(hub, "options")
    refused = hub.api("POST", f"users/{username}/server", json={"image": "evil/root"})
    assert refused.status_code == 400, refused.text
    assert "Unknown server option(s): image" in refused.json()["message"]
    assert hub.user_model(username)["servers"] == {}

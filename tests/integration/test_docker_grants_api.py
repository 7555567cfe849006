"""``GET /hub/api/stellars/docker-grants`` on a real hub: who holds Docker access and why it counts.

Memberships are made the ways a deployment makes them: listed by the
operator in ``c.JupyterHub.load_groups``, added by a full admin through the
REST API, and added by the holder of a group-filtered scope (JupyterHub lets
``groups!group=docker-privileged`` add anyone) through the proxy and through
the hub's own port, which every lab container reaches. The route lists each
with who granted it and whether a spawn honours it. The local spawner is
enough: the records and the verdict are the hub's; the Docker layer's tests
check what a spawn makes of them.
"""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from accounts import local_platform, user_token

ADMIN = "boss"
PASSWORD = "docker-grants-passphrase"
LOCAL = local_platform(ADMIN, PASSWORD)
LISTED = "listed-by-operator"
KEEPER = "keeper"  # holds groups!group=docker-privileged and nothing more
EXTRA = f"""
c.JupyterHub.load_groups = {{"docker-sock": {{"users": [{LISTED!r}]}}, "docker-privileged": {{}}}}
c.JupyterHub.load_roles.append(
    {{"name": "keeper", "scopes": ["groups!group=docker-privileged"], "users": [{KEEPER!r}]}}
)
"""
CONFIGURATION = "configuration (c.JupyterHub.load_groups)"


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(LOCAL, EXTRA)


def _add(url, token, username):
    response = requests.post(
        url,
        headers={"Authorization": f"token {token}"},
        json={"users": [username]},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def _grants(hub, token):
    response = requests.get(
        hub.hub_url("api/stellars/docker-grants"),
        headers={"Authorization": f"token {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {group["name"]: group for group in response.json()["groups"]}


def test_each_membership_is_listed_with_its_granter_and_whether_it_counts(hub):
    admin_token = user_token(hub, ADMIN)
    keeper_token = user_token(hub, KEEPER, ["groups!group=docker-privileged"])
    granted, via_proxy, via_hub_port = "granted-by-admin", "via-proxy", "via-hub-port"
    for username in (granted, via_proxy, via_hub_port):
        hub.create_user(username)
    before = datetime.now(UTC) - timedelta(seconds=5)

    _add(hub.hub_url("api/groups/docker-sock/users"), admin_token, granted)
    _add(hub.hub_url("api/groups/docker-privileged/users"), keeper_token, via_proxy)
    # A lab reaches the hub's own port without the proxy: the same rule applies there.
    _add(hub.direct_hub_url("api/groups/docker-privileged/users"), keeper_token, via_hub_port)

    groups = _grants(hub, admin_token)
    assert list(groups) == ["docker-sock", "docker-privileged"]
    assert "root on the host" in groups["docker-sock"]["gives"]
    sock = {member["username"]: member for member in groups["docker-sock"]["members"]}
    assert sorted(sock) == [granted, LISTED]
    assert sock[LISTED]["granted_by"] == CONFIGURATION
    assert sock[LISTED]["counts_at_spawn"] is True
    assert sock[granted]["granted_by"] == ADMIN
    assert sock[granted]["granted_by_full_admin"] is True
    assert sock[granted]["counts_at_spawn"] is True
    assert sock[granted]["ignored_because"] is None
    assert sock[granted]["fix"] is None
    assert before <= datetime.fromisoformat(sock[granted]["granted_at"]) <= datetime.now(UTC)

    privileged = {member["username"]: member for member in groups["docker-privileged"]["members"]}
    assert sorted(privileged) == [via_hub_port, via_proxy]
    for username, member in privileged.items():
        assert member["granted_by"] == KEEPER
        assert member["granted_by_full_admin"] is False
        assert member["counts_at_spawn"] is False
        assert member["ignored_because"] == f"granted by {KEEPER}, who is not a full admin"
        assert f"remove {username} from docker-privileged and add them again" in member["fix"]


def test_a_removed_membership_leaves_the_list(hub):
    admin_token = user_token(hub, ADMIN)
    username = "removed-later"
    hub.create_user(username)
    _add(hub.hub_url("api/groups/docker-sock/users"), admin_token, username)
    assert username in {m["username"] for m in _grants(hub, admin_token)["docker-sock"]["members"]}

    response = hub.api("DELETE", "groups/docker-sock/users", json={"users": [username]})
    assert response.status_code == 200, response.text
    members = _grants(hub, admin_token)["docker-sock"]["members"]
    assert username not in {member["username"] for member in members}


def test_a_group_manager_cannot_read_the_grants(hub):
    # Managing a group's members is not reading who holds root on the host.
    keeper_token = user_token(hub, KEEPER, ["groups!group=docker-privileged"])
    response = requests.get(
        hub.hub_url("api/stellars/docker-grants"),
        headers={"Authorization": f"token {keeper_token}"},
        timeout=30,
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Requires the 'custom:docker-grants:read' scope."

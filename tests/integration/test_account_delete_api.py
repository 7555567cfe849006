"""``DELETE /hub/api/users/{name}/account``: who may call it and what it refuses, on a real hub.

A hub with local servers: every refusal here comes before the engine is
needed, and a request that passes them all answers 501 (no Docker) with the
account still there. What it does to volumes is the Docker layer's
(test_account_delete_on_docker.py).
"""

import pytest
from accounts import local_platform

ADMIN = "chief"
PASSWORD = "account-delete-passphrase"
SLOW_SPAWN_S = 60
LOCAL = local_platform(ADMIN, PASSWORD)
# A server whose start stays pending long enough to try a delete meanwhile,
# and a spawn request that answers 202 at once instead of waiting for it.
SLOW_SPAWNER = f"""
import asyncio
from jupyterhub.spawner import LocalProcessSpawner

class SlowSpawner(LocalProcessSpawner):
    async def start(self):
        if self.user.name.startswith("slow-"):
            await asyncio.sleep({SLOW_SPAWN_S})
        return await super().start()

c.JupyterHub.spawner_class = SlowSpawner
c.JupyterHub.tornado_settings.update({{"slow_spawn_timeout": 0}})
"""


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    return module_platform_hub(LOCAL, SLOW_SPAWNER)


def _exists(hub, name):
    return hub.api("GET", f"users/{name}").status_code == 200


def _error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert body["message"]
    return body["message"]


def test_a_user_without_the_scope_is_refused_on_others_and_on_themself(hub):
    token = hub.create_user("plain")
    hub.create_user("victim")
    for target in ("victim", "plain", "nobody-like-this"):
        response = hub.api(
            "DELETE", f"users/{target}/account", token=token, json={"volumes": "delete"}
        )
        assert "admin:users" in _error(response, 403)
    assert _exists(hub, "victim")
    assert _exists(hub, "plain")


def test_an_unknown_user_is_404_for_an_admin(hub):
    response = hub.api("DELETE", "users/nobody-at-all/account", json={"volumes": "archive"})
    assert "nobody-at-all" in _error(response, 404)


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        pytest.param({}, "volumes: Field required", id="missing"),
        pytest.param({"volumes": "keep"}, "volumes: Input should be 'delete'", id="unknown-choice"),
        pytest.param({"volumes": ["delete"]}, "or 'archive'", id="a-list"),
        pytest.param({"volumes": None}, "volumes: Input should be", id="null"),
        pytest.param({"volumes": "delete", "force": True}, "'force'", id="unknown-field"),
        pytest.param(["delete"], "JSON object", id="not-an-object"),
    ],
)
def test_a_bad_body_is_refused_and_the_account_stays(hub, body, complaint):
    if not _exists(hub, "kept"):
        hub.create_user("kept")
    response = hub.api("DELETE", "users/kept/account", json=body)
    assert complaint in _error(response, 400)
    assert _exists(hub, "kept")


def test_an_admin_cannot_delete_themself(hub):
    response = hub.api("POST", f"users/{ADMIN}/tokens", json={"note": "self-delete"})
    token = response.json()["token"]
    response = hub.api("DELETE", f"users/{ADMIN}/account", token=token, json={"volumes": "delete"})
    assert "your own account" in _error(response, 409)
    assert _exists(hub, ADMIN)


def test_an_account_whose_server_is_starting_is_not_deleted(hub):
    hub.create_user("slow-starter")
    assert hub.api("POST", "users/slow-starter/server").status_code == 202
    assert hub.user_model("slow-starter")["servers"][""]["pending"] == "spawn"
    response = hub.api("DELETE", "users/slow-starter/account", json={"volumes": "delete"})
    assert "spawn pending" in _error(response, 409)
    assert _exists(hub, "slow-starter")


def test_without_docker_nothing_is_deleted(hub):
    hub.create_user("local-only")
    response = hub.api("DELETE", "users/local-only/account", json={"volumes": "delete"})
    _error(response, 501)
    assert _exists(hub, "local-only")

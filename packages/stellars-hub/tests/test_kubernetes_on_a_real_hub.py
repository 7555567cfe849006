"""``JUPYTERHUB_SPAWNER=kubernetes`` on a real hub: the parts without Docker, through the proxy.

No cluster here: the config file sets a spawner of its own after
``configure()`` (as z2jh's KubeSpawner would be), and what is checked is the
platform's side: the Docker routes are JupyterHub's own 404, the rest
answers, the pages leave the Docker parts out, on SQLite and PostgreSQL.
"""

import pytest

from stellars_testing import HubSession

ADMIN_PASSWORD = "kubernetes-admin-password"
KUBERNETES = {
    "JUPYTERHUB_SPAWNER": "kubernetes",
    "JUPYTERHUB_ADMIN": "admin",
    "JUPYTERHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
}
# KubeSpawner is not installed here; z2jh would have set it before configure().
SPAWNER = 'c.JupyterHub.spawner_class = "simple"\n'
DOCKER_ROUTES = (
    "users/admin/manage-volumes",
    "users/admin/volume-sizes",
    "users/admin/server-stats",
    "users/admin/quota",
    "users/admin/effective-policy",
    "stellars/archived-volumes",
    "stellars/docker-grants",
    "stellars/group-policies",
)


# One hub per database for the module (a hub start is about 3 s of CPU): the
# tests only read, log in and make tokens of their own.
@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)]
)
def kubernetes_hub(request, module_platform_hub):
    options = {}
    if request.param == "postgresql":
        options["db_url"] = request.getfixturevalue("postgres_server").create_database()
    return module_platform_hub(KUBERNETES, SPAWNER, **options)


def test_the_docker_routes_are_jupyterhubs_own_404(kubernetes_hub):
    for path in DOCKER_ROUTES:
        answer = kubernetes_hub.api("GET", path)
        assert answer.status_code == 404, path
    restart = kubernetes_hub.api("POST", "users/admin/restart-server")
    assert restart.status_code == 404


def test_accounts_activity_and_sessions_answer(kubernetes_hub):
    admin = HubSession(kubernetes_hub)
    assert admin.log_in("admin", ADMIN_PASSWORD).status_code == 200
    activity = kubernetes_hub.api("GET", "activity")
    assert activity.status_code == 200
    rows = {row["username"]: row for row in activity.json()["users"]}
    assert rows["admin"]["quota"]["quota_bytes"] is None
    assert rows["admin"]["volumes"] == []
    session = kubernetes_hub.api("GET", "users/admin/session-info")
    assert session.status_code == 200
    # The platform's own scopes are the admin's (the harness token has core's only).
    token = kubernetes_hub.api("POST", "users/admin/tokens", json={}).json()["token"]
    history = kubernetes_hub.api("GET", "notifications/history", token=token)
    assert history.status_code == 200
    documented = kubernetes_hub.api("GET", "stellars/openapi.json").json()["paths"]
    assert "/api/activity" in documented
    assert not [path for path in documented if "volumes" in path or "policies" in path]


def test_the_pages_leave_the_docker_parts_out(kubernetes_hub):
    admin = HubSession(kubernetes_hub)
    home = admin.log_in("admin", ADMIN_PASSWORD)
    assert 'data-docker="no"' in home.text
    assert "hub/groups" not in home.text
    assert "quota.js" not in home.text
    page = admin.get(kubernetes_hub.hub_url("admin"), timeout=30)
    assert page.status_code == 200
    assert "stellars-docker-grants" not in page.text
    assert "admin-volumes.js" not in page.text
    assert admin.get(kubernetes_hub.hub_url("groups"), timeout=30).status_code == 404
    assert admin.get(kubernetes_hub.hub_url("activity"), timeout=30).status_code == 200

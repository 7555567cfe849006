"""The assembled platform on a real hub, on SQLite and on PostgreSQL."""

import pytest

from stellars_testing import HubSession

ADMIN_PASSWORD = "platform-admin-password"
SETTINGS = {"JUPYTERHUB_ADMIN": "admin", "JUPYTERHUB_ADMIN_PASSWORD": ADMIN_PASSWORD}


def _check_platform(hub):
    admin = HubSession(hub)
    home = admin.log_in("admin", ADMIN_PASSWORD)
    assert home.status_code == 200
    assert "/hub/home" in home.url
    info = hub.api("GET", "stellars/info").json()
    assert all(info["packages"][name] for name in info["packages"])


def test_the_platform_runs_on_sqlite(platform_hub):
    _check_platform(platform_hub(SETTINGS))


def test_the_platform_runs_on_postgresql(platform_hub, postgres_db_url):
    hub = platform_hub(SETTINGS, db_url=postgres_db_url)
    _check_platform(hub)
    assert "postgresql" in hub.log_since_start()


@pytest.mark.parametrize("base_url", ["/", "/team/hub"])
def test_info_is_served_under_the_hubs_prefix(platform_hub, base_url):
    # The harness serves every hub under its own base URL; configure's must not fight it.
    hub = platform_hub({**SETTINGS, "JUPYTERHUB_BASE_URL": base_url})
    assert hub.api("GET", "stellars/info").status_code == 200

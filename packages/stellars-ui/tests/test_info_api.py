from importlib.metadata import version

import requests


def test_info_reports_the_platform_and_package_versions(ui_hub, platform_name):
    response = ui_hub.api("GET", "stellars/info")
    assert response.status_code == 200
    info = response.json()
    assert info["platform"] == platform_name
    assert info["jupyterhub"] == version("jupyterhub")
    assert info["packages"]["stellars-ui"] == version("stellars-ui")
    # Reported as unknown, not as an error, when a package is not installed.
    assert set(info["packages"]) >= {"stellars-hub", "stellars-auth", "stellars-docker"}


def test_info_needs_the_read_hub_scope(ui_hub):
    token = ui_hub.create_user("plain-user")
    response = ui_hub.api("GET", "stellars/info", token=token)
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["status"] == 403


def test_info_refuses_anonymous_requests_with_json(ui_hub):
    response = requests.get(ui_hub.hub_url("api/stellars/info"), timeout=30)
    assert response.status_code == 403
    assert response.json()["status"] == 403

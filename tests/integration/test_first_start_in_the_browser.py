"""The operator's first start, in a real browser, on PostgreSQL.

The admin logs in with the initial password, presses "Start My Server" on
the home page and JupyterLab opens from a container on the real engine.
"""

import time

import pytest
from dockerspawner import DockerSpawner

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

LAB_TIMEOUT_MS = 120_000


def test_the_admin_starts_jupyterlab_from_the_home_page(
    docker_platform, docker_run, postgres_db_url, logged_in_page, admin_name, admin_password
):
    hub = docker_platform(db_url=postgres_db_url)
    page = logged_in_page(hub, admin_name, admin_password)
    assert page.get_by_test_id("stellars-platform-name").inner_text() == "Stellars Hub"

    started = time.monotonic()
    page.click("#start")
    # JupyterLab's own shell, rendered by the lab in the container.
    page.wait_for_selector("#jp-main-dock-panel", timeout=LAB_TIMEOUT_MS)
    print(f"from 'Start My Server' to JupyterLab: {time.monotonic() - started:.1f}s")
    assert f"/user/{admin_name}/lab" in page.url

    container = docker_run.client.containers.get(f"jupyterlab-{DockerSpawner._escape(admin_name)}")
    assert container.status == "running"
    assert container.labels[next(iter(docker_run.labels))] == docker_run.run_id

"""The home page's "Manage volumes" and "Restart" controls, in a real browser."""

import pytest

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.naming import container_name, volume_name
from stellars_testing.browser import visit

TIMEOUT_MS = 90_000
# JUPYTERHUB_DOCKER_TIMEOUT (30 s) plus JUPYTERHUB_RESTART_TIMEOUT (below), with room.
RESTART_OUTCOME_MS = 200_000


@pytest.fixture
def hub(docker_platform):
    # Two CI streams share two cores: give JupyterLab room to come back.
    return docker_platform({"JUPYTERHUB_RESTART_TIMEOUT": "150"})


def _start(hub, username):
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)


def _stop(hub, username):
    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)


def test_a_stopped_server_offers_to_reset_chosen_volumes(
    hub, docker_run, logged_in_page, admin_name, admin_password
):
    _start(hub, admin_name)
    _stop(hub, admin_name)
    page = logged_in_page(hub, admin_name, admin_password)
    assert page.locator("#stellars-restart").is_hidden()

    page.click("#stellars-manage-volumes", timeout=TIMEOUT_MS)
    rows = page.locator("#stellars-volumes-dialog .list-group-item")
    rows.first.wait_for()
    texts = rows.all_inner_texts()
    assert [text.split("\n")[0] for text in texts] == ["Home", "Workspace", "Cache"]
    assert "Home directory and settings" in texts[0]

    page.check("#stellars-volumes-dialog input[value=cache]")
    page.click("#stellars-volumes-dialog .stellars-delete")
    question = page.locator(".stellars-confirmation-text")
    assert question.inner_text().startswith("Reset Cache?")
    page.click("#stellars-volumes-dialog .stellars-confirm-delete")
    page.locator("#stellars-status.alert-success").wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#stellars-status").inner_text() == "Cache: reset"

    names = {volume.name for volume in docker_run.client.volumes.list()}
    home, _, cache = (volume_name(volume, admin_name) for volume in DEFAULT_USER_VOLUMES)
    assert cache not in names
    assert home in names


def test_a_running_server_offers_a_restart_that_keeps_the_container(
    hub, docker_run, logged_in_page, admin_name, admin_password
):
    _start(hub, admin_name)
    name = container_name("jupyterlab-{username}", admin_name)
    container = docker_run.client.containers.get(name)
    page = logged_in_page(hub, admin_name, admin_password)
    assert page.locator("#stellars-manage-volumes").is_hidden()

    page.click("#stellars-restart", timeout=TIMEOUT_MS)
    page.click("#stellars-restart-dialog .stellars-confirm-restart")
    assert "Restarting" in page.locator("#stellars-status").inner_text()
    # Whatever the outcome, the hub answers within its own limits (engine call
    # plus JupyterLab's restart timeout); a failure says what the page said.
    page.locator("#stellars-status.alert-success, #stellars-status.alert-danger").wait_for(
        timeout=RESTART_OUTCOME_MS
    )
    said = page.locator("#stellars-status").inner_text()
    assert "restarted" in said, f"the page said: {said}\n{hub.log_tail(120)}"

    container.reload()
    assert container.status == "running"
    visit(page, hub.user_url(admin_name, "lab"))
    page.wait_for_selector("#jp-main-dock-panel", timeout=TIMEOUT_MS)

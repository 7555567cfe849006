"""The admin page asks what becomes of a deleted user's volumes, and shows the archive.

In a real browser, on JupyterHub's own admin page (its React app), on a hub
with real Docker spawns: the admin deletes a user there, the platform's
dialog lists that user's volumes with their sizes and offers "Delete
volumes" or "Keep as archive"; the archive section lists the kept ones with
Assign and Purge. Screenshots of both, at a desktop and a phone width, are
saved under the test's temporary folder.
"""

import re

import pytest
from lab_containers import run_username, spawn_and_stop
from playwright.sync_api import expect

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.naming import volume_name
from stellars_testing.browser import record_page_errors, visit

# JupyterHub's own templates and scripts shape this page: checked on every
# supported JupyterHub (noxfile.py, INTEGRATION_PARTS).
pytestmark = pytest.mark.jupyterhub_pages

TIMEOUT_MS = 30_000
WIDTHS = (1280, 390)
# A volume's size as the dialog gives it: measured, or said to be unknown.
SIZE = re.compile(r"^(\d+(\.\d)? [KMGT]?B|size not known yet)$")


@pytest.fixture(scope="module")
def hub(shared_docker_platform):
    return shared_docker_platform


def _names(username):
    return [volume_name(volume, username) for volume in DEFAULT_USER_VOLUMES]


def _on_engine(docker_run, names):
    present = {volume.name for volume in docker_run.client.volumes.list()}
    return [name for name in names if name in present]


def _user_whose_server_ran(hub, docker_run, what):
    username = run_username(docker_run, what)
    hub.create_user(username)
    spawn_and_stop(hub, docker_run, username)
    return username


@pytest.fixture
def admin_page(hub, logged_in_page, admin_name, admin_password):
    page = logged_in_page(hub, admin_name, admin_password)
    page.set_default_timeout(TIMEOUT_MS)
    errors = []

    record_page_errors(page, errors)
    visit(page, hub.hub_url("admin"))
    page.get_by_role("button", name="Add Users").wait_for()
    yield page
    assert errors == []


def _delete_on_the_admin_page(page, username):
    page.reload()  # the list as it is now, with the user made after the page loaded
    row = page.get_by_role("row").filter(has_text=username)
    row.get_by_role("button", name="Edit User").click()
    page.get_by_role("button", name="Delete user").click()
    dialog = page.locator("#stellars-delete-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".stellars-delete-user")).to_have_text(username)
    return dialog


def _screenshots(page, tmp_path, what):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=tmp_path / f"{what}-{width}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_deleting_a_user_on_the_admin_page_asks_and_deletes_the_volumes(
    hub, docker_run, admin_page, tmp_path
):
    username = _user_whose_server_ran(hub, docker_run, "page-del")
    dialog = _delete_on_the_admin_page(admin_page, username)
    # The user's real volumes, each with a size (measured, or said to be unknown).
    for name in _names(username):
        volume_row = dialog.locator(f'tr[data-volume="{name}"]')
        expect(volume_row).to_be_visible()
        expect(volume_row.locator("td")).to_have_text(SIZE)
    _screenshots(admin_page, tmp_path, "delete-dialog")

    dialog.get_by_role("button", name="Delete volumes").click()
    expect(dialog).to_be_hidden()
    # JupyterHub's page took the answer as its own delete's and went back to the list.
    admin_page.get_by_role("button", name="Add Users").wait_for()
    expect(admin_page.get_by_role("row").filter(has_text=username)).to_have_count(0)
    assert hub.api("GET", f"users/{username}").status_code == 404
    assert _on_engine(docker_run, _names(username)) == []


def _as_on_a_swarm(route):
    response = route.fetch()
    answer = response.json()
    for volume in answer["volumes"]:
        volume["nodes"] = ["worker-2"]
    route.fulfill(response=response, json=answer)


def test_keeping_the_volumes_archives_them_and_the_archive_purges(
    hub, docker_run, admin_page, tmp_path
):
    username = _user_whose_server_ran(hub, docker_run, "page-arc")
    names = _names(username)
    dialog = _delete_on_the_admin_page(admin_page, username)
    dialog.get_by_role("button", name="Keep as archive").click()
    expect(dialog).to_be_hidden()
    assert hub.api("GET", f"users/{username}").status_code == 404
    assert _on_engine(docker_run, names) == names

    archive = admin_page.locator("#stellars-volume-archive")
    for name in names:
        row = archive.locator(f'tr[data-volume="{name}"]')
        expect(row).to_be_visible()
        expect(row.locator(".stellars-archive-owner")).to_have_text(username)
        # One engine: no node to name.
        expect(row.locator(".stellars-archive-nodes")).to_have_count(0)
    archive.scroll_into_view_if_needed()
    _screenshots(admin_page, tmp_path, "volume-archive")

    # From here the hub's answers are shown as a swarm's with local volumes
    # gives them (tests/swarm has the real one): each volume's node.
    admin_page.route("**/hub/api/stellars/archived-volumes", _as_on_a_swarm)
    # Assigning needs the account of that name: it is gone, so the hub says so.
    home = archive.locator(f'tr[data-volume="{names[0]}"]')
    home.get_by_role("button", name=f"Assign to {username}").click()
    expect(archive.locator(".stellars-archive-status")).to_contain_text(username)
    expect(archive.locator(".stellars-archive-status")).to_have_class(
        re.compile(r"\balert-danger\b")
    )
    expect(home.locator(".stellars-archive-nodes")).to_have_text("on worker-2")
    home.locator("th").screenshot(path=tmp_path / "volume-archive-name-on-a-swarm.png")

    # Purge takes a second click to confirm.
    purge = home.get_by_role("button", name="Purge")
    purge.click()
    assert _on_engine(docker_run, names) == names
    home.get_by_role("button", name="Confirm purge").click()
    expect(archive.locator(f'tr[data-volume="{names[0]}"]')).to_have_count(0)
    assert _on_engine(docker_run, names) == names[1:]


def test_cancelling_deletes_nothing(hub, docker_run, admin_page):
    username = _user_whose_server_ran(hub, docker_run, "page-keep")
    dialog = _delete_on_the_admin_page(admin_page, username)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert hub.api("GET", f"users/{username}").status_code == 200
    assert _on_engine(docker_run, _names(username)) == _names(username)

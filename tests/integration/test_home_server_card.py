"""The home page's server card on the real engine, in a real browser, and "Measure now"'s API.

The volume sizes are refreshed only once a day here, so after a first start
they stay unknown (as for five minutes with the default interval) until
"Measure now" asks the engine for that user's volumes. Stats are sampled
every two seconds; the default policy limits a server to one CPU and
512 MiB, and a group gives the user a profile.
"""

import re

import pytest
import requests
from accounts import signed_up
from group_policies import group_with_members, store_policy
from lab_containers import in_volume, run_username
from playwright.sync_api import expect

from stellars_docker import DEFAULT_USER_VOLUMES, volume_name
from stellars_testing.browser import assert_accessible, assert_fits, screenshot, visit

MIB = 1024**2
SETTINGS = {
    "JUPYTERHUB_STATS_INTERVAL": "2",
    "JUPYTERHUB_VOLUME_SIZE_INTERVAL": "86400",
    "JUPYTERHUB_CPU_LIMIT": "1",
    "JUPYTERHUB_MEM_LIMIT": "512M",
    "JUPYTERHUB_VOLUME_QUOTA": "64M",
    "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
    "JUPYTERHUB_IDLE_CULLER_TIMEOUT": "2400",
    "JUPYTERHUB_IDLE_CULLER_INTERVAL": "600",
    "JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION": "2",
}
PASSWORD = "server-card-passphrase-7"
TIMEOUT_MS = 90_000
# The card looks again every 15 s; stats come every 2 s.
REFRESH_MS = 45_000


@pytest.fixture(scope="module")
def hub(module_docker_platform):
    return module_docker_platform(SETTINGS)


@pytest.fixture(scope="module")
def person(hub, docker_run, lab_image, admin_name, admin_password):
    """A user who signed up, in a group whose policy offers one profile; no server yet."""
    username = run_username(docker_run, "card")
    signed_up(hub, username, PASSWORD, admin_name, admin_password)
    group = f"card-{docker_run.run_id}"
    store_policy(
        hub.db_url,
        group,
        profiles=[{"name": "standard", "display_name": "Standard lab", "image": lab_image}],
        default_profile="standard",
    )
    group_with_members(hub, group, username)
    return username


def _start(hub, username):
    response = hub.api("POST", f"users/{username}/server", json={"profile": "standard"})
    assert response.status_code in {201, 202}, response.text
    hub.wait_for_server(username, running=True)


def _home(logged_in_page, hub, username):
    page = logged_in_page(hub, username, PASSWORD)
    visit(page, hub.hub_url("home"))
    return page


def _volume(username, suffix):
    return volume_name(next(v for v in DEFAULT_USER_VOLUMES if v.suffix == suffix), username)


def test_a_running_server_shows_its_state_resources_and_volumes_measured_now(
    hub, person, docker_run, lab_image, logged_in_page
):
    _start(hub, person)
    # Three MiB the engine has not measured: the sizes are refreshed once a day here.
    in_volume(
        docker_run, lab_image, _volume(person, "home"), "head -c 3145728 /dev/urandom > /v/known"
    )
    page = _home(logged_in_page, hub, person)
    card = page.locator("#stellars-server-card")
    expect(card).to_have_attribute("data-state", "running", timeout=TIMEOUT_MS)
    expect(page.locator("#stellars-server-state")).to_have_text("Running")
    expect(page.locator("#stellars-server-uptime")).to_have_text(re.compile(r"^\d+ (s|min)$"))
    expect(page.locator("#stellars-server-profile")).to_have_text("Standard lab")
    # CPU and memory against the limits in force: one CPU, 512 MiB.
    expect(page.locator("#stellars-server-cpu")).to_have_text(
        re.compile(r"^[\d.]+ % of 1 CPU$"), timeout=REFRESH_MS
    )
    expect(page.locator("#stellars-server-memory")).to_have_text(
        re.compile(r"^[\d.]+ [KM]B of 536\.9 MB$")
    )
    expect(page.locator("#stellars-server-memory-bar")).to_be_visible()

    volumes = page.locator("#stellars-server-volumes li")
    expect(volumes).to_have_count(3)
    assert [v.locator("strong").inner_text() for v in volumes.all()] == [
        "Home",
        "Workspace",
        "Cache",
    ]
    home = page.locator('#stellars-server-volumes li[data-suffix="home"]')
    assert "Home directory and settings" in home.inner_text()
    assert _volume(person, "home") in home.inner_text()  # the on-disk name, as a detail
    expect(home.locator(".stellars-volume-size")).to_have_text("not measured yet")
    measure = page.locator("#stellars-measure")
    expect(measure).to_be_visible()
    # Every action in one place; volumes are managed only while stopped.
    actions = page.locator("#stellars-server-controls")
    for control in ("#start", "#stop", "#stellars-restart"):
        expect(actions.locator(control)).to_be_visible()
    expect(page.locator("#stellars-manage-volumes")).to_be_hidden()
    assert_accessible(page)
    assert_fits(page)

    measure.click()
    expect(page.locator("#stellars-measure-status")).to_have_text("Measured just now.")
    size = home.locator(".stellars-volume-size")
    expect(size).to_have_attribute("data-known", "true")
    assert float(size.inner_text().split()[0]) >= 3.1  # MB: 3 MiB at least
    expect(measure).to_be_hidden()
    # The sizes are the platform's now: quota and volume listing read them.
    listed = hub.api("GET", f"users/{person}/manage-volumes").json()["volumes"]
    sizes = {volume["suffix"]: volume["size_bytes"] for volume in listed}
    assert sizes["home"] >= 3 * MIB
    quota = hub.api("GET", f"users/{person}/quota").json()
    assert quota["used_bytes"] >= 3 * MIB
    bar = page.locator("#stellars-quota-bar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("of your 67.1 MB quota")
    expect(page.locator("#stellars-session")).to_be_visible()  # the idle countdown, in the card
    assert_accessible(page)
    assert_fits(page)
    screenshot(page, "home")


def test_measuring_is_the_users_own_and_rate_limited(hub, person, docker_run, admin_name):
    user_token = hub.api("POST", f"users/{person}/tokens", json={}).json()["token"]
    other = run_username(docker_run, "other")
    hub.create_user(other)
    other_token = hub.api("POST", f"users/{other}/tokens", json={}).json()["token"]
    path = f"users/{person}/volume-sizes"

    refused = hub.api("POST", path, token=other_token, json={})
    assert refused.status_code == 403, refused.text
    assert set(refused.json()) == {"status", "message"}
    assert hub.api("POST", "users/nobody-here-at-all/volume-sizes", json={}).status_code == 404
    # The hub's own port, which every lab container reaches: the same check.
    direct = requests.post(
        hub.direct_hub_url(f"api/{path}"),
        headers={"Authorization": f"token {other_token}"},
        json={},
        timeout=30,
    )
    assert direct.status_code == 403, direct.text

    # The other user has no volumes: nothing to measure, nothing started.
    assert (
        hub.api("POST", f"users/{other}/volume-sizes", token=other_token, json={}).json()["volumes"]
        == []
    )
    # The person measured moments ago (the test before, or now): within the
    # minute, asked again, the answer is 429 with when to come back.
    first = hub.api("POST", path, token=user_token, json={})
    assert first.status_code in {200, 429}, first.text
    again = hub.api("POST", path, token=user_token, json={})
    assert again.status_code == 429, again.text
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    assert "try again in" in again.json()["message"]
    # An admin's request counts against the same user's window.
    assert hub.api("POST", path, json={}).status_code == 429
    assert hub.api("POST", path, token=user_token, json={"extra": 1}).status_code == 400


def test_a_stopped_server_offers_to_reset_its_volumes(hub, person, logged_in_page):
    hub.api("DELETE", f"users/{person}/server").raise_for_status()
    hub.wait_for_server(person, running=False)
    page = _home(logged_in_page, hub, person)
    expect(page.locator("#stellars-server-card")).to_have_attribute(
        "data-state", "stopped", timeout=TIMEOUT_MS
    )
    expect(page.locator("#stellars-server-state")).to_have_text("Stopped")
    for row in ("uptime", "cpu", "memory", "profile"):
        expect(page.locator(f"#stellars-server-{row}-row")).to_be_hidden()
    expect(page.locator("#stellars-server-volumes li")).to_have_count(3)
    expect(page.locator("#stellars-restart")).to_be_hidden()
    expect(page.locator("#stellars-server-controls #start")).to_have_text("Start My Server")
    assert_accessible(page)
    assert_fits(page)

    page.click("#stellars-manage-volumes")
    dialog = page.locator("#stellars-volumes-dialog")
    expect(dialog.locator("h2")).to_have_text("Reset volumes")
    rows = dialog.locator(".list-group-item")
    expect(rows).to_have_count(3)
    first = rows.first.inner_text()
    assert first.startswith("Home\n")
    assert _volume(person, "home") in first
    assert_accessible(page)
    assert_fits(page)

    # A refusal looks and reads as a failure, not as progress or success.
    page.route(
        hub.hub_url(f"api/users/{person}/manage-volumes"),
        lambda route: (
            route.fulfill(status=409, json={"status": 409, "message": "it is busy"})
            if route.request.method == "DELETE"
            else route.continue_()
        ),
    )
    dialog.locator("input[value=cache]").check()
    dialog.locator(".stellars-delete").click()
    expect(dialog.locator(".stellars-confirmation-text")).to_contain_text("Reset Cache?")
    dialog.locator(".stellars-confirm-delete").click()
    status = page.locator("#stellars-status")
    expect(status).to_have_attribute("data-outcome", "failed")
    expect(status).to_have_text("Nothing reset: it is busy")
    assert "alert-danger" in status.get_attribute("class")
    assert_accessible(page)
    page.unroute(hub.hub_url(f"api/users/{person}/manage-volumes"))

    page.click("#stellars-manage-volumes")
    dialog.locator("input[value=cache]").check()
    dialog.locator(".stellars-delete").click()
    dialog.locator(".stellars-confirm-delete").click()
    expect(status).to_have_attribute("data-outcome", "done", timeout=TIMEOUT_MS)
    expect(status).to_have_text("Cache: reset")
    assert "alert-success" in status.get_attribute("class")
    # The card follows: the reset volume is gone until the next start.
    expect(page.locator("#stellars-server-volumes li")).to_have_count(2)


def test_a_user_without_volumes_is_not_offered_to_manage_them(
    hub, docker_run, logged_in_page, admin_name, admin_password
):
    username = run_username(docker_run, "novol")
    signed_up(hub, username, PASSWORD, admin_name, admin_password)
    page = _home(logged_in_page, hub, username)
    expect(page.locator("#stellars-server-card")).to_have_attribute(
        "data-state", "stopped", timeout=TIMEOUT_MS
    )
    # Give the volume listing its answer before looking for what it would show.
    page.wait_for_load_state("networkidle")
    expect(page.locator("#stellars-server-volumes-section")).to_be_hidden()
    expect(page.locator("#stellars-manage-volumes")).to_be_hidden()
    expect(page.locator("#stellars-server-controls #start")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)

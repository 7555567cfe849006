"""The warning before a cull, end to end: the real idle culler, real lab containers, a real browser.

Short times: a base timeout of 40 s, checks every 5 s, and so a lead time
of 20 s (the most it can be, half the timeout; the setting asks for the
default half-hour). An idle lab is warned about 20 s after it starts and
stopped by the culler about 20 s later. Beside it a hub without the culler
runs a lab as long, and warns nobody. In the browser the timeout is 60 s, so
that JupyterLab is up before its warning comes.

The idle user's lab reports its activity to the hub every 5 s (not every
5 minutes): had the warning counted as the user's activity, the hub would
hear of it at once, and the cull would move away and be warned of again.
The notifications are read as JupyterLab's page reads them, a drain, marked
as no activity of the user's.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from accounts import signed_up
from lab_containers import run_username
from lab_notifications import LabNotAnsweringError, read_notifications
from playwright.sync_api import expect

from stellars_testing import wait_until
from stellars_testing.browser import accessibility_violations, screenshot, visit

TIMEOUT_S = 40
LEAD_S = TIMEOUT_S // 2
CHECK_S = 5
CULLER = {
    "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
    "JUPYTERHUB_IDLE_CULLER_TIMEOUT": str(TIMEOUT_S),
    "JUPYTERHUB_IDLE_CULLER_INTERVAL": str(CHECK_S),
}
NO_CULLER = {**CULLER, "JUPYTERHUB_IDLE_CULLER_ENABLED": "0"}
# In the browser, JupyterLab must be up before the warning (30 s in) comes.
BROWSER_TIMEOUT_S = 60
IN_THE_BROWSER = {**CULLER, "JUPYTERHUB_IDLE_CULLER_TIMEOUT": str(BROWSER_TIMEOUT_S)}
REPORTING = "idle"
# After the platform's own pre-spawn hook: the users named "idle-..." report
# their activity every 5 s. A lab open in the browser is activity the hub
# must not hear of during that test, so that user keeps the default.
ACTIVITY_EVERY_5S = f"""
_platform_hook = c.Spawner.pre_spawn_hook
async def _report_activity_often(spawner):
    await _platform_hook(spawner)
    if spawner.user.name.startswith({REPORTING + "-"!r}):
        spawner.environment = {{**spawner.environment, "JUPYTERHUB_ACTIVITY_INTERVAL": "5"}}
c.Spawner.pre_spawn_hook = _report_activity_often
"""
LAB_TIMEOUT_MS = 120_000


def _running(hub, username):
    return bool(hub.user_model(username)["servers"])


def _start(hub, username):
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True, timeout=180)


@pytest.fixture
def hubs(docker_platform):
    """Return the platform with the culler (reporting users' activity often), and without it."""
    return docker_platform(CULLER, ACTIVITY_EVERY_5S), docker_platform(NO_CULLER, ACTIVITY_EVERY_5S)


def test_an_idle_lab_is_warned_once_then_culled_and_none_without_the_culler(hubs, docker_run):
    culled, kept = hubs
    idle = run_username(docker_run, REPORTING)
    quiet = run_username(docker_run, REPORTING)
    idle_token = culled.create_user(idle)
    quiet_token = kept.create_user(quiet)
    _start(culled, idle)
    _start(kept, quiet)

    received, stopped_at = [], None
    deadline = time.monotonic() + TIMEOUT_S + 45
    while time.monotonic() < deadline:
        if not _running(culled, idle):
            stopped_at = datetime.now(UTC)
            break
        try:
            received.extend(read_notifications(culled, idle, idle_token))
        except LabNotAnsweringError:
            # Culled between the two looks: the next look at the server sees it stopped.
            continue
        time.sleep(1)
    assert stopped_at is not None, f"not culled\n{culled.log_tail(80)}"

    assert len(received) == 1, received
    (warning,) = received
    assert warning["type"] == "warning"
    assert warning["autoClose"] is False
    cull_at = datetime.fromisoformat(warning["data"]["cull_at"])
    assert f"will be stopped at {cull_at:%H:%M} UTC (in less than a minute)" in warning["message"]
    home = "/stellars-test/hub/home#stellars-session"
    assert warning["data"]["url"] == home
    (action,) = warning["actions"]
    assert (action["label"], action["args"]["url"]) == ("Extend my session", home)
    # The culler stopped it at its first check after the time the warning gave
    # (a container's stop takes up to its 10 s grace).
    assert cull_at - timedelta(seconds=1) <= stopped_at <= cull_at + timedelta(seconds=CHECK_S + 20)

    # The same time went by on the hub without a culler: its lab ran on, told nothing.
    assert _running(kept, quiet)
    assert read_notifications(kept, quiet, quiet_token) == []


def test_the_warning_shows_in_jupyterlab_and_its_action_opens_the_session_card(
    docker_platform, docker_run, logged_in_page, admin_name, admin_password
):
    hub = docker_platform(IN_THE_BROWSER)
    username = run_username(docker_run, "lab")
    password = "cull-warning-lab-password-7"
    signed_up(hub, username, password, admin_name, admin_password)
    _start(hub, username)
    page = logged_in_page(hub, username, password)
    visit(page, hub.user_url(username, "lab"))
    page.wait_for_selector("#jp-main-dock-panel", timeout=LAB_TIMEOUT_MS)

    toast = page.get_by_text("has been idle and will be stopped at")
    toast.wait_for(timeout=(BROWSER_TIMEOUT_S // 2 + 2 * CHECK_S) * 1000)
    action = page.get_by_role("button", name="Extend my session")
    # Once the toast has slid in whole.
    expect(action).to_be_in_viewport(ratio=1)
    screenshot(page, "cull-warning-in-jupyterlab", full_page=False)
    # The rest of the page is JupyterLab's own; the warning must be readable by all.
    in_the_toast = [
        violation
        for violation in accessibility_violations(page)
        if any("toast" in str(target).lower() for target in violation["targets"])
    ]
    assert in_the_toast == []

    with page.context.expect_page() as opened:
        action.click()
    home = opened.value
    home.wait_for_load_state()
    assert home.url.endswith("/hub/home#stellars-session"), home.url
    expect(home.locator("#stellars-session")).to_be_visible(timeout=30_000)
    wait_until(
        lambda: not _running(hub, username), timeout_s=BROWSER_TIMEOUT_S + 30, what="the cull"
    )

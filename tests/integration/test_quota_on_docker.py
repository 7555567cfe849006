"""Volume quotas on the real engine: the Activity API's quota and memory limit, an older
policy marked, the start refused over quota, and the lab told once per crossing.

Sizes are the engine's own (``docker system df``), refreshed every ten
seconds; files are written into a user's volume by a container of the lab
image. The default policy gives every user 64 MiB, a warning from 50 %, and
a 512 MiB memory limit; starts over the quota are refused.
"""

import time

import pytest
import requests
from accounts import signed_up
from lab_containers import in_volume, run_username
from sqlalchemy import create_engine, select

from stellars_docker import DEFAULT_USER_VOLUMES, volume_name
from stellars_docker.policy import QUOTA_NOTICES, GroupPolicy, save_policy
from stellars_testing import wait_until
from stellars_testing.browser import visit

MIB = 1024**2
QUOTA = 64 * MIB
MEMORY_LIMIT = 512 * MIB
SETTINGS = {
    "JUPYTERHUB_STATS_INTERVAL": "2",
    "JUPYTERHUB_VOLUME_SIZE_INTERVAL": "10",  # the least it accepts
    "JUPYTERHUB_VOLUME_QUOTA": "64M",
    "JUPYTERHUB_VOLUME_QUOTA_WARNING": "50",
    "JUPYTERHUB_VOLUME_QUOTA_ENFORCED": "1",
    "JUPYTERHUB_MEM_LIMIT": "512M",
}
# Two size refreshes and a notice tick after them.
MEASURED_WITHIN_S = 45
NOTIFICATIONS = "jupyterlab-notifications-extension/notifications"


@pytest.fixture(scope="module")
def hub(module_docker_platform):
    """The platform on the real engine with a small default quota, one hub for the module."""
    return module_docker_platform(SETTINGS)


def activity_row(hub, username):
    response = hub.api("GET", "activity")
    assert response.status_code == 200, response.text
    return next(row for row in response.json()["users"] if row["username"] == username)


def wait_for_quota(hub, username, state, *, timeout_s=MEASURED_WITHIN_S):
    """Return *username*'s activity row once its quota state is *state*."""
    return wait_until(
        lambda: (row := activity_row(hub, username))["quota"]["state"] == state and row,
        timeout_s=timeout_s,
        interval_s=1,
        what=f"{username}'s quota state {state}",
        explain=lambda: str(activity_row(hub, username)["quota"]),
    )


def write_mib(docker_run, lab_image, username, name, mib):
    home = volume_name(DEFAULT_USER_VOLUMES[0], username)
    # Random bytes: nothing along the way can store them as less.
    in_volume(docker_run, lab_image, home, f"head -c {mib * MIB} /dev/urandom > /v/{name}")


def start(hub, username):
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True, timeout=180)


def test_activity_rows_show_quota_memory_limit_older_policy_and_a_start_refused_over_quota(
    hub, docker_run, lab_image
):
    username = run_username(docker_run, "quota")
    hub.create_user(username)
    start(hub, username)

    row = wait_until(
        lambda: (
            (r := activity_row(hub, username))["memory_limit_mb"] is not None
            and r["quota"]["state"] != "unknown"
            and r
        ),
        timeout_s=MEASURED_WITHIN_S,
        what="the container's stats and the volume sizes",
    )
    assert row["memory_limit_mb"] == MEMORY_LIMIT / 1_000_000
    assert 0 < row["memory_mb"] < row["memory_limit_mb"]
    assert row["quota"]["state"] == "ok"
    assert row["quota"]["quota_bytes"] == QUOTA
    assert row["quota"]["source"] == "(default policy)"
    assert row["policy_outdated"] is False

    # An admin gives the user's group a larger quota: the running server is
    # now under an older policy, and the larger quota counts at once.
    hub.api("POST", "groups/quota-team").raise_for_status()
    hub.api("POST", "groups/quota-team/users", json={"users": [username]}).raise_for_status()
    _save_policy(hub.db_url, "quota-team", GroupPolicy(volume_quota=2 * QUOTA))
    row = activity_row(hub, username)
    assert row["policy_outdated"] is True
    assert (row["quota"]["quota_bytes"], row["quota"]["source"]) == (2 * QUOTA, "quota-team")
    hub.api("DELETE", "groups/quota-team/users", json={"users": [username]}).raise_for_status()
    assert activity_row(hub, username)["policy_outdated"] is False

    write_mib(docker_run, lab_image, username, "half", 40)
    row = wait_for_quota(hub, username, "warning")
    assert row["quota"]["used_bytes"] >= 40 * MIB
    assert 50 <= row["quota"]["percent"] <= 100

    hub.api("DELETE", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=False)
    write_mib(docker_run, lab_image, username, "more", 30)
    row = wait_for_quota(hub, username, "over")
    assert row["quota"]["used_bytes"] > QUOTA
    # The Activity table's "over quota" filter finds them from the sizes in
    # memory; sorting by volumes puts the largest first.
    over = hub.api("GET", "activity", params={"state": "over_quota"}).json()["users"]
    assert username in [r["username"] for r in over]
    assert {r["quota"]["state"] for r in over} == {"over"}
    largest = hub.api("GET", "activity", params={"sort": "volumes", "order": "desc"}).json()
    sizes = [r["volumes_total_bytes"] for r in largest["users"]]
    measured = [size for size in sizes if size is not None]
    assert measured == sorted(measured, reverse=True)
    assert sizes[: len(measured)] == measured  # unmeasured last

    refused = hub.api("POST", f"users/{username}/server")
    assert refused.status_code == 403, refused.text
    assert "over your quota" in refused.json()["message"]
    assert not hub.user_model(username)["servers"]


def test_a_running_lab_is_told_once_per_crossing(hub, docker_run, lab_image):
    username = run_username(docker_run, "told")
    token = hub.create_user(username)
    start(hub, username)
    wait_for_quota(hub, username, "ok")
    received = []

    def poll():
        response = requests.get(
            hub.user_url(username, NOTIFICATIONS),
            headers={"Authorization": f"token {token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        # The extension hands each notification out once.
        received.extend(response.json()["notifications"])
        return received

    write_mib(docker_run, lab_image, username, "big", 40)
    wait_until(poll, timeout_s=MEASURED_WITHIN_S, interval_s=1, what="the quota notification")
    # Another size refresh and notice tick tell nothing new.
    deadline = time.monotonic() + 12
    while time.monotonic() < deadline:
        poll()
        time.sleep(1)
    assert [(n["type"], n["autoClose"]) for n in received] == [("warning", False)]
    assert "of your 0.07 GB quota" in received[0]["message"]

    # Below the threshold again: recorded as such, then a new crossing tells again.
    in_volume(docker_run, lab_image, volume_name(DEFAULT_USER_VOLUMES[0], username), "rm /v/big")
    wait_until(
        lambda: username not in _told(hub.db_url),
        timeout_s=MEASURED_WITHIN_S,
        what="the fall below the threshold recorded",
    )
    assert poll() == received[:1]
    write_mib(docker_run, lab_image, username, "again", 40)
    wait_until(
        lambda: len(poll()) == 2, timeout_s=MEASURED_WITHIN_S, interval_s=1, what="a second notice"
    )
    # The crossing is recorded once the notice is out (a CI run read the
    # table in between): the record follows within a check.
    wait_until(
        lambda: _told(hub.db_url).get(username) == "warning",
        timeout_s=30,
        what="the second crossing recorded",
    )


def test_the_activity_page_and_the_home_page_show_the_warning_with_its_numbers(
    hub, docker_run, lab_image, logged_in_page, admin_name, admin_password, tmp_path
):
    username = run_username(docker_run, "page")
    password = "quota-page-password-9"
    signed_up(hub, username, password, admin_name, admin_password)
    start(hub, username)
    write_mib(docker_run, lab_image, username, "half", 40)
    wait_for_quota(hub, username, "warning")

    page = logged_in_page(hub, admin_name, admin_password)
    visit(page, hub.hub_url("activity"))
    row = page.locator(f'#stellars-activity-table tr[data-username="{username}"]')
    badge = row.locator('[data-column="volumes"] [data-quota="warning"]')
    badge.wait_for(timeout=30_000)
    assert badge.is_visible()
    assert badge.inner_text().startswith("near quota")
    volumes = row.locator('[data-column="volumes"]').inner_text()
    assert "/ 67.1 MB" in volumes  # the quota next to the total
    row.locator('[data-column="memory"]').get_by_text("/ 537 MB").wait_for(timeout=30_000)
    page.screenshot(path=str(tmp_path / "activity-quota.png"), full_page=True)

    home = logged_in_page(hub, username, password)
    visit(home, hub.hub_url("home"))
    card = home.locator('#stellars-quota[data-state="warning"]')
    card.wait_for(timeout=30_000)
    assert card.is_visible()
    assert "of your 67.1 MB quota" in card.inner_text()
    home.screenshot(path=str(tmp_path / "home-quota.png"), full_page=True)
    print(f"screenshots in {tmp_path}")


def _save_policy(db_url, group, policy):
    from sqlalchemy.orm import Session  # noqa: PLC0415 - only this helper writes

    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            save_policy(session, group, policy, by="test", by_full_admin=True)
    finally:
        engine.dispose()


def _told(db_url):
    """Return the quota level each user was last told of, by username."""
    from jupyterhub import orm  # noqa: PLC0415 - the hub's own tables

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(orm.User.name, QUOTA_NOTICES.c.level).join(
                    QUOTA_NOTICES, QUOTA_NOTICES.c.user_id == orm.User.id
                )
            )
            return dict(rows.all())
    finally:
        engine.dispose()

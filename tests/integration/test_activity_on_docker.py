"""``/hub/api/activity`` and the in-hub sampler with real lab containers on the real engine.

The same API on the local spawner is in test_activity_api.py; here a row's
server state, CPU, memory and volumes come from the container and volumes
DockerSpawner really created. One hub serves the module, with its
refreshers fast: the sampler ticks every two seconds, container stats every
two and volume sizes every ten. The module's first test needs a hub nothing
has read a user of yet; its last test stops the server.
"""

import time
import uuid
from datetime import UTC, datetime

import pytest
from activity_db import samples_in

from stellars_docker import DEFAULT_USER_VOLUMES
from stellars_docker.naming import container_name, volume_name
from stellars_testing import wait_until

SAMPLE_INTERVAL_S = 2
FAST = {
    "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": str(SAMPLE_INTERVAL_S),
    "JUPYTERHUB_STATS_INTERVAL": "2",
    "JUPYTERHUB_VOLUME_SIZE_INTERVAL": "10",  # the least it accepts
}
# A volume-size refresh before the server started, then the next one ten seconds later.
MEASURED_WITHIN_S = 30
MB = 1_000_000


@pytest.fixture(scope="module")
def hub(module_docker_platform):
    """The platform on the real engine, one hub for the module, refreshing fast."""
    return module_docker_platform(FAST)


@pytest.fixture(scope="module")
def names(docker_run):
    """Two users; the one without a server has a name that begins the other's.

    Their container and volume names then share a prefix too, so a row that
    matched names by prefix would show the running user's figures twice.
    """
    offline = f"act-{uuid.uuid4().hex[:6]}-{docker_run.run_id}"
    return f"{offline}-lab", offline


@pytest.fixture(scope="module")
def offline_user(hub, names):
    """A user who never started a server."""
    _, username = names
    hub.create_user(username)
    return username


@pytest.fixture(scope="module")
def running_user(hub, names, offline_user):
    """A user with a running lab container (created after ``offline_user``)."""
    username, _ = names
    hub.create_user(username)
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)
    return username


def rows_by_name(body):
    return {row["username"]: row for row in body["users"]}


def get_activity(hub, token=None):
    response = hub.api("GET", "activity", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def measured_row(hub, username):
    """Return *username*'s row once the stats and the volume sizes have been read, else None."""
    row = rows_by_name(get_activity(hub))[username]
    if row["cpu_percent"] is None or row["volumes_total_bytes"] is None:
        return None
    return row


def volume_names(hub, username):
    return [volume["name"] for volume in rows_by_name(get_activity(hub))[username]["volumes"]]


def test_a_user_nothing_has_read_since_the_hub_started_is_sampled_too(hub, admin_name):
    # First in the module: nothing has read the admin, created as the hub
    # started, so JupyterHub has not loaded them into app.users (it does so
    # lazily); the sampler reads every user from the database all the same.
    assert samples_in(hub.db_url, admin_name)  # the initial sample of their creation
    wait_until(
        lambda: len(samples_in(hub.db_url, admin_name)) >= 3,
        timeout_s=3 * SAMPLE_INTERVAL_S,
        what=f"two ticks of {admin_name}",
    )


def test_a_running_server_shows_its_containers_figures_and_its_volumes(
    hub, docker_run, running_user, offline_user
):
    row = wait_until(
        lambda: measured_row(hub, running_user),
        timeout_s=MEASURED_WITHIN_S,
        what=f"{running_user}'s stats and volume sizes",
    )
    assert row["server_active"] is True
    assert row["recently_active"] is True  # a fresh server was active just now
    assert row["server_pending"] is None
    assert isinstance(row["cpu_percent"], float)
    assert row["cpu_percent"] >= 0
    assert row["memory_mb"] > 0
    assert 0 < row["memory_percent"] <= 100
    # A share of the limit the engine reports for the container (the host's memory here).
    container = docker_run.client.containers.get(
        container_name("jupyterlab-{username}", running_user)
    )
    limit = container.stats(stream=False)["memory_stats"]["limit"]
    assert row["memory_percent"] == pytest.approx(100 * row["memory_mb"] * MB / limit, rel=1e-6)

    expected = [(v.suffix, volume_name(v, running_user)) for v in DEFAULT_USER_VOLUMES]
    assert [(v["suffix"], v["name"]) for v in row["volumes"]] == expected
    on_engine = {volume.name for volume in docker_run.client.volumes.list()}
    assert {name for _, name in expected} <= on_engine
    sizes = [volume["size_bytes"] for volume in row["volumes"]]
    assert all(isinstance(size, int) and size >= 0 for size in sizes)
    assert row["volumes_total_bytes"] == sum(sizes)
    assert row["volumes_total_bytes"] > 0  # the home volume holds the image's files

    other = rows_by_name(get_activity(hub))[offline_user]
    assert other["server_active"] is other["recently_active"] is False
    assert (other["cpu_percent"], other["memory_mb"], other["memory_percent"]) == (None,) * 3
    assert other["volumes"] == []
    assert other["volumes_total_bytes"] is None


def test_the_summary_counts_the_running_user_active_and_the_others_offline(
    hub, running_user, offline_user, admin_name
):
    body = get_activity(hub)
    assert set(rows_by_name(body)) == {admin_name, running_user, offline_user}
    summary = body["summary"]
    assert (summary["total"], summary["active"], summary["idle"], summary["offline"]) == (
        3,
        1,
        0,
        2,
    )

    # The user themself reads their own row and a summary of it alone.
    token = hub.api("POST", f"users/{running_user}/tokens", json={}).json()["token"]
    own = get_activity(hub, token)
    assert [row["username"] for row in own["users"]] == [running_user]
    assert own["users"][0]["server_active"] is True
    assert (own["summary"]["total"], own["summary"]["active"]) == (1, 1)


def test_the_sampler_records_the_running_user_active_and_the_others_not(
    hub, running_user, offline_user
):
    wait_until(
        lambda: any(active for _, active in samples_in(hub.db_url, running_user)),
        what=f"an active sample of {running_user}",
    )
    # A couple of ticks more, so the user without a server was sampled meanwhile too.
    time.sleep(2 * SAMPLE_INTERVAL_S)
    samples = samples_in(hub.db_url, offline_user)
    assert len(samples) >= 2, samples
    assert not any(active for _, active in samples), samples

    before = len(samples_in(hub.db_url, running_user))
    body = get_activity(hub)
    after = len(samples_in(hub.db_url, running_user))  # a tick may come in between
    rows = rows_by_name(body)
    assert rows[running_user]["score"] > 0
    assert before <= rows[running_user]["samples"] <= after
    assert rows[offline_user]["score"] == 0
    sampling = body["summary"]["sampling"]
    assert (sampling["mode"], sampling["state"]) == ("hub", "ok")
    assert sampling["interval_seconds"] == SAMPLE_INTERVAL_S


def test_a_stopped_server_has_no_figures_and_new_ticks_are_inactive(hub, running_user):
    # Last in the module: the shared user's server stops here. Run alone, the
    # test first waits for what the earlier ones saw: an active tick, measured volumes.
    wait_until(
        lambda: any(active for _, active in samples_in(hub.db_url, running_user)),
        what=f"an active sample of {running_user}",
    )
    expected = [volume_name(v, running_user) for v in DEFAULT_USER_VOLUMES]
    wait_until(
        lambda: volume_names(hub, running_user) == expected,
        timeout_s=MEASURED_WITHIN_S,
        what=f"{running_user}'s volume sizes",
    )
    hub.api("DELETE", f"users/{running_user}/server").raise_for_status()
    hub.wait_for_server(running_user, running=False)
    stopped_at = datetime.now(UTC)

    row = rows_by_name(get_activity(hub))[running_user]
    assert row["server_active"] is row["recently_active"] is False
    assert (row["cpu_percent"], row["memory_mb"], row["memory_percent"]) == (None,) * 3
    # The volumes outlive the container.
    assert [volume["name"] for volume in row["volumes"]] == expected

    def ticks_since_stop():
        later = [active for at, active in samples_in(hub.db_url, running_user) if at > stopped_at]
        return later if len(later) >= 2 else None

    later = wait_until(ticks_since_stop, what=f"two ticks after {running_user}'s server stopped")
    assert not any(later)
    assert rows_by_name(get_activity(hub))[running_user]["score"] > 0  # the active past counts

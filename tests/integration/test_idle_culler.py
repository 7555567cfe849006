"""The idle culler end to end: the real jupyterhub-idle-culler service, real lab containers.

Short times: a base timeout of 20 s, a check every 5 s, a maximum age of
75 s. The culler decides through the hub's session-info (the one rule), so
these tests also cover the session-info and extend-session APIs on running
servers.
"""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hub_metrics import metric_samples
from sqlalchemy import create_engine, update

from stellars_activity.model import SessionExtension
from stellars_testing import wait_until

TIMEOUT_S = 20
MAX_AGE_S = 75
CULLER = {
    "JUPYTERHUB_IDLE_CULLER_ENABLED": "1",
    "JUPYTERHUB_IDLE_CULLER_TIMEOUT": str(TIMEOUT_S),
    "JUPYTERHUB_IDLE_CULLER_INTERVAL": "5",
    "JUPYTERHUB_IDLE_CULLER_MAX_AGE": str(MAX_AGE_S),
    "JUPYTERHUB_IDLE_CULLER_MAX_EXTENSION": "2",
}


@pytest.fixture(scope="module")
def hub(module_docker_platform):
    return module_docker_platform(CULLER)


def _user(hub, docker_run):
    username = f"cull-{uuid.uuid4().hex[:6]}-{docker_run.run_id}"
    token = hub.create_user(username)
    return username, token


def _start(hub, username):
    hub.api("POST", f"users/{username}/server").raise_for_status()
    hub.wait_for_server(username, running=True)


def _running(hub, username):
    return bool(hub.api("GET", f"users/{username}").json()["servers"])


def _info(hub, username, token=None):
    response = hub.api("GET", f"users/{username}/session-info", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def _extend(hub, username, body, token=None):
    return hub.api("POST", f"users/{username}/extend-session", token=token, json=body)


def test_session_info_and_extensions_on_a_running_server(hub, docker_run):
    username, token = _user(hub, docker_run)
    stopped = _info(hub, username, token)
    assert stopped["server_running"] is False
    assert stopped["remaining_seconds"] is None
    assert _extend(hub, username, {"hours": 1}, token).status_code == 409

    _start(hub, username)
    info = _info(hub, username, token)
    assert info["culler_enabled"] is True
    assert info["server_running"] is True
    assert (info["timeout_seconds"], info["max_extension_seconds"]) == (TIMEOUT_S, 7200)
    assert info["ceiling_seconds"] == TIMEOUT_S + 7200
    assert 0 < info["remaining_seconds"] <= TIMEOUT_S
    assert (info["hours_used"], info["hours_on_offer"]) == (0, 2)

    for bad in ({"hours": 1.5}, {"hours": True}, {"hours": "1"}, {"hours": 0}, {}, [1]):
        answer = _extend(hub, username, bad, token)
        assert answer.status_code == 400, (bad, answer.text)
    assert _info(hub, username, token)["hours_used"] == 0

    granted = _extend(hub, username, {"hours": 1}, token)
    assert granted.status_code == 200, granted.text
    body = granted.json()
    assert (body["granted_hours"], body["truncated"], body["hours_used"]) == (1, False, 1)
    assert 3600 < body["remaining_seconds"] <= 3600 + TIMEOUT_S

    # The Activity page's time left is the same rule's remaining time.
    activity = hub.api("GET", "activity").json()
    row = next(row for row in activity["users"] if row["username"] == username)
    remaining = _info(hub, username, token)["remaining_seconds"]
    assert row["time_left_seconds"] == pytest.approx(remaining, abs=3)

    more = _extend(hub, username, {"hours": 5}, token).json()
    assert (more["granted_hours"], more["truncated"]) == (1, True)
    assert more["remaining_seconds"] <= more["ceiling_seconds"]
    refused = _extend(hub, username, {"hours": 1}, token)
    assert refused.status_code == 409
    assert "ceiling" in refused.json()["message"]


def test_another_user_cannot_extend_or_read_my_session(hub, docker_run):
    owner, _ = _user(hub, docker_run)
    _, stranger_token = _user(hub, docker_run)
    assert hub.api("GET", f"users/{owner}/session-info", token=stranger_token).status_code == 403
    assert _extend(hub, owner, {"hours": 1}, stranger_token).status_code == 403


def test_idle_extended_and_too_old_servers(hub, docker_run, admin_name):
    idle, _ = _user(hub, docker_run)
    extended, extended_token = _user(hub, docker_run)
    old, old_token = _user(hub, docker_run)
    _start(hub, idle)
    # Extended right after they start, well within their base timeout.
    _start(hub, extended)
    assert _extend(hub, extended, {"hours": 1}, extended_token).status_code == 200
    _start(hub, old)
    started = time.monotonic()
    assert _extend(hub, old, {"hours": 2}, old_token).status_code == 200

    # An idle server is culled once its base timeout has passed...
    wait_until(lambda: not _running(hub, idle), timeout_s=TIMEOUT_S + 30, what=f"{idle} culled")
    # ...while the extended ones live on past it.
    time.sleep(max(0.0, TIMEOUT_S + 12 - (time.monotonic() - started)))
    assert _running(hub, extended)
    assert _running(hub, old)

    # An hour is too long to wait: bring the extension's deadline to now, as
    # the hour passing would, and the culler stops the server at its next check.
    engine = create_engine(hub.db_url)
    with engine.begin() as connection:
        connection.execute(
            update(SessionExtension)
            .where(SessionExtension.username == extended)
            .values(deadline=datetime.now(UTC) - timedelta(seconds=1))
        )
    engine.dispose()
    wait_until(
        lambda: not _running(hub, extended),
        timeout_s=30,
        what=f"{extended} culled after its deadline",
    )
    assert _running(hub, old)

    # The maximum age stops the last one, extension or not.
    wait_until(
        lambda: not _running(hub, old),
        timeout_s=MAX_AGE_S - (time.monotonic() - started) + 30,
        what=f"{old} culled at its maximum age",
    )
    assert _info(hub, old, old_token)["remaining_seconds"] is None
    # The culler stopped servers and deleted nobody.
    for username in (idle, extended, old):
        assert hub.api("GET", f"users/{username}").status_code == 200
    # The hub counted the culler's stops (other tests' servers may have been culled too).
    admin_token = hub.api("POST", f"users/{admin_name}/tokens", json={}).json()["token"]
    assert metric_samples(hub, admin_token)[("stellars_idle_culls_total", frozenset())] >= 3

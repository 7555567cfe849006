"""``/hub/api/activity`` (rows, reset, sample now) and the samplers, on a real hub.

The local spawner keeps these tests off Docker; the rows' live server state,
CPU, memory and volumes are in test_activity_on_docker.py.
"""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from accounts import local_platform, user_token
from activity_db import samples_in

from stellars_activity import (
    ActivitySettings,
    ActivityStore,
    Sample,
    activity_score,
)
from stellars_testing import wait_until

ADMIN = "boss"
PASSWORD = "activity-api-passphrase"
LOCAL = local_platform(ADMIN, PASSWORD)
SETTINGS = ActivitySettings()


@pytest.fixture(scope="module")
def hub(module_platform_hub):
    """One hub for the module; its sampler ticks every ten minutes, out of the tests' way."""
    return module_platform_hub(LOCAL)


@pytest.fixture
def store(hub):
    store = ActivityStore(hub.db_url, SETTINGS)
    yield store
    store.engine.dispose()


@pytest.fixture
def clean(store):
    store.reset()
    return store


def rows_by_name(body):
    return {row["username"]: row for row in body["users"]}


def get_activity(hub, token):
    response = hub.api("GET", "activity", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def test_rows_carry_exact_scores_levels_and_daily_hours(hub, admin_token, clean, request):
    name = f"ada-{request.node.name[-6:]}"
    hub.create_user(name)
    now = datetime.now(UTC)
    samples = [
        Sample(now - timedelta(minutes=10 * i), i % 3 == 0) for i in range(6 * 30)
    ]  # thirty hours, a third of it active
    for sample in samples:
        clean.record_tick({name: sample.active}, sample.timestamp)

    body = get_activity(hub, admin_token)
    row = rows_by_name(body)[name]
    # The formula over what is stored: these samples and the initial one of the user's creation.
    stored = [Sample(t, a) for t, a in samples_in(hub.db_url, name)]
    assert len(stored) in {len(samples), len(samples) + 1}
    moment = datetime.fromisoformat(body["timestamp"])
    expected = activity_score(stored, moment, SETTINGS.half_life, SETTINGS.retention)
    assert row["score"] == pytest.approx(expected, rel=1e-6)
    assert row["percentage"] == pytest.approx(min(100.0, expected / (8 / 24)), rel=1e-6)
    assert row["level"] == int(row["percentage"] // 20) if row["percentage"] < 100 else 4
    assert row["level_name"] in {"inactive", "low", "moderate", "high", "very high"}
    assert row["enough_data"] is True
    assert row["samples"] == len(stored)
    assert row["hours_collected"] == pytest.approx(29 + 5 / 6, abs=0.2)
    assert len(row["daily_hours"]) == SETTINGS.retention_days
    assert sum(row["daily_hours"]) == pytest.approx(60 / 6, abs=0.01)  # 60 active samples
    assert row["server_active"] is False
    assert row["time_left_seconds"] is None


def test_a_user_without_samples_has_no_score(hub, admin_token, clean, request):
    name = f"new-{request.node.name[-6:]}"
    hub.create_user(name)
    clean.reset()  # drop the lifecycle's initial sample
    row = rows_by_name(get_activity(hub, admin_token))[name]
    assert (row["score"], row["percentage"], row["level"]) == (None, None, None)
    assert row["samples"] == 0
    assert row["enough_data"] is False
    assert row["daily_hours"] == [0.0] * SETTINGS.retention_days


def test_the_summary_counts_and_reports_sampling(hub, admin_token):
    body = get_activity(hub, admin_token)
    summary = body["summary"]
    assert summary["total"] == len(body["users"])
    assert summary["offline"] == summary["total"]  # the local spawner runs nothing here
    assert summary["active"] == summary["idle"] == 0
    assert summary["sampling"]["mode"] == "hub"
    assert summary["sampling"]["interval_seconds"] == 600
    assert summary["sampling"]["state"] in {"ok", "waiting"}
    assert body["settings"]["refresh_interval_seconds"] == 60
    datetime.fromisoformat(body["timestamp"])


def test_a_user_reads_only_their_own_row(hub, request):
    name = f"me-{request.node.name[-6:]}"
    token = hub.create_user(name)
    body = get_activity(hub, token)
    assert [row["username"] for row in body["users"]] == [name]
    assert body["summary"]["total"] == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "activity"), ("POST", "activity/reset"), ("POST", "activity/sample")],
)
def test_anonymous_requests_are_refused_with_json(hub, method, path):
    response = requests.request(method, hub.hub_url(f"api/{path}"), timeout=30)
    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_a_token_without_the_scope_cannot_read(hub, request):
    name = f"ns-{request.node.name[-6:]}"
    hub.create_user(name)
    response = hub.api("POST", f"users/{name}/tokens", json={"scopes": ["read:users:name!user"]})
    token = response.json()["token"]
    answer = hub.api("GET", "activity", token=token)
    assert answer.status_code == 403
    assert "read:users:activity" in answer.json()["message"]


def test_only_a_holder_of_the_scope_resets_and_bad_bodies_change_nothing(
    hub, admin_token, clean, request
):
    name = f"rs-{request.node.name[-6:]}"
    user_token = hub.create_user(name)
    clean.record_tick({name: True}, datetime.now(UTC))
    before = rows_by_name(get_activity(hub, admin_token))[name]["samples"]
    assert before >= 1

    refused = hub.api("POST", "activity/reset", token=user_token)
    assert refused.status_code == 403
    assert "custom:activity:reset" in refused.json()["message"]
    for body in (b"[1]", b"{not json", b'{"everything": true}'):
        bad = hub.api("POST", "activity/reset", token=admin_token, data=body)
        assert bad.status_code == 400, bad.text
        assert bad.json()["status"] == 400
    assert rows_by_name(get_activity(hub, admin_token))[name]["samples"] == before

    done = hub.api("POST", "activity/reset", token=admin_token)
    assert done.status_code == 200
    assert done.json() == {"reset": True}
    assert rows_by_name(get_activity(hub, admin_token))[name]["score"] is None


def test_sample_now_records_one_tick_once(hub, admin_token, clean, request):
    name = f"sn-{request.node.name[-6:]}"
    user_token = hub.create_user(name)
    assert hub.api("POST", "activity/sample", token=user_token).status_code == 403

    first = hub.api("POST", "activity/sample", token=admin_token)
    assert first.status_code == 200, first.text
    tick = first.json()["tick"]
    assert datetime.fromisoformat(tick).timestamp() % 600 == 0
    body = get_activity(hub, admin_token)
    # Every user has a sample at this tick (the new user's initial one is at it already).
    assert {row["last_sample"] for row in body["users"]} == {tick}
    assert 0 < first.json()["recorded"] < len(body["users"])
    assert body["summary"]["sampling"]["last_tick"] == tick
    assert body["summary"]["sampling"]["state"] == "ok"

    again = hub.api("POST", "activity/sample", token=admin_token).json()
    if again["tick"] == tick:  # not across a ten-minute boundary: nothing new
        assert again["recorded"] == 0


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def hub_database(request):
    """The hub's own database: the harness's SQLite file, or a real PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres_db_url")


def test_the_in_hub_sampler_ticks_and_samples_follow_users(platform_hub, hub_database):
    hub = platform_hub(
        {**LOCAL, "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": "2"}, db_url=hub_database
    )
    hub.create_user("ada")
    # Created: an initial sample, in the hub's transaction.
    assert samples_in(hub.db_url, "ada")
    # Then a tick every two seconds, for every user.
    wait_until(lambda: len(samples_in(hub.db_url, "ada")) >= 3)
    assert all(not active for _, active in samples_in(hub.db_url, "ada"))

    renamed = hub.api("PATCH", "users/ada", json={"name": "ada2"})
    assert renamed.status_code == 200, renamed.text
    assert samples_in(hub.db_url, "ada") == []
    assert len(samples_in(hub.db_url, "ada2")) >= 3

    assert hub.api("DELETE", "users/ada2").status_code == 204
    assert samples_in(hub.db_url, "ada2") == []

    token = user_token(hub, ADMIN)
    sampling = get_activity(hub, token)["summary"]["sampling"]
    assert sampling["state"] == "ok"
    assert sampling["interval_seconds"] == 2


def test_the_managed_service_samples_with_its_own_token(platform_hub):
    hub = platform_hub(
        {
            **LOCAL,
            "JUPYTERHUB_ACTIVITYMON_SAMPLER": "service",
            "JUPYTERHUB_ACTIVITYMON_SAMPLE_INTERVAL": "2",
        }
    )
    hub.create_user("ada")
    wait_until(lambda: len(samples_in(hub.db_url, "ada")) >= 3)
    token = user_token(hub, ADMIN)
    service = hub.api("GET", "services/activity-sampler", token=token).json()
    assert service["roles"] == ["activity-sampler"]
    sampling = get_activity(hub, token)["summary"]["sampling"]
    assert (sampling["mode"], sampling["state"]) == ("service", "ok")


def test_samples_in_a_database_of_their_own(platform_hub, tmp_path):
    activity_db = f"sqlite:///{tmp_path / 'activity.sqlite'}"
    hub = platform_hub({**LOCAL, "JUPYTERHUB_ACTIVITYMON_DB_URL": activity_db})
    hub.create_user("ada")
    assert samples_in(activity_db, "ada")
    hub.api("PATCH", "users/ada", json={"name": "ada2"}).raise_for_status()
    # Moved after the hub's commit, in the other database.
    wait_until(lambda: samples_in(activity_db, "ada2"), timeout_s=10)
    assert samples_in(activity_db, "ada") == []

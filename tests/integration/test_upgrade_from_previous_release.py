"""A hub of this checkout started on the previous release's database keeps every row and answer.

The database is built by ``stellars_testing.release_db`` from the schema
captured on the release's commit, filled as that release fills it. Then a real
hub starts on it (which brings the platform's tables to this checkout's
schema), and every platform table must hold what was written, table by table,
and each API must answer with that data. A migration that drops, empties or
rewrites a table fails here.

The hub's first activity tick at start is real behaviour: it adds one
inactive sample per user (and the admin the hub bootstraps adds its own
first one); the checks below allow exactly that and nothing else.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from activity_db import samples_in
from sqlalchemy import create_engine, inspect

from stellars_activity import (
    ActivitySettings,
    Sample,
    activity_level,
    activity_percentage,
    activity_score,
)
from stellars_core.migrations import VERSION_TABLE, current, head
from stellars_hub.migrations import ACTIVITY, AUTH, DOCKER, UI
from stellars_testing.release_db import (
    PLATFORM_TABLES,
    SAMPLED_USERS,
    ReleaseDatabase,
    activity_totals,
    build_release_database,
    read_platform_rows,
)

ADMIN = "boss"
PASSWORD = "upgrade-test-passphrase"
LOCAL = {
    "JUPYTERHUB_SPAWNER": "local",
    "JUPYTERHUB_ADMIN": ADMIN,
    "JUPYTERHUB_ADMIN_PASSWORD": PASSWORD,
    "JUPYTERHUB_GPU_ENABLED": "0",
}
SETTINGS = ActivitySettings()
# Rows the hub may change by running: the activity it samples after start.
SAMPLED_TABLES = {"activity_samples", "activity_totals", "activity_state"}


@pytest.fixture(scope="module")
def upgraded(module_platform_hub, release_db_url):
    """The previous release's database, and a hub of this checkout started on it.

    One hub per backend for the module: the tests only read.
    """
    release = build_release_database(release_db_url)
    hub = module_platform_hub(LOCAL, db_url=release_db_url)
    token = hub.api("POST", f"users/{ADMIN}/tokens", json={"note": "upgrade test"})
    token.raise_for_status()
    return release, hub, token.json()["token"]


def assert_platform_schema_at_head(db_url, release):
    """Every table of the release is still there, and every history is at its newest revision.

    The release predates migrations: its database had no version table, so
    this also shows the hub adopted it (and did not start it from scratch).
    """
    engine = create_engine(db_url)
    try:
        present = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(PLATFORM_TABLES) <= present, (release.release, set(PLATFORM_TABLES) - present)
    assert VERSION_TABLE in present
    histories = (ACTIVITY, AUTH, DOCKER, UI)
    assert current(db_url, histories) == {history.name: head(history) for history in histories}


def test_every_row_of_the_previous_release_is_still_there(upgraded, release_db_url):
    release, _, _ = upgraded
    assert_platform_schema_at_head(release_db_url, release)
    stored = read_platform_rows(release_db_url)
    for table in set(PLATFORM_TABLES) - SAMPLED_TABLES:
        assert stored[table] == release.rows[table], table

    samples = stored["activity_samples"]
    for row in release.rows["activity_samples"]:
        assert row in samples
    added = [row for row in samples if row not in release.rows["activity_samples"]]
    assert len(samples) == len(release.rows["activity_samples"]) + len(added)
    # Only what the started hub sampled itself: from the release's last tick on, inactive.
    assert all(row["timestamp"] >= release.last_tick and not row["active"] for row in added), added

    (state,) = stored["activity_state"]
    (written,) = release.rows["activity_state"]
    assert (state["reference"], state["half_life_seconds"]) == (
        written["reference"],
        written["half_life_seconds"],
    )
    assert state["last_tick"] >= written["last_tick"]
    # The release's totals, plus exactly the samples the hub added, in the release's frame.
    in_write_order = sorted(
        ((row["username"], row["timestamp"], row["active"]) for row in samples),
        key=lambda sample: sample[1],
    )
    expected = activity_totals(in_write_order, written["reference"])
    assert [row["username"] for row in stored["activity_totals"]] == sorted(expected)
    for row in stored["activity_totals"]:
        want = expected[row["username"]]
        assert row == {
            **want,
            "weighted_active": pytest.approx(want["weighted_active"], rel=1e-12),
            "weighted_total": pytest.approx(want["weighted_total"], rel=1e-12),
        }, row["username"]


def test_the_activity_api_scores_the_previous_releases_samples(upgraded):
    release, hub, token = upgraded
    response = hub.api("GET", "activity", token=token)
    assert response.status_code == 200, response.text
    body = response.json()
    now = datetime.fromisoformat(body["timestamp"])
    rows = {row["username"]: row for row in body["users"]}
    assert {user.name for user in release.users} <= set(rows)
    today = now.astimezone(UTC).date()
    days = [today - timedelta(days=back) for back in range(SETTINGS.retention_days - 1, -1, -1)]
    for name, _, _ in SAMPLED_USERS:
        generated = release.samples_of(name)
        stored = [Sample(t, a) for t, a in samples_in(hub.db_url, name)]
        assert {Sample(t, a) for t, a in generated} <= set(stored)
        expected = activity_score(stored, now, SETTINGS.half_life, SETTINGS.retention)
        row = rows[name]
        assert row["score"] == pytest.approx(expected, rel=1e-9), name
        percentage = activity_percentage(expected, SETTINGS.target_hours)
        assert row["percentage"] == pytest.approx(percentage, rel=1e-9)
        assert row["level"] == int(activity_level(percentage))
        assert row["samples"] == len(stored)
        first = min(t for t, _ in generated)
        last = max(sample.timestamp for sample in stored)
        assert row["hours_collected"] == pytest.approx((last - first) / timedelta(hours=1))
        assert row["enough_data"] is (last - first >= timedelta(hours=24))
        assert datetime.fromisoformat(row["last_sample"]) == last
        assert row["daily_hours"] == pytest.approx(
            [_active_hours(release, name, day) for day in days]
        )
    # An account the release never sampled has only what the started hub sampled.
    assert rows["margaret"]["samples"] == len(samples_in(hub.db_url, "margaret"))


def test_the_broadcast_history_api_lists_the_previous_releases_broadcasts(upgraded):
    release, hub, token = upgraded
    response = hub.api("GET", "notifications/history", token=token)
    assert response.status_code == 200, response.text
    answered = response.json()["broadcasts"]
    written = sorted(release.rows["broadcast_history"], key=lambda row: -row["id"])
    assert [{**item, "sent_at": datetime.fromisoformat(item["sent_at"])} for item in answered] == [
        {
            "id": row["id"],
            "sent_at": row["sent_at"],
            "sender": row["sender"],
            "message": row["message"],
            "variant": row["variant"],
            "autoClose": False if row["auto_close_ms"] is None else row["auto_close_ms"],
            "recipients": row["recipients"],
            "delivered": row["delivered"],
            "failed": row["recipients"] - row["delivered"],
        }
        for row in written
    ]


def test_the_docker_grants_api_lists_the_previous_releases_grants(upgraded):
    release, hub, token = upgraded
    response = hub.api("GET", "stellars/docker-grants", token=token)
    assert response.status_code == 200, response.text
    members = {
        group["name"]: [
            (m["username"], m["granted_by"], m["granted_by_full_admin"], m["granted_at"])
            for m in group["members"]
        ]
        for group in response.json()["groups"]
    }
    (grant,) = release.rows["stellars_docker_grants"]
    assert members == {
        "docker-sock": [("margaret", "boss", True, grant["granted_at"].isoformat())],
        # A membership the release holds no record of stays unrecorded.
        "docker-privileged": [("grace", None, False, None)],
    }


def test_the_users_api_lists_the_previous_releases_users(upgraded):
    release, hub, _ = upgraded
    response = hub.api("GET", "users")
    assert response.status_code == 200, response.text
    answered = {user["name"]: user for user in response.json()}
    for user in release.users:
        model = answered[user.name]
        assert model["admin"] is user.admin
        assert sorted(model["groups"]) == list(user.groups)
        assert datetime.fromisoformat(model["created"]) == user.created


def _active_hours(release: ReleaseDatabase, username: str, day: date) -> float:
    counts = {
        row["day"]: row["active_samples"]
        for row in release.rows["activity_daily"]
        if row["username"] == username
    }
    return counts.get(day, 0) * SETTINGS.sample_interval_minutes / 60

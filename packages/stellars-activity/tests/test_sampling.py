from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from stellars_activity import (
    ActivitySample,
    ActivitySettings,
    ActivityStore,
    HubApiError,
    active_from_user_model,
    active_now,
    collect_from_hub,
    record_sample,
    tick_time,
)
from stellars_activity.schema import HISTORY
from stellars_activity.service import ServiceConfig
from stellars_testing.schema import migrate

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("server_running", "last_activity", "expected"),
    [
        pytest.param(True, NOW - timedelta(minutes=5), True, id="running-recent"),
        pytest.param(True, NOW - timedelta(minutes=61), False, id="running-stale"),
        pytest.param(False, NOW - timedelta(minutes=5), False, id="stopped-recent"),
        pytest.param(True, None, False, id="running-no-last-activity"),
        pytest.param(False, None, False, id="stopped-no-last-activity"),
        pytest.param(True, NOW - HOUR, True, id="exactly-at-the-boundary"),
        pytest.param(True, NOW - HOUR - timedelta(microseconds=1), False, id="just-past"),
        pytest.param(True, (NOW - timedelta(minutes=5)).replace(tzinfo=None), True, id="naive-utc"),
        pytest.param(
            True,
            (NOW - timedelta(minutes=5)).astimezone(timezone(timedelta(hours=-5))),
            True,
            id="other-zone",
        ),
    ],
)
def test_active_now(server_running, last_activity, expected):
    assert (
        active_now(
            server_running=server_running,
            last_activity=last_activity,
            now=NOW,
            inactive_after=HOUR,
        )
        is expected
    )


def fake_user(name, *, ready=False, pending=None, server_activity=None, user_activity=None):
    spawner = SimpleNamespace(
        ready=ready,
        pending=pending,
        orm_spawner=SimpleNamespace(last_activity=server_activity),
    )
    # The user's own last_activity is set on purpose: it must never count.
    return SimpleNamespace(name=name, spawners={"": spawner}, last_activity=user_activity)


def test_collect_from_hub_reads_the_server_activity_never_the_users():
    recent = (NOW - timedelta(minutes=5)).replace(tzinfo=None)  # the ORM's naive UTC
    stale = (NOW - timedelta(hours=3)).replace(tzinfo=None)
    users = {
        1: fake_user("running", ready=True, server_activity=recent),
        2: fake_user("stale", ready=True, server_activity=stale, user_activity=recent),
        3: fake_user("hub-pages-only", ready=False, server_activity=None, user_activity=recent),
        4: fake_user("spawning", ready=False, pending="spawn", server_activity=recent),
        5: SimpleNamespace(name="no-spawner", spawners={}, last_activity=recent),
    }
    assert collect_from_hub(users, inactive_after=HOUR, now=NOW) == {
        "running": True,
        "stale": False,
        "hub-pages-only": False,
        "spawning": False,
        "no-spawner": False,
    }


def test_users_the_hub_has_not_loaded_are_sampled_inactive():
    # JupyterHub loads users lazily: one it has not loaded has no server in this hub.
    loaded = {1: fake_user("running", ready=True, server_activity=NOW)}
    activity = collect_from_hub(
        loaded, inactive_after=HOUR, now=NOW, usernames=["running", "not-loaded"]
    )
    assert activity == {"running": True, "not-loaded": False}


def test_tick_time_floors_to_the_interval_boundary():
    interval = timedelta(minutes=10)
    assert tick_time(NOW + timedelta(minutes=9, seconds=59), interval) == NOW
    assert tick_time(NOW, interval) == NOW
    assert tick_time(NOW - timedelta(microseconds=1), interval) == NOW - interval
    other_zone = (NOW + timedelta(minutes=3)).astimezone(timezone(timedelta(hours=2)))
    assert tick_time(other_zone, interval) == NOW
    assert tick_time(NOW + timedelta(seconds=7), timedelta(seconds=5)) == NOW + timedelta(seconds=5)
    with pytest.raises(ValueError, match="positive"):
        tick_time(NOW, timedelta(0))


def server_model(*, ready=True, pending=None, last_activity="2026-11-26T11:55:00.000000Z"):
    return {"ready": ready, "pending": pending, "last_activity": last_activity}


@pytest.mark.parametrize(
    ("servers", "expected"),
    [
        pytest.param({"": server_model()}, True, id="ready-recent"),
        pytest.param({"": server_model(last_activity="2026-11-26T10:00:00Z")}, False, id="stale"),
        pytest.param({"": server_model(ready=False, pending="spawn")}, False, id="spawning"),
        pytest.param({"": server_model(last_activity=None)}, False, id="no-activity"),
        pytest.param({}, False, id="no-server"),
        pytest.param({"named": server_model()}, False, id="named-server-only"),
    ],
)
def test_active_from_user_model(servers, expected):
    model = {"name": "ada", "last_activity": "2026-11-26T11:59:00Z", "servers": servers}
    assert active_from_user_model(model, now=NOW, inactive_after=HOUR) is expected


def test_a_user_model_without_servers_means_missing_scopes():
    with pytest.raises(HubApiError, match="read:servers"):
        active_from_user_model({"name": "ada"}, now=NOW, inactive_after=HOUR)


def test_service_config_from_environ():
    environ = {
        "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api",
        "JUPYTERHUB_API_TOKEN": "secret",
        "STELLARS_ACTIVITY_DB_URL": "sqlite:///activity.sqlite",
        "STELLARS_ACTIVITY_INTERVAL_S": "300",
        "STELLARS_ACTIVITY_INACTIVE_AFTER_MIN": "30",
    }
    config = ServiceConfig.from_environ(environ)
    assert config.api_url == environ["JUPYTERHUB_API_URL"]
    assert config.settings.sample_interval_minutes == 5.0
    assert config.settings.inactive_after_minutes == 30.0
    assert config.settings.half_life_hours == 72.0
    with pytest.raises(ValueError, match="STELLARS_ACTIVITY_DB_URL"):
        ServiceConfig.from_environ({**environ, "STELLARS_ACTIVITY_DB_URL": ""})
    with pytest.raises(ValueError, match="STELLARS_ACTIVITY_INTERVAL_S"):
        ServiceConfig.from_environ({**environ, "STELLARS_ACTIVITY_INTERVAL_S": "soon"})
    with pytest.raises(ValueError, match="positive"):
        ServiceConfig.from_environ({**environ, "STELLARS_ACTIVITY_INACTIVE_AFTER_MIN": "0"})


def test_the_first_tick_of_an_hour_prunes_for_everyone(tmp_path):
    settings = ActivitySettings(retention_days=1)
    store = ActivityStore(f"sqlite:///{tmp_path / 'activity.sqlite'}", settings)
    migrate(store.engine, HISTORY)
    hour = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    interval = timedelta(minutes=10)
    store.record_tick({"gone": True}, hour - timedelta(days=1, minutes=5))  # no longer sampled

    record_sample(store, {"ada": True}, hour - interval, interval)  # 11:50: no pruning
    assert samples_of(store, "gone") == 1
    record_sample(store, {"ada": True}, hour + timedelta(minutes=4), interval)  # 12:00 tick
    assert samples_of(store, "gone") == 0
    assert samples_of(store, "ada") == 2


def samples_of(store, username):
    with store.engine.connect() as connection:
        return connection.execute(
            select(func.count()).where(ActivitySample.username == username)
        ).scalar()

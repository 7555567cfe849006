"""The platform's metrics: counted where things happen, gauges refreshed in the background."""

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from jupyterhub import orm
from prometheus_client import REGISTRY

from stellars_activity import ActivityMonitor, ActivityStore
from stellars_activity.schema import HISTORY
from stellars_testing.schema import migrate
from stellars_ui.metrics import MetricsRefresher, count_broadcast, counting_culls


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_broadcast_counts_once_and_each_outcome_under_a_bounded_label():
    before = (
        value("stellars_broadcasts_total"),
        value("stellars_broadcast_deliveries_total", outcome="delivered"),
        value("stellars_broadcast_deliveries_total", outcome="timed out"),
        value("stellars_broadcast_deliveries_total", outcome="other answer"),
    )
    count_broadcast([None, None, "timed out", "answered 502", "answered 418"])
    after = (
        value("stellars_broadcasts_total"),
        value("stellars_broadcast_deliveries_total", outcome="delivered"),
        value("stellars_broadcast_deliveries_total", outcome="timed out"),
        value("stellars_broadcast_deliveries_total", outcome="other answer"),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 2, 1, 2]
    assert (
        REGISTRY.get_sample_value(
            "stellars_broadcast_deliveries_total", {"outcome": "answered 502"}
        )
        is None
    )


def finished(method, path, status, caller):
    request = SimpleNamespace(
        method=method, path=path, uri=path, remote_ip="127.0.0.1", request_time=lambda: 0.01
    )
    return SimpleNamespace(
        request=request,
        current_user=caller,
        get_status=lambda: status,
        log=None,
        settings={},
    )


def test_only_the_cullers_successful_server_stops_are_counted(monkeypatch):
    # JupyterHub's own request log is not under test here.
    monkeypatch.setattr("stellars_ui.metrics.log_request", lambda handler: None)
    log_and_count = counting_culls("idle-culler")
    culler = orm.Service(name="idle-culler")
    other = orm.Service(name="someone-else")
    before = value("stellars_idle_culls_total")
    for handler in (
        finished("DELETE", "/hub/api/users/ada/server", 204, culler),
        finished("DELETE", "/prefix/hub/api/users/bo/servers/gpu", 202, culler),
        finished("DELETE", "/hub/api/users/ada/server", 204, other),  # not the culler
        finished("DELETE", "/hub/api/users/ada/server", 400, culler),  # refused
        finished("DELETE", "/hub/api/users/ada", 204, culler),  # a user, not a server
        finished("GET", "/hub/api/users/ada/server", 200, culler),
    ):
        log_and_count(handler)
    assert value("stellars_idle_culls_total") - before == 2


def test_the_refresher_sets_users_per_level_and_the_volumes_bytes(tmp_path):
    now = datetime.now(UTC)
    store = ActivityStore(f"sqlite:///{tmp_path / 'activity.sqlite'}")
    migrate(store.engine, HISTORY)
    # ada: active all day for two days (very high); bo: never active (inactive); cy: no samples.
    for minutes in range(0, 48 * 60, 10):
        moment = now - timedelta(minutes=minutes)
        store.record_tick({"ada": True, "bo": False}, moment)
    db = orm.new_session_factory("sqlite://")()
    for name in ("ada", "bo", "cy"):
        db.add(orm.User(name=name))
    db.commit()
    runtime = SimpleNamespace(volume_sizes=lambda: {"a_home": 1000, "b_home": 234, "c": None})
    refresher = MetricsRefresher(ActivityMonitor(store), runtime, interval_s=60)
    asyncio.run(refresher.refresh(db))
    db.close()
    store.engine.dispose()
    assert value("stellars_activity_users", level="very_high") == 1
    assert value("stellars_activity_users", level="inactive") == 1
    assert value("stellars_activity_users", level="no_data") == 1
    assert value("stellars_activity_users", level="low") == 0
    assert value("stellars_volume_bytes") == 1234
    assert value("stellars_volumes_measured") == 2

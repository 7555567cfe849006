import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from stellars_activity import (
    ActivityMonitor,
    ActivitySettings,
    ActivityStore,
    SamplerMode,
    SamplingState,
    sampling_state,
)
from stellars_activity.schema import HISTORY
from stellars_testing.schema import migrate

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("last_tick", "expected"),
    [
        pytest.param(None, SamplingState.WAITING, id="never-ticked"),
        pytest.param(NOW, SamplingState.OK, id="just-now"),
        pytest.param(NOW - 2 * INTERVAL, SamplingState.OK, id="one-tick-missed"),
        pytest.param(NOW - 3 * INTERVAL, SamplingState.LATE, id="two-ticks-missed"),
    ],
)
def test_sampling_state_from_the_last_tick(last_tick, expected):
    assert sampling_state(last_tick, NOW, INTERVAL) == expected


def server(*, running, last_activity=None):
    orm_spawner = SimpleNamespace(last_activity=last_activity)
    return SimpleNamespace(ready=running, pending=None, orm_spawner=orm_spawner)


class FakeSession:
    """Stands in for the ORM session: ``query(orm.User.name)`` gives every username."""

    def __init__(self, names):
        self.names = names

    def query(self, _column):
        return [(name,) for name in self.names]


def fake_hub():
    """A stand-in for JupyterHub's app: ada loaded, with a running server; bob only in the DB."""
    loaded = {
        1: SimpleNamespace(name="ada", spawners={"": server(running=True, last_activity=NOW)})
    }
    return SimpleNamespace(users=loaded, db=FakeSession(["ada", "bob"]))


@pytest.fixture
def monitor(tmp_path):
    settings = ActivitySettings(sample_interval_minutes=10)
    store = ActivityStore(f"sqlite:///{tmp_path / 'activity.sqlite'}", settings)
    migrate(store.engine, HISTORY)
    monitor = ActivityMonitor(store, clock=lambda: NOW + timedelta(minutes=3))
    monitor.install()
    yield monitor
    asyncio.run(monitor.stop())
    store.engine.dispose()


def test_the_sampler_waits_until_the_hub_is_ready(monitor):
    async def scenario():
        ready = asyncio.get_running_loop().create_future()
        monitor.start(fake_hub(), ready=ready)
        await asyncio.sleep(0.2)
        before = monitor.store.last_tick()
        ready.set_result(None)
        for _ in range(50):
            await asyncio.sleep(0.05)
            if monitor.store.last_tick() is not None:
                break
        return before, monitor.store.last_tick()

    before, after = asyncio.run(scenario())
    assert before is None
    assert after == NOW  # the tick of the clock's moment, floored to the interval


def test_the_hub_does_not_sample_when_a_service_does(tmp_path):
    store = ActivityStore(f"sqlite:///{tmp_path / 'activity.sqlite'}")
    migrate(store.engine, HISTORY)
    monitor = ActivityMonitor(store, SamplerMode.SERVICE)
    monitor.install()

    async def scenario():
        monitor.start(fake_hub())
        await asyncio.sleep(0.2)

    asyncio.run(scenario())
    assert store.last_tick() is None
    asyncio.run(monitor.stop())
    store.engine.dispose()


def test_a_report_has_scores_history_and_sampling_at_one_moment(monitor):
    async def scenario():
        tick, written = await monitor.tick_now(fake_hub())
        report = await monitor.report(["ada", "bob", "cy"])
        return tick, written, report

    tick, written, report = asyncio.run(scenario())
    assert (tick, written) == (NOW, 2)
    assert report.now == NOW + timedelta(minutes=3)
    assert report.scores["ada"].score == pytest.approx(100.0)
    assert report.scores["bob"].score == pytest.approx(0.0)
    assert report.scores["cy"].score is None
    assert report.history["ada"][-1] == pytest.approx(10 / 60)
    assert "bob" not in report.history
    assert (report.sampling.state, report.sampling.last_tick) == (SamplingState.OK, NOW)
    assert report.sampling.mode == SamplerMode.HUB


def test_reset_empties_the_store(monitor):
    async def scenario():
        await monitor.tick_now(fake_hub())
        await monitor.reset()
        return await monitor.report([])

    report = asyncio.run(scenario())
    assert report.scores == {}
    assert report.sampling.state == SamplingState.WAITING

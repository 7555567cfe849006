import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from stellars_activity import ActivitySettings, ActivityStore, InHubSampler
from stellars_activity.schema import HISTORY
from stellars_testing.schema import migrate

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SETTINGS = ActivitySettings(sample_interval_minutes=10)


@pytest.fixture
def store(tmp_path):
    store = ActivityStore(f"sqlite:///{tmp_path / 'activity.sqlite'}", SETTINGS)
    migrate(store.engine, HISTORY)
    yield store
    store.engine.dispose()


def last_samples(store):
    return {
        name: score.last_sample for name, score in store.scores(NOW + timedelta(hours=1)).items()
    }


def test_a_tick_is_aligned_and_a_repeated_tick_writes_nothing(store):
    collected = []

    def collect():
        collected.append(True)
        return {"ada": True, "bob": False}

    sampler = InHubSampler(store, SETTINGS, collect)

    async def ticks():
        first = await sampler.tick_now(NOW + timedelta(minutes=3, seconds=7))
        repeated = await sampler.tick_now(NOW + timedelta(minutes=9))
        following = await sampler.tick_now(NOW + timedelta(minutes=10))
        return first, repeated, following

    assert asyncio.run(ticks()) == (2, 0, 2)
    assert len(collected) == 3
    assert last_samples(store) == {
        "ada": NOW + timedelta(minutes=10),
        "bob": NOW + timedelta(minutes=10),
    }
    assert store.scores(NOW + timedelta(minutes=10))["ada"].samples == 2


class SlowStore(ActivityStore):
    def record_tick(self, usernames_active, at):
        time.sleep(0.5)
        return super().record_tick(usernames_active, at)


def test_the_event_loop_keeps_running_while_the_store_writes(tmp_path):
    store = SlowStore(f"sqlite:///{tmp_path / 'slow.sqlite'}", SETTINGS)
    migrate(store.engine, HISTORY)
    loop_threads = []

    def collect():
        loop_threads.append(asyncio.get_running_loop())  # raises off the loop thread
        return {"ada": True}

    sampler = InHubSampler(store, SETTINGS, collect)

    async def scenario():
        beats = 0
        tick = asyncio.ensure_future(sampler.tick_now(NOW))
        while not tick.done():
            await asyncio.sleep(0.01)
            beats += 1
        return beats, tick.result()

    beats, written = asyncio.run(scenario())
    assert written == 1
    assert beats >= 20  # 0.5 s of writing; a blocked loop would beat once or not at all
    assert len(loop_threads) == 1
    store.engine.dispose()


FAST = ActivitySettings(sample_interval_minutes=0.2 / 60)  # a tick every 200 ms


def test_start_ticks_now_and_at_each_boundary_until_stopped(store):
    sampler = InHubSampler(store, FAST, lambda: {"ada": True})

    def samples():
        scores = store.scores(datetime.now(UTC) + timedelta(minutes=1))
        return scores["ada"].samples if "ada" in scores else 0

    async def scenario():
        started = time.monotonic()
        sampler.start()
        sampler.start()  # already running: nothing more
        assert sampler.running
        # Now, then every 200 ms boundary: five samples in about a second, or
        # later on a busy machine (run ci21 took three in 1.1 s), where a late
        # tick skips the boundaries it missed.
        while await asyncio.to_thread(samples) < 5:
            assert time.monotonic() - started < 20, "fewer than five samples in 20 s"
            await asyncio.sleep(0.05)
        await sampler.stop()
        assert not sampler.running
        return await asyncio.to_thread(samples), time.monotonic() - started

    taken, elapsed = asyncio.run(scenario())
    # At most one sample per boundary passed, the first included.
    assert taken <= 2 + elapsed / 0.2
    time.sleep(0.5)
    assert samples() == taken, "ticked after stop()"
    score = store.scores(datetime.now(UTC) + timedelta(minutes=1))["ada"]
    assert score.last_sample.microsecond % 200_000 == 0


def test_start_needs_a_running_loop(store):
    sampler = InHubSampler(store, SETTINGS, dict)
    with pytest.raises(RuntimeError):
        sampler.start()

"""The scheduler's rules, once: errors survived, no overlap, alignment, stop, start."""

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from stellars_core.scheduler import Every, floor_to_interval

START = datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC)


class FakeTime:
    """A wall clock that moves only when the loop sleeps or a job says it took time.

    *early* makes every sleep wake that many seconds before it was due, as a
    loaded machine's timer may.
    """

    def __init__(self, *, early: float = 0.0) -> None:
        self.now = START
        self.early = early
        self.sleeps: list[float] = []
        # Set by a test's job when it has seen enough: later sleeps never end.
        self.done = asyncio.Event()

    def clock(self) -> datetime:
        return self.now

    def take(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        if self.done.is_set():
            await asyncio.Event().wait()
        self.sleeps.append(seconds)
        self.take(max(seconds - self.early, 0.0))
        await asyncio.sleep(0)


def run_until(every: Every, fake: FakeTime) -> None:
    async def scenario() -> None:
        every.start()
        await asyncio.wait_for(fake.done.wait(), 5)
        await every.stop()

    asyncio.run(scenario())


def offsets(moments: list[datetime]) -> list[float]:
    return [(moment - START).total_seconds() for moment in moments]


def test_a_failing_job_is_logged_by_name_and_the_next_run_happens(caplog):
    fake = FakeTime()
    moments: list[datetime] = []

    async def job(moment: datetime) -> None:
        moments.append(moment)
        if len(moments) == 1:
            raise RuntimeError("the engine said no")
        fake.done.set()

    every = Every("volume sizes", 30, job, clock=fake.clock, sleep=fake.sleep)
    with caplog.at_level(logging.ERROR, "stellars_core.scheduler"):
        run_until(every, fake)
    assert offsets(moments) == [0, 30]
    [record] = caplog.records
    assert "volume sizes" in record.getMessage()
    assert record.exc_info is not None
    assert "the engine said no" in str(record.exc_info[1])


def test_an_overrun_delays_the_next_run_and_never_overlaps():
    fake = FakeTime()
    moments: list[datetime] = []
    running = 0
    most_at_once = 0

    async def job(moment: datetime) -> None:
        nonlocal running, most_at_once
        moments.append(moment)
        running += 1
        most_at_once = max(most_at_once, running)
        await asyncio.sleep(0)
        # The second run takes two and a half intervals.
        fake.take(25 if len(moments) == 2 else 1)
        running -= 1
        if len(moments) == 4:
            fake.done.set()

    run_until(Every("container stats", 10, job, clock=fake.clock, sleep=fake.sleep), fake)
    # Start to start while runs are short; right after the overrun ends; then on again.
    assert offsets(moments) == [0, 10, 35, 45]
    assert most_at_once == 1


def test_aligned_runs_are_at_boundaries_even_when_a_sleep_wakes_early():
    fake = FakeTime(early=0.003)
    moments: list[datetime] = []

    async def job(moment: datetime) -> None:
        moments.append(moment)
        if len(moments) == 3:
            fake.done.set()

    run_until(Every("ticks", 10, job, aligned=True, clock=fake.clock, sleep=fake.sleep), fake)
    # Now (9:00:07), then 9:00:10 and 9:00:20 exactly, though each sleep ended 3 ms short.
    assert offsets(moments) == [0, 3, 13]
    assert fake.now < START + timedelta(seconds=13)


def test_an_aligned_overrun_skips_the_boundaries_it_passed():
    fake = FakeTime()
    moments: list[datetime] = []

    async def job(moment: datetime) -> None:
        moments.append(moment)
        if len(moments) == 2:
            fake.take(25)  # the 9:00:10 run ends at 9:00:35
        if len(moments) == 3:
            fake.done.set()

    run_until(Every("ticks", 10, job, aligned=True, clock=fake.clock, sleep=fake.sleep), fake)
    # 9:00:20 and 9:00:30 passed during the overrun: the next run is at 9:00:40.
    assert offsets(moments) == [0, 3, 33]


def test_stop_cancels_a_sleeping_loop_at_once():
    runs: list[datetime] = []

    async def scenario() -> float:
        ran = asyncio.Event()

        async def job(moment: datetime) -> None:
            runs.append(moment)
            ran.set()

        every = Every("metrics", 3600, job)
        every.start()
        await ran.wait()
        begun = time.monotonic()
        await every.stop()
        assert not every.running
        return time.monotonic() - begun

    assert asyncio.run(scenario()) < 0.5
    assert len(runs) == 1


def test_stop_cancels_a_running_job_and_waits_for_it_to_end():
    seen: list[str] = []

    async def scenario() -> None:
        started = asyncio.Event()

        async def job(_moment: datetime) -> None:
            seen.append("started")
            started.set()
            try:
                await asyncio.Event().wait()
            finally:
                seen.append("ended")

        every = Every("ticks", 60, job)
        every.start()
        await started.wait()
        await every.stop()
        assert seen == ["started", "ended"]
        await every.stop()  # a second stop does nothing

    asyncio.run(scenario())


def test_a_job_that_swallows_its_cancellation_still_ends_the_loop():
    runs: list[datetime] = []

    async def scenario() -> None:
        started = asyncio.Event()

        async def job(moment: datetime) -> None:
            runs.append(moment)
            started.set()
            with contextlib.suppress(asyncio.CancelledError):  # a careless job
                await asyncio.Event().wait()

        every = Every("careless", 0.01, job)
        every.start()
        await started.wait()
        await asyncio.wait_for(every.stop(), 1)
        assert not every.running

    asyncio.run(scenario())
    assert len(runs) == 1


def test_starting_twice_is_an_error_and_stop_before_start_does_nothing():
    async def job(_moment: datetime) -> None:
        return None

    async def scenario() -> None:
        every = Every("twice", 60, job)
        await every.stop()
        every.start()
        with pytest.raises(RuntimeError, match="twice is already running"):
            every.start()
        await every.stop()
        with pytest.raises(RuntimeError, match="twice has run"):
            every.start()  # an Every runs once

    asyncio.run(scenario())


def test_start_needs_a_running_loop_and_a_positive_interval():
    async def job(_moment: datetime) -> None:
        return None

    with pytest.raises(RuntimeError):
        Every("no loop", 1, job).start()
    with pytest.raises(ValueError, match="positive"):
        Every("never", 0, job)


@pytest.mark.parametrize(
    ("moment", "interval", "expected"),
    [
        pytest.param(START, timedelta(seconds=10), START.replace(second=0), id="aware"),
        pytest.param(
            START.replace(tzinfo=None), timedelta(minutes=10), START.replace(second=0), id="naive"
        ),
        pytest.param(
            START.replace(second=0), timedelta(minutes=1), START.replace(second=0), id="boundary"
        ),
    ],
)
def test_floor_to_interval(moment, interval, expected):
    assert floor_to_interval(moment, interval) == expected

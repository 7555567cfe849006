"""BackgroundRefresher: a failed refresh is tried again soon, not a whole interval later."""

import asyncio

import pytest

from stellars_docker.refresher import BackgroundRefresher, retry_delays


@pytest.mark.parametrize(
    ("interval_s", "expected"),
    [
        pytest.param(300, [2, 5, 15, 30, 60], id="sizes-default-all-five"),
        pytest.param(30, [2, 5], id="stats-default-within-15s"),
        pytest.param(10, [2], id="least-size-interval"),
        pytest.param(3, [], id="too-short-to-retry"),
    ],
)
def test_retries_end_within_half_the_interval(interval_s, expected):
    assert retry_delays(interval_s) == expected


class _Flaky(BackgroundRefresher):
    """An engine that is unavailable for the first *failures* refreshes."""

    def __init__(self, failures, **options):
        super().__init__("flaky", 3600, **options)
        self.failures = failures
        self.calls = 0
        self.answer = None
        self.refreshed = asyncio.Event()

    async def refresh(self):
        self.calls += 1
        self.refreshed.set()
        if self.calls <= self.failures:
            self._engine_unavailable("busy")
        else:
            self.answer = "fresh"
            self._engine_answers()


async def _run_until(refresher, done, timeout_s=5):
    refresher.start()
    try:
        async with asyncio.timeout(timeout_s):
            while not done():
                refresher.refreshed.clear()
                await refresher.refreshed.wait()
        await asyncio.sleep(0.1)  # room for a retry that should not come
    finally:
        await refresher.stop()


def test_an_engine_that_answers_on_the_third_try_is_not_asked_a_fourth_time():
    refresher = _Flaky(2, retry_delays_s=[0.01, 0.01, 0.01, 0.01])

    asyncio.run(_run_until(refresher, lambda: refresher.answer is not None))

    assert refresher.calls == 3


def test_an_engine_down_for_good_is_tried_once_per_delay_then_left_to_the_schedule():
    refresher = _Flaky(100, retry_delays_s=[0.01, 0.02])

    asyncio.run(_run_until(refresher, lambda: refresher.calls >= 3))

    assert refresher.calls == 3
    assert refresher.answer is None


def test_a_refresh_that_answers_at_once_is_not_repeated():
    refresher = _Flaky(0, retry_delays_s=[0.01])

    asyncio.run(_run_until(refresher, lambda: refresher.answer is not None))

    assert refresher.calls == 1

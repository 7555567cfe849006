"""The login throttle's arithmetic and its keys, on a real (in-memory SQLite) table."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from stellars_auth.lockout import FORGET_AFTER_S, BackOff, LoginThrottle
from stellars_auth.schema import HISTORY
from stellars_testing.schema import migrate


class Clock:
    def __init__(self):
        self.now = datetime(2025, 1, 1, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        pytest.param(0, 0.0, id="none-yet"),
        pytest.param(4, 0.0, id="below-threshold"),
        pytest.param(5, 15.0, id="at-threshold"),
        pytest.param(6, 30.0, id="doubles"),
        pytest.param(9, 240.0, id="doubles-again"),
        pytest.param(11, 600.0, id="capped"),
        pytest.param(500, 600.0, id="far-past-cap"),
    ],
)
def test_the_wait_doubles_from_the_threshold_up_to_the_cap(attempts, wait):
    assert BackOff(threshold=5, cap_s=600).wait_s(attempts) == wait


@pytest.mark.parametrize(
    ("threshold", "cap", "per_hour"),
    [
        # 5 at once, then at 15, 45, 105, 225, 465, 945, 1545, 2145, 2745, 3345 s.
        pytest.param(5, 600, 15, id="defaults"),
        # 3 at once, then at 15, 45, 105, 225, 465, 945, 1905 s (the next at 3825).
        pytest.param(3, 3600, 10, id="one-hour-cap"),
        pytest.param(50, 600, 60, id="address-budget"),
    ],
)
def test_the_documented_checks_per_hour(threshold, cap, per_hour):
    assert BackOff(threshold, cap).max_checks_per_hour() == per_hour


def test_zero_threshold_turns_the_back_off_off():
    assert BackOff(threshold=0, cap_s=600).wait_s(10_000) == 0.0


@pytest.fixture
def throttle(tmp_path):
    url = f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    migrate(url, HISTORY)
    engine = create_engine(url)
    clock = Clock()
    with Session(engine) as session:
        yield LoginThrottle(session, BackOff(3, 600), BackOff(10, 600), clock=clock), clock


def _fail(throttle, times, username, address, *, known_device=False):
    for _ in range(times):
        assert throttle.check(username, address, known_device=known_device) is None
        throttle.charge(username, address, known_device=known_device)


def test_an_account_is_bounded_whatever_addresses_guesses_come_from(throttle):
    throttle, clock = throttle
    for n in range(3):
        _fail(throttle, 1, "ada", f"203.0.113.{n}")
    refusal = throttle.check("ada", "198.51.100.1", known_device=False)
    assert refusal is not None
    assert refusal.retry_after_s == 15.0
    assert refusal.minutes == 1
    clock.advance(15)
    _fail(throttle, 1, "ada", "198.51.100.2")
    assert throttle.check("ada", "198.51.100.3", known_device=False).retry_after_s == 30.0


def test_a_known_device_keeps_its_allowance_while_strangers_are_throttled(throttle):
    throttle, _ = throttle
    _fail(throttle, 3, "ada", "203.0.113.9")
    assert throttle.check("ada", "203.0.113.9", known_device=False) is not None
    assert throttle.check("ada", "203.0.113.9", known_device=True) is None
    throttle.succeeded("ada", "203.0.113.9", known_device=True)
    # The owner's success does not clear what strangers ran up.
    assert throttle.check("ada", "192.0.2.1", known_device=False) is not None


def test_one_address_spraying_names_runs_out_of_budget(throttle):
    throttle, _ = throttle
    for n in range(10):
        _fail(throttle, 1, f"name{n}", "203.0.113.50")
    assert throttle.check("someone-else", "203.0.113.50", known_device=False) is not None
    assert throttle.check("someone-else", "203.0.113.51", known_device=False) is None


def test_success_clears_the_account_but_only_refunds_the_address(throttle):
    throttle, _ = throttle
    _fail(throttle, 2, "ada", "192.0.2.7")
    throttle.charge("ada", "192.0.2.7", known_device=False)
    throttle.succeeded("ada", "192.0.2.7", known_device=False)
    _fail(throttle, 2, "ada", "192.0.2.7")  # two more are free again
    assert throttle.check("ada", "192.0.2.7", known_device=False) is None


def test_counts_are_forgotten_after_a_quiet_day(throttle):
    throttle, clock = throttle
    _fail(throttle, 3, "ada", "192.0.2.7")
    clock.advance(FORGET_AFTER_S)
    _fail(throttle, 2, "ada", "192.0.2.7")
    assert throttle.check("ada", "192.0.2.7", known_device=False) is None

from datetime import UTC, datetime, timedelta

import pytest

from stellars_activity.sessions import (
    IdlePolicy,
    NothingOnOfferError,
    extend,
    session_state,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
POLICY = IdlePolicy(timeout=24 * H, max_extension=24 * H)
AGED = IdlePolicy(timeout=24 * H, max_extension=24 * H, max_age=72 * H)


@pytest.mark.parametrize(
    ("policy", "idle", "age", "deadline_in", "remaining", "offer", "cull"),
    [
        pytest.param(POLICY, 0 * H, 1 * H, None, 24 * H, 24, False, id="fresh"),
        pytest.param(POLICY, 10 * H, 11 * H, None, 14 * H, 34, False, id="idle-ten-hours"),
        pytest.param(POLICY, 24 * H, 30 * H, None, 0 * H, 48, True, id="idle-past-timeout"),
        pytest.param(POLICY, 30 * H, 31 * H, 5 * H, 5 * H, 43, False, id="extended-past-timeout"),
        pytest.param(POLICY, 30 * H, 31 * H, -1 * H, 0 * H, 48, True, id="extension-over"),
        pytest.param(POLICY, 2 * H, 3 * H, 1 * H, 22 * H, 26, False, id="base-beats-deadline"),
        pytest.param(POLICY, 0 * H, 1 * H, 60 * H, 48 * H, 0, False, id="capped-at-ceiling"),
        pytest.param(
            POLICY, 0 * H, 1 * H, 47.5 * H, 47.5 * H, 0, False, id="half-hour-under-ceiling"
        ),
        pytest.param(AGED, 0 * H, 72 * H, 20 * H, 24 * H, 24, True, id="max-age-over-extension"),
        pytest.param(AGED, 0 * H, 71 * H, None, 24 * H, 24, False, id="just-under-max-age"),
    ],
)
def test_the_rule(policy, idle, age, deadline_in, remaining, offer, cull):
    state = session_state(
        policy,
        last_activity=NOW - idle,
        started=NOW - age,
        deadline=None if deadline_in is None else NOW + deadline_in,
        now=NOW,
    )
    assert (state.remaining, state.hours_on_offer, state.cull) == (remaining, offer, cull)


def test_an_extension_adds_to_the_remaining_time():
    outcome = extend(POLICY, remaining=14 * H, hours=3, now=NOW)
    assert outcome.deadline == NOW + 17 * H
    assert (outcome.granted_hours, outcome.truncated) == (3, False)


def test_asking_for_more_than_on_offer_is_granted_up_to_the_ceiling():
    outcome = extend(POLICY, remaining=40 * H, hours=20, now=NOW)
    assert outcome.deadline == NOW + 48 * H
    assert (outcome.granted_hours, outcome.truncated) == (8, True)


def test_repeated_extensions_never_bank_time_beyond_the_ceiling():
    remaining = 24 * H
    for _ in range(10):
        try:
            outcome = extend(POLICY, remaining=remaining, hours=7, now=NOW)
        except NothingOnOfferError:
            break
        state = session_state(
            POLICY, last_activity=NOW, started=NOW, deadline=outcome.deadline, now=NOW
        )
        remaining = state.remaining
        assert remaining <= POLICY.ceiling
    assert remaining == POLICY.ceiling
    with pytest.raises(NothingOnOfferError):
        extend(POLICY, remaining=remaining, hours=1, now=NOW)


@pytest.mark.parametrize("hours", [0, -1, 1.5, 0.0, True, "2", None])
def test_hours_must_be_a_whole_number_from_one(hours):
    with pytest.raises(ValueError, match="whole number"):
        extend(POLICY, remaining=H, hours=hours, now=NOW)


def test_a_whole_number_written_with_a_point_is_a_whole_number():
    outcome = extend(POLICY, remaining=14 * H, hours=3.0, now=NOW)
    assert outcome.granted_hours == 3

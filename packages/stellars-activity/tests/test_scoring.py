import math
from datetime import UTC, datetime, timedelta

import pytest

from stellars_activity import Sample, activity_score, decay_weight

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HALF_LIFE = timedelta(hours=72)
RETENTION = timedelta(days=7)


def test_weight_halves_every_half_life():
    assert decay_weight(timedelta(0), HALF_LIFE) == 1.0
    assert decay_weight(HALF_LIFE, HALF_LIFE) == pytest.approx(0.5, rel=1e-12)
    assert decay_weight(2 * HALF_LIFE, HALF_LIFE) == pytest.approx(0.25, rel=1e-12)


def test_weight_refuses_a_half_life_that_is_not_positive():
    with pytest.raises(ValueError, match="half_life"):
        decay_weight(timedelta(hours=1), timedelta(0))


def test_score_equals_the_formula():
    ages = [timedelta(minutes=10 * i) for i in range(500)]
    samples = [Sample(NOW - age, active=i % 3 == 0) for i, age in enumerate(ages)]
    weights = [math.exp(-math.log(2) * a.total_seconds() / HALF_LIFE.total_seconds()) for a in ages]
    expected = (
        100 * sum(w for w, s in zip(weights, samples, strict=True) if s.active) / sum(weights)
    )
    assert activity_score(samples, NOW, HALF_LIFE, RETENTION) == pytest.approx(expected, rel=1e-9)


def test_samples_outside_the_retention_window_do_not_count():
    samples = [
        Sample(NOW - timedelta(hours=1), active=True),
        Sample(NOW - timedelta(days=8), active=False),
    ]
    assert activity_score(samples, NOW, HALF_LIFE, RETENTION) == 100.0


def test_no_samples_means_no_score_not_zero():
    assert activity_score([], NOW, HALF_LIFE, RETENTION) is None
    old = [Sample(NOW - timedelta(days=30), active=True)]
    assert activity_score(old, NOW, HALF_LIFE, RETENTION) is None


def test_a_sample_from_the_future_counts_as_new():
    samples = [Sample(NOW + timedelta(minutes=5), active=True), Sample(NOW, active=False)]
    assert activity_score(samples, NOW, HALF_LIFE, RETENTION) == pytest.approx(50.0)

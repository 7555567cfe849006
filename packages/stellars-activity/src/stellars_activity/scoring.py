"""Exponential-decay activity scoring.

A user's score is the weighted share of their samples that were active, where
a sample's weight halves every ``half_life``: recent work counts most, and a
user who stopped working fades out smoothly instead of dropping off a cliff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


_ZERO = timedelta(0)


@dataclass(frozen=True)
class Sample:
    """One observation of one user: whether they were active at *timestamp* (aware, UTC)."""

    timestamp: datetime
    active: bool


def decay_weight(age: timedelta, half_life: timedelta) -> float:
    """Return ``exp(-ln 2 * age / half_life)``: 1 for a new sample, 0.5 after one half-life.

    Raises:
        ValueError: *half_life* is not positive.
    """
    if half_life.total_seconds() <= 0:
        raise ValueError("half_life must be positive")
    return math.exp(-math.log(2) * age.total_seconds() / half_life.total_seconds())


def activity_score(
    samples: Iterable[Sample], now: datetime, half_life: timedelta, retention: timedelta
) -> float | None:
    """Return ``100 * sum(w * active) / sum(w)`` over samples younger than *retention*.

    Samples from the future (clock skew) count with age 0. Returns None when
    no sample is inside the window: no data is not the same as inactive.

    Raises:
        ValueError: *half_life* is not positive.
    """
    weighted_active = 0.0
    total_weight = 0.0
    for sample in samples:
        age = now - sample.timestamp
        if age > retention:
            continue
        weight = decay_weight(max(age, _ZERO), half_life)
        total_weight += weight
        if sample.active:
            weighted_active += weight
    if total_weight == 0.0:
        return None
    return 100.0 * weighted_active / total_weight

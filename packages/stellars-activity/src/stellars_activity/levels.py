"""From a score to what an admin reads: a percentage of the daily target and a level."""

from __future__ import annotations

from enum import IntEnum

_LEVEL_WIDTH = 20.0  # five equal segments of 0..100 %


class ActivityLevel(IntEnum):
    """Five segments of the activity percentage, 0 (under 20 %) to 4 (80 % and more)."""

    INACTIVE = 0
    LOW = 1
    MODERATE = 2
    HIGH = 3
    VERY_HIGH = 4


def activity_percentage(score: float, target_hours: float) -> float:
    """Return ``score / (target_hours / 24)``, capped at 100.

    A score is the weighted share of time active (100 = all day); a user
    active *target_hours* a day reaches 100 %.

    Raises:
        ValueError: *target_hours* is not positive.
    """
    if target_hours <= 0:
        raise ValueError("target_hours must be positive")
    return min(100.0, score / (target_hours / 24.0))


def activity_level(percentage: float) -> ActivityLevel:
    """Return the segment of *percentage* (0..100; out of range values are clamped)."""
    segment = int(max(0.0, percentage) // _LEVEL_WIDTH)
    return ActivityLevel(min(segment, ActivityLevel.VERY_HIGH))

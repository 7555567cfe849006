"""The settings of activity monitoring: decay, retention and what counts as a full day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ActivitySettings:
    """How activity is scored and how long samples are kept.

    Attributes:
        half_life_hours: a sample's weight halves every this many hours.
        retention_days: samples older than this are dropped and never count.
        inactive_after_minutes: a user idle this long is sampled as inactive
            (read by the samplers, not by the store).
        target_hours: active hours a day that make 100 %.
        sample_interval_minutes: how often the samplers record a tick; one
            active sample stands for this much active time in the daily history.

    Raises:
        ValueError: a value is out of range (from the constructor).
    """

    half_life_hours: float = 72.0
    retention_days: int = 7
    inactive_after_minutes: float = 60.0
    target_hours: float = 8.0
    sample_interval_minutes: float = 10.0

    def __post_init__(self) -> None:
        problems = [
            name
            for name in (
                "half_life_hours",
                "retention_days",
                "inactive_after_minutes",
                "target_hours",
                "sample_interval_minutes",
            )
            if not getattr(self, name) > 0
        ]
        if self.target_hours > 24:  # noqa: PLR2004 - hours in a day
            problems.append("target_hours (at most 24)")
        if problems:
            raise ValueError(f"activity settings must be positive: {', '.join(problems)}")

    @property
    def half_life(self) -> timedelta:
        """Return the half-life as a timedelta."""
        return timedelta(hours=self.half_life_hours)

    @property
    def retention(self) -> timedelta:
        """Return the retention window as a timedelta."""
        return timedelta(days=self.retention_days)

"""What the store returns: frozen, plain values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from stellars_activity.levels import ActivityLevel


@dataclass(frozen=True)
class UserScore:
    """One user's activity now.

    Attributes:
        username: the user.
        score: ``100 · Σ wᵢ·activeᵢ / Σ wᵢ`` over the retention window; None
            when the user has no sample in it (no data is not "inactive").
        percentage: score against the daily target, capped at 100; None with score.
        level: the percentage's segment; None with score.
        samples: samples inside the window.
        hours_collected: hours from the first sample to the last one (not after now).
        enough_data: at least 24 hours collected; below that, show "not
            enough data" and *hours_collected* rather than the level.
        last_sample: the newest sample's timestamp (aware UTC), or None.
    """

    username: str
    score: float | None
    percentage: float | None
    level: ActivityLevel | None
    samples: int
    hours_collected: float
    enough_data: bool
    last_sample: datetime | None

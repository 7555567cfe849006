"""Activity monitoring for Stellars Hub: a sample store and exponential-decay activity scores."""

from stellars_activity.levels import ActivityLevel, activity_level, activity_percentage
from stellars_activity.model import ActivitySample, ActivityState, ActivityTotal
from stellars_activity.results import UserScore
from stellars_activity.scoring import Sample, activity_score, decay_weight
from stellars_activity.settings import ActivitySettings
from stellars_activity.store import ActivityStore, UnsupportedDatabaseError

__all__ = [
    "ActivityLevel",
    "ActivitySample",
    "ActivitySettings",
    "ActivityState",
    "ActivityStore",
    "ActivityTotal",
    "Sample",
    "UnsupportedDatabaseError",
    "UserScore",
    "activity_level",
    "activity_percentage",
    "activity_score",
    "decay_weight",
]

"""Activity monitoring for Stellars Hub: exponential-decay activity scores."""

from stellars_activity.scoring import Sample, activity_score, decay_weight

__all__ = ["Sample", "activity_score", "decay_weight"]

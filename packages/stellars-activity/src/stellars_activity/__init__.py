"""Activity monitoring for Stellars Hub: samples, decay scores, samplers and user lifecycle."""

from stellars_activity.cull_warnings import CullWarning, CullWarnings, due_warnings, lead_time
from stellars_activity.culler import CULLER_SCOPES, managed_culler
from stellars_activity.hub_api import HubApiError, HubApiSampler, active_from_user_model
from stellars_activity.idle import (
    CullerDisabledError,
    IdleSessions,
    RunningServer,
    ServerNotRunningError,
    SessionInfo,
    running_server,
)
from stellars_activity.in_hub import (
    HubState,
    InHubSampler,
    ServerState,
    collect_from_hub,
    collect_from_state,
    server_state,
)
from stellars_activity.levels import ActivityLevel, activity_level, activity_percentage
from stellars_activity.lifecycle import register_lifecycle
from stellars_activity.model import ActivitySample, ActivityState, ActivityTotal
from stellars_activity.monitor import (
    ActivityMonitor,
    ActivityReport,
    SamplerMode,
    SamplingState,
    SamplingStatus,
    sampling_state,
)
from stellars_activity.results import UserScore
from stellars_activity.sampling import active_now, record_sample, tick_time
from stellars_activity.scoring import Sample, activity_score, decay_weight
from stellars_activity.service import managed_service
from stellars_activity.sessions import (
    Extension,
    IdlePolicy,
    InvalidHoursError,
    NothingOnOfferError,
    SessionState,
    extend,
    session_state,
)
from stellars_activity.settings import ActivitySettings
from stellars_activity.store import ActivityStore, UnsupportedDatabaseError

__all__ = [
    "CULLER_SCOPES",
    "ActivityLevel",
    "ActivityMonitor",
    "ActivityReport",
    "ActivitySample",
    "ActivitySettings",
    "ActivityState",
    "ActivityStore",
    "ActivityTotal",
    "CullWarning",
    "CullWarnings",
    "CullerDisabledError",
    "Extension",
    "HubApiError",
    "HubApiSampler",
    "HubState",
    "IdlePolicy",
    "IdleSessions",
    "InHubSampler",
    "InvalidHoursError",
    "NothingOnOfferError",
    "RunningServer",
    "Sample",
    "SamplerMode",
    "SamplingState",
    "SamplingStatus",
    "ServerNotRunningError",
    "ServerState",
    "SessionInfo",
    "SessionState",
    "UnsupportedDatabaseError",
    "UserScore",
    "active_from_user_model",
    "active_now",
    "activity_level",
    "activity_percentage",
    "activity_score",
    "collect_from_hub",
    "collect_from_state",
    "decay_weight",
    "due_warnings",
    "extend",
    "lead_time",
    "managed_culler",
    "managed_service",
    "record_sample",
    "register_lifecycle",
    "running_server",
    "sampling_state",
    "server_state",
    "session_state",
    "tick_time",
]

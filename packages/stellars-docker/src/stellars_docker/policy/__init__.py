"""Group policy: what each group's members' servers get, merged into one policy per user.

- :mod:`.model`: one group's policy (resources, GPUs, environment, profiles,
  Docker access, server cap, volume quota), strict and frozen.
- :mod:`.merge`: a user's groups merged into one effective policy, with the
  group each value came from.
- :mod:`.store`: the policies in the hub's database.
- :mod:`.users`: a user's effective policy, read fresh from the database.
- :mod:`.quota`: a user's volumes against their quota, and the crossings
  each user is told of once.
- :mod:`.spawn`: what a server started under a policy gets (spawner values,
  the profile chosen).
- :mod:`.hook`: the pre-spawn hook that applies it, and the checks that
  refuse a start (server cap, volume quota).
- :mod:`.catalog`: the hub's groups with their policies as the API shows
  them, running servers under an older policy, and a policy checked
  against the hub and the engine before it is stored.
"""

from stellars_docker.policy.catalog import (
    GroupEntry,
    PolicyRejectedError,
    ServerState,
    UnknownGroupError,
    delete_group_policy,
    device_problems,
    group_entries,
    group_entry,
    image_problems,
    masked_environment,
    save_group_policy,
    server_states,
)
from stellars_docker.policy.hook import (
    check_quota,
    check_server_cap,
    make_cap_hook,
    make_policy_hook,
)
from stellars_docker.policy.merge import (
    DEFAULT_SOURCE,
    EffectivePolicy,
    EffectiveProfile,
    GpuGrant,
    effective_policy,
    gpu_grant,
    rank,
)
from stellars_docker.policy.model import (
    EMPTY_POLICY,
    DockerAccess,
    EnvironmentVariable,
    GroupPolicy,
    Profile,
    Resources,
)
from stellars_docker.policy.quota import (
    QuotaCrossing,
    QuotaLevel,
    QuotaState,
    quota_crossings,
    quota_state,
    record_notices,
)
from stellars_docker.policy.spawn import (
    PROFILE_OPTION,
    SpawnBase,
    SpawnPlan,
    SpawnRefusedError,
    apply_plan,
    choose_profile,
    gpu_request,
    plan_spawn,
)
from stellars_docker.policy.store import (
    GROUP_POLICIES,
    QUOTA_NOTICES,
    SERVER_POLICIES,
    AppliedPolicy,
    RevisionConflictError,
    StoredPolicy,
    applied_policies,
    delete_policy,
    read_policies,
    read_policy,
    record_applied,
    register_policy_lifecycle,
    save_policy,
)
from stellars_docker.policy.users import (
    BUILTIN_ACCESS,
    PolicySettings,
    builtin_access_problem,
    group_policy,
    user_policies,
    user_policy,
)

__all__ = [
    "BUILTIN_ACCESS",
    "DEFAULT_SOURCE",
    "EMPTY_POLICY",
    "GROUP_POLICIES",
    "PROFILE_OPTION",
    "QUOTA_NOTICES",
    "SERVER_POLICIES",
    "AppliedPolicy",
    "DockerAccess",
    "EffectivePolicy",
    "EffectiveProfile",
    "EnvironmentVariable",
    "GpuGrant",
    "GroupEntry",
    "GroupPolicy",
    "PolicyRejectedError",
    "PolicySettings",
    "Profile",
    "QuotaCrossing",
    "QuotaLevel",
    "QuotaState",
    "Resources",
    "RevisionConflictError",
    "ServerState",
    "SpawnBase",
    "SpawnPlan",
    "SpawnRefusedError",
    "StoredPolicy",
    "UnknownGroupError",
    "applied_policies",
    "apply_plan",
    "builtin_access_problem",
    "check_quota",
    "check_server_cap",
    "choose_profile",
    "delete_group_policy",
    "delete_policy",
    "device_problems",
    "effective_policy",
    "gpu_grant",
    "gpu_request",
    "group_entries",
    "group_entry",
    "group_policy",
    "image_problems",
    "make_cap_hook",
    "make_policy_hook",
    "masked_environment",
    "plan_spawn",
    "quota_crossings",
    "quota_state",
    "rank",
    "read_policies",
    "read_policy",
    "record_applied",
    "record_notices",
    "register_policy_lifecycle",
    "save_group_policy",
    "save_policy",
    "server_states",
    "user_policies",
    "user_policy",
]

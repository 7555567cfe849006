"""``GET /hub/api/users/{name}/quota``: a user's volumes against their quota.

What the home page's storage warning reads: one user's policy and the sizes
the runtime last measured (no engine call), not every user's activity row.
"""

from __future__ import annotations

from stellars_docker.policy import quota_state, user_policy
from stellars_ui.handlers.base import StellarsAPIHandler
from stellars_ui.models.activity import ActivityQuota


class UserQuotaHandler(StellarsAPIHandler):
    """GET: the user's quota, what their volumes hold, and whether they are near or over it."""

    def get(self, user_name: str) -> None:
        """Answer the quota state; ``unknown`` until the volumes are measured."""
        self.require_user_scope("read:servers", user_name)
        user = self.target_user(user_name)
        runtime = self.platform.docker  # None with the local spawner: nothing measured
        used = runtime.usage([user.name])[user.name].volumes_total_bytes if runtime else None
        policy = user_policy(self.db, user, self.policy_settings)
        self.answer(ActivityQuota.of(quota_state(policy, used)))

"""``/hub/api/stellars/group-policies`` and ``/hub/api/users/{name}/effective-policy``.

Under the platform's prefix: JupyterHub owns ``/hub/api/groups/...``. The
policies live in the hub's database, read and written on the loop thread;
only the engine checks of a write (profile images) go to a worker thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stellars_docker.granters import granter_of
from stellars_docker.policy import (
    delete_group_policy,
    group_entries,
    group_entry,
    masked_environment,
    save_group_policy,
    server_states,
    user_policy,
)
from stellars_ui.handlers.base import StellarsAPIHandler, isoformat_utc
from stellars_ui.models.common import NoFields
from stellars_ui.models.policies import (
    EffectiveValues,
    GpuDevice,
    GroupEntry,
    GroupPolicies,
    OfferedProfile,
    PolicyDeleted,
    PolicyUpdate,
    ServerPolicy,
    UserPolicy,
)
from stellars_ui.scopes import READ_GROUP_POLICIES, WRITE_GROUP_POLICIES

if TYPE_CHECKING:
    from stellars_docker.policy import EffectivePolicy
    from stellars_docker.policy import GroupEntry as GroupRecord


def _entry(record: GroupRecord) -> GroupEntry:
    return GroupEntry(
        name=record.name,
        members=record.members,
        builtin=record.builtin,
        policy=record.policy,
        revision=record.revision,
        updated_by=record.updated_by,
        updated_at=isoformat_utc(record.updated_at),
        docker_access_counts=record.docker_access_counts,
        outdated_servers=record.outdated_servers,
    )


class GroupPoliciesHandler(StellarsAPIHandler):
    """GET lists every hub group with its policy, and what a policy can give (GPUs)."""

    def get(self) -> None:
        """Answer ``{"groups", "default_policy", "gpus", "gpus_available"}``."""
        self.require_scope(READ_GROUP_POLICIES)
        settings = self.policy_settings
        runtime = self.platform.docker
        gpu = runtime.gpu if runtime is not None else None
        self.answer(
            GroupPolicies(
                groups=[_entry(record) for record in group_entries(self.db, settings)],
                default_policy=settings.default.masked(),
                gpus=[
                    GpuDevice(index=g.index, uuid=g.uuid, name=g.name, memory_mib=g.memory_mib)
                    for g in (gpu.gpus if gpu is not None else ())
                ],
                gpus_available=gpu is not None and gpu.enabled,
            )
        )


class GroupPolicyHandler(StellarsAPIHandler):
    """GET, PUT and DELETE one hub group's policy."""

    def get(self, group: str) -> None:
        """Answer the group's entry; 404 for no such hub group."""
        self.require_scope(READ_GROUP_POLICIES)
        self.answer(_entry(group_entry(self.db, self.policy_settings, group)))

    async def put(self, group: str) -> None:
        """Store ``{"policy", "revision"?}`` as the group's policy; answer its entry.

        400 naming each bad field (nothing stored), 404 no such group, 409
        the revision moved, 501 profiles on a hub whose servers are not
        containers (no engine to run their images), 503 engine unreachable.
        """
        self.require_scope(WRITE_GROUP_POLICIES)
        update = self.body(PolicyUpdate)
        # A profile's image is checked on the engine; without one it never could run.
        runtime = self.docker_runtime if update.policy.profiles else self.platform.docker
        granter = granter_of(self)
        assert granter is not None  # require_scope refused anonymous callers
        saved = await save_group_policy(
            self.db,
            group,
            update.policy,
            runtime=runtime,
            by=granter,
            expected_revision=update.revision,
        )
        self.log.info(
            "Group policy of %r stored at revision %d by %s",
            group,
            saved.revision,
            saved.updated_by,
        )
        self.answer(_entry(group_entry(self.db, self.policy_settings, group)))

    def delete(self, group: str) -> None:
        """Delete the group's stored policy; answer ``{"group", "deleted"}``."""
        self.require_scope(WRITE_GROUP_POLICIES)
        self.body(NoFields)
        deleted = delete_group_policy(self.db, group)
        if deleted:
            self.log.info("Group policy of %r deleted by %s", group, self.current_user.name)
        self.answer(PolicyDeleted(group=group, deleted=deleted))


class EffectivePolicyHandler(StellarsAPIHandler):
    """GET a user's effective policy, with where each value came from."""

    def get(self, user_name: str) -> None:
        """Answer ``{"user", "groups", "policy", "sources", "fingerprint", "servers"}``."""
        self.require_user_scope("read:servers", user_name)
        user = self.target_user(user_name)
        settings = self.policy_settings
        policy = user_policy(self.db, user, settings)
        self.answer(
            UserPolicy(
                user=user.name,
                groups=list(policy.groups),
                policy=_values(policy),
                sources=dict(policy.sources),
                fingerprint=policy.fingerprint(),
                servers=[
                    ServerPolicy(
                        name=state.name,
                        profile=state.profile,
                        fingerprint=state.fingerprint,
                        outdated=state.outdated,
                    )
                    for state in server_states(self.db, settings, [user])
                ],
            )
        )


def _values(policy: EffectivePolicy) -> EffectiveValues:
    values = policy.values
    spec = policy.gpus.as_spec()
    return EffectiveValues(
        cpu_limit=_float(values.get("cpu_limit")),
        cpu_guarantee=_float(values.get("cpu_guarantee")),
        mem_limit=_int(values.get("mem_limit")),
        mem_guarantee=_int(values.get("mem_guarantee")),
        gpus=list(spec) if isinstance(spec, tuple) else spec,
        environment=list(masked_environment(policy)),
        profiles=[
            OfferedProfile(**offered.profile.model_dump(), source=offered.source)
            for offered in policy.profiles
        ],
        default_profile=policy.default_profile,
        docker_access=policy.docker_access,
        max_servers=_int(values.get("max_servers")),
        volume_quota=_int(values.get("volume_quota")),
        volume_warning_percent=policy.volume_warning_percent,
    )


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)

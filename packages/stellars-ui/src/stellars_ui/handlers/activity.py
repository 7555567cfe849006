"""``/hub/api/activity``: every user's activity, resources and server state; reset; sample now."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from jupyterhub import orm
from tornado import web

from stellars_activity import running_server, server_state
from stellars_auth import authorization_states, shown
from stellars_docker.policy import applied_policies, quota_state, user_policies
from stellars_ui.handlers.base import StellarsAPIHandler, isoformat_utc
from stellars_ui.models.activity import (
    Activity,
    ActivityQuota,
    ActivityReset,
    ActivityRow,
    ActivitySampled,
    ActivitySettings,
    ActivitySummary,
    ActivityVolume,
    Sampling,
)
from stellars_ui.models.common import NoFields
from stellars_ui.scopes import READ_ACTIVITY, RESET_ACTIVITY, SAMPLE_ACTIVITY

if TYPE_CHECKING:
    from stellars_activity import ActivityMonitor, ActivityReport, ServerState, UserScore
    from stellars_docker import UserUsage
    from stellars_docker.policy import AppliedPolicy, EffectivePolicy
    from stellars_ui.models.activity import LevelName

_MB = 1_000_000
_LEVEL_NAMES: tuple[LevelName, ...] = ("inactive", "low", "moderate", "high", "very high")


class _ActivityAPIHandler(StellarsAPIHandler):
    @property
    def activity_monitor(self) -> ActivityMonitor:
        """The hub's activity monitor."""
        return self.platform.activity


class ActivityHandler(_ActivityAPIHandler):
    """GET: one row per user the caller may read the activity of, and a summary."""

    async def get(self) -> None:
        """Answer ``{timestamp, settings, summary, users: [...]}`` (see the package README).

        Rows are the users on whom the caller holds ``read:users:activity``
        (a user holds it on themself); 403 for a caller who holds it on nobody.
        """
        if self.current_user is None or READ_ACTIVITY not in self.parsed_scopes:
            raise web.HTTPError(HTTPStatus.FORBIDDEN, f"Requires the {READ_ACTIVITY!r} scope.")
        readable = self.get_scope_filter(READ_ACTIVITY)
        orm_users = [u for u in self.db.query(orm.User) if readable(u, kind="user")]
        names = [u.name for u in orm_users]
        monitor = self.activity_monitor
        report = await monitor.report(names)
        runtime = self.platform.docker  # None with the local spawner
        usage = runtime.usage(names) if runtime is not None else {}
        authorized = authorization_states(self.authenticator) or {}
        users = [self.users[orm_user] for orm_user in orm_users]
        running = [server for server in map(running_server, users) if server is not None]
        time_left = await self.platform.idle.remaining(running)
        # Every group's policy read once for all the rows, not once per user.
        policies = user_policies(self.db, orm_users, self.platform.policy)
        applied = applied_policies(self.db)
        rows = []
        for orm_user, user in zip(orm_users, users, strict=True):
            state = server_state(user, inactive_after=monitor.inactive_after, now=report.now)
            left = time_left.get(orm_user.name)
            rows.append(
                _row(
                    orm_user,
                    state=state,
                    score=report.scores[orm_user.name],
                    history=report.history.get(orm_user.name),
                    usage=usage.get(orm_user.name),
                    authorized=authorized.get(orm_user.name),
                    days=monitor.settings.retention_days,
                    time_left=None if left is None else left.total_seconds(),
                    policy=policies[orm_user.id],
                    outdated=_outdated(user, policies[orm_user.id], applied),
                )
            )
        ui = self.platform.ui
        self.answer(
            Activity(
                timestamp=isoformat_utc(report.now),
                settings=ActivitySettings(
                    refresh_interval_seconds=ui.activity_refresh_interval_s,
                    target_hours=monitor.settings.target_hours,
                    half_life_hours=monitor.settings.half_life_hours,
                    retention_days=monitor.settings.retention_days,
                    inactive_after_minutes=monitor.settings.inactive_after_minutes,
                    sample_interval_seconds=monitor.interval.total_seconds(),
                ),
                summary=_summary(rows, report),
                users=rows,
            )
        )


class ActivityResetHandler(_ActivityAPIHandler):
    """POST: delete every activity sample (``custom:activity:reset``)."""

    async def post(self) -> None:
        """Answer ``{"reset": true}`` once every sample is gone."""
        self.require_scope(RESET_ACTIVITY)
        self.body(NoFields)
        await self.activity_monitor.reset()
        self.log.info("%s reset every user's activity samples", shown(self.current_user.name))
        self.answer(ActivityReset(reset=True))


class ActivitySampleHandler(_ActivityAPIHandler):
    """POST: record a tick of every user now (``custom:activity:sample``)."""

    async def post(self) -> None:
        """Answer ``{"recorded": rows written, "tick": the tick's time}``.

        The tick is the sampler's current one, so a user it already recorded
        gets nothing new (``recorded`` counts only new rows).
        """
        self.require_scope(SAMPLE_ACTIVITY)
        self.body(NoFields)
        tick, written = await self.activity_monitor.tick_now(self)
        self.answer(ActivitySampled(recorded=written, tick=isoformat_utc(tick)))


def _row(
    orm_user: Any,
    *,
    state: ServerState,
    score: UserScore,
    history: tuple[float, ...] | None,
    usage: UserUsage | None,
    authorized: bool | None,
    days: int,
    time_left: float | None,
    policy: EffectivePolicy,
    outdated: bool | None,
) -> ActivityRow:
    stats = usage.stats if usage is not None and state.running else None
    quota = quota_state(policy, None if usage is None else usage.volumes_total_bytes)
    return ActivityRow(
        username=orm_user.name,
        admin=bool(orm_user.admin),
        authorized=authorized,
        server_active=state.running,
        recently_active=state.recently_active,
        server_pending=state.pending,
        last_activity=isoformat_utc(orm_user.last_activity),
        cpu_percent=None if stats is None else stats.cpu_percent,
        memory_mb=None if stats is None else stats.memory_bytes / _MB,
        memory_percent=None if stats is None or usage is None else usage.memory_percent,
        memory_limit_mb=None if stats is None else stats.memory_limit_bytes / _MB,
        volumes=[]
        if usage is None
        else [
            ActivityVolume(suffix=v.suffix, name=v.name, size_bytes=v.size_bytes)
            for v in usage.volumes
        ],
        volumes_total_bytes=None if usage is None else usage.volumes_total_bytes,
        quota=ActivityQuota.of(quota),
        policy_outdated=outdated,
        # The idle culler's remaining time (the same rule as the culler); None without a culler.
        time_left_seconds=time_left,
        score=score.score,
        percentage=score.percentage,
        level=None if score.level is None else int(score.level),
        level_name=None if score.level is None else _LEVEL_NAMES[score.level],
        samples=score.samples,
        hours_collected=score.hours_collected,
        enough_data=score.enough_data,
        last_sample=isoformat_utc(score.last_sample),
        daily_hours=list(history) if history is not None else [0.0] * days,
    )


def _outdated(
    user: Any, policy: EffectivePolicy, applied: dict[tuple[int, str], AppliedPolicy]
) -> bool | None:
    # Whether any running server started under another policy than the user's now;
    # None when none runs or none was started through the policy hook.
    fingerprints = [
        applied[(user.id, name)].fingerprint
        for name, spawner in user.spawners.items()
        if spawner.active and (user.id, name) in applied
    ]
    if not fingerprints:
        return None
    current = policy.fingerprint()
    return any(fingerprint != current for fingerprint in fingerprints)


def _summary(rows: list[ActivityRow], report: ActivityReport) -> ActivitySummary:
    running = [row for row in rows if row.server_active]
    active = sum(row.recently_active for row in running)
    sampling = report.sampling
    return ActivitySummary(
        total=len(rows),
        active=active,
        idle=len(running) - active,
        offline=len(rows) - len(running),
        # Validated from their names: the enums' values are the model's literals.
        sampling=Sampling.model_validate(
            {
                "mode": str(sampling.mode),
                "interval_seconds": sampling.interval.total_seconds(),
                "last_tick": isoformat_utc(sampling.last_tick),
                "state": str(sampling.state),
            }
        ),
    )

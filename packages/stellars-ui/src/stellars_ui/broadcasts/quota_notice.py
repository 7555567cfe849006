"""Tell a user inside their running JupyterLab that their volumes crossed the quota's threshold.

A notice (:mod:`stellars_ui.broadcasts.notice`) on the same path as an
admin's broadcast, started by the hub after each volume-size refresh. Which
users crossed, and that each is told once per crossing, is the domain's
(:func:`stellars_docker.policy.quota_crossings`); a user whose lab is not
running, or did not take the notice, is told at a later refresh.

ORM access: on the event loop thread, with the hub's own session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyterhub import orm

from stellars_docker.policy import (
    QuotaCrossing,
    QuotaLevel,
    QuotaState,
    quota_crossings,
    quota_state,
    record_notices,
    user_policies,
)
from stellars_ui.broadcasts.notice import notice_payload, notify_servers
from stellars_ui.broadcasts.recipients import running_servers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from stellars_docker import DockerRuntime
    from stellars_docker.policy import PolicySettings
    from stellars_ui.settings import BroadcastSettings

_GB = 1_000_000_000


def quota_message(state: QuotaState) -> str:
    """Return what a user is told when their volumes reach *state* (warning or over)."""
    used = (state.used_bytes or 0) / _GB
    quota = (state.quota_bytes or 0) / _GB
    numbers = f"Your volumes hold {used:.2f} GB of your {quota:.2f} GB quota"
    if state.level is QuotaLevel.OVER:
        return (
            f"{numbers}: over the quota. Free space now; until then your server "
            "may not start again."
        )
    return f"{numbers} ({state.percent or 0:.0f} %). Free space before you reach it."


async def notify_quota_crossings(
    db: Session,
    users: Any,
    runtime: DockerRuntime,
    policy: PolicySettings,
    options: BroadcastSettings,
) -> list[QuotaCrossing]:
    """Notify each user whose volumes crossed a quota level since they were told; return them.

    *users* is the hub's user dictionary. Reads the sizes the runtime last
    measured (no engine call) and every user's policy in one read; a user is
    recorded as told once one of their running labs took the notice.
    """
    orm_users = db.query(orm.User).all()
    policies = user_policies(db, orm_users, policy)
    usage = runtime.usage([user.name for user in orm_users])
    states = {
        user.id: quota_state(policies[user.id], usage[user.name].volumes_total_bytes)
        for user in orm_users
    }
    crossings = quota_crossings(db, {user_id: state.level for user_id, state in states.items()})
    names = {user.id: user.name for user in orm_users}
    crossed = {names[crossing.user_id]: crossing for crossing in crossings}
    servers = [s for s in running_servers(db, users) if s.username in crossed]
    told: list[QuotaCrossing] = []
    for username, crossing in crossed.items():
        state = states[crossing.user_id]
        variant = "error" if state.level is QuotaLevel.OVER else "warning"
        mine = [s for s in servers if s.username == username]
        if await notify_servers(db, mine, notice_payload(quota_message(state), variant), options):
            told.append(crossing)
    record_notices(db, told)
    return told

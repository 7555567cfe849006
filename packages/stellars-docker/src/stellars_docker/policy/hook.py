"""The pre-spawn hook that applies the effective policy at every start.

It runs on the hub's event loop, before DockerSpawner starts the container,
where reading the database is allowed; everything it reads is read then, so
a policy or membership changed a moment ago counts at the next start. A
start the policy refuses ends here with the reason, which JupyterHub shows
on the spawn page and answers on the API with the status given.
"""

from __future__ import annotations

from contextlib import contextmanager
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from tornado import web

from stellars_docker.policy.spawn import (
    PROFILE_OPTION,
    SpawnRefusedError,
    apply_plan,
    choose_profile,
    plan_spawn,
)
from stellars_docker.policy.store import record_applied
from stellars_docker.policy.users import user_policy

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from stellars_docker.policy.merge import EffectivePolicy
    from stellars_docker.policy.spawn import SpawnBase
    from stellars_docker.policy.users import PolicySettings

    VolumeTotal = Callable[[Any], int | None]


def check_server_cap(policy: EffectivePolicy, spawner: Any) -> None:
    """Refuse a start that would run more servers than the user's groups allow.

    Raises:
        SpawnRefusedError: 403 naming the cap, where it comes from and what runs.
    """
    cap = policy.values.get("max_servers")
    if cap is None:
        return
    others = sorted(
        name or "(default server)"
        for name, other in spawner.user.spawners.items()
        if other is not spawner and other.active
    )
    source = policy.sources.get("max_servers")
    if cap == 0:
        raise SpawnRefusedError(
            HTTPStatus.FORBIDDEN,
            f"Your groups allow no server (from {source}); an admin can change that on the "
            "Groups page.",
        )
    if len(others) >= cap:
        running = f" Running now: {', '.join(others)}." if others else ""
        raise SpawnRefusedError(
            HTTPStatus.FORBIDDEN,
            f"Your groups allow {int(cap)} server(s) at a time "
            f"(from {source}); stop one before starting another."
            f"{running}",
        )


def check_quota(policy: EffectivePolicy, used: int | None) -> None:
    """Refuse a start when the user's volumes hold more than the quota.

    Raises:
        SpawnRefusedError: 403 with the sizes, when *used* is known and over.
    """
    quota = policy.values.get("volume_quota")
    if quota is None or used is None or used <= quota:
        return
    raise SpawnRefusedError(
        HTTPStatus.FORBIDDEN,
        f"Your volumes hold {used / 1024**3:.2f} GiB, over your quota of "
        f"{quota / 1024**3:.2f} GiB (from {policy.sources.get('volume_quota')}): the server "
        "does not start until you free space. An admin can reset a volume or raise the quota.",
    )


@contextmanager
def _answered() -> Iterator[None]:
    # JupyterHub shows an HTTPError's message on the spawn page and answers it on the API.
    try:
        yield
    except SpawnRefusedError as refused:
        error = web.HTTPError(refused.status, "%s", str(refused))
        # JupyterHub marks a failed start's error with a generic reason, which
        # its error page shows instead of the message; this one it shows as is.
        error.jupyterhub_message = str(refused)  # type: ignore[attr-defined]
        raise error from None


def make_cap_hook(settings: PolicySettings) -> Callable[[Any], Awaitable[None]]:
    """Return a ``c.Spawner.pre_spawn_hook`` part for a spawner without containers.

    For the local spawner: the per-group server cap is a policy on the user,
    not a container's, so it applies; the rest of a policy has nothing to set
    there. What the user submits is held to the same rule as on Docker (only
    an offered profile), so no option reaches a spawner unchecked.
    """

    async def apply_cap(spawner: Any) -> None:
        policy = user_policy(spawner.user.db, spawner.user, settings)
        with _answered():
            check_server_cap(policy, spawner)
            profile = choose_profile(policy, spawner.user_options or {})
        spawner.user_options = {PROFILE_OPTION: profile.name} if profile else {}

    return apply_cap


def make_policy_hook(
    base: SpawnBase, settings: PolicySettings, volume_total: VolumeTotal | None = None
) -> Callable[[Any], Awaitable[None]]:
    """Return a ``c.Spawner.pre_spawn_hook`` part that applies each user's policy.

    *volume_total* returns the bytes a spawner's user's volumes hold (None:
    not measured yet); with ``settings.refuse_over_quota`` a start over the
    quota is refused.
    """

    async def apply_policy(spawner: Any) -> None:
        user = spawner.user
        policy = user_policy(user.db, user, settings)
        with _answered():
            check_server_cap(policy, spawner)
            if settings.refuse_over_quota and volume_total is not None:
                check_quota(policy, volume_total(spawner))
            profile = choose_profile(policy, spawner.user_options or {})
            plan = plan_spawn(policy, profile, base)
        apply_plan(spawner, plan, base)
        record_applied(user.db, user.id, spawner.name, plan.fingerprint, plan.profile)
        if plan.docker_access.value != "none":
            spawner.log.info(
                "Docker access for %r (root on the host): %s, from %s",
                user.name,
                plan.docker_access.value,
                policy.sources.get("docker_access"),
            )
        spawner.log.info(
            "Policy %s for %r: profile %s, image %s, cpu %s, memory %s, GPUs %s",
            plan.fingerprint,
            user.name,
            plan.profile or "(none)",
            plan.image,
            plan.cpu_limit,
            plan.mem_limit,
            policy.gpus.as_spec(),
        )

    return apply_policy

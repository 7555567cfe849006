"""The Docker side of ``configure(c)``: spawner, volumes, group policies, grants, quota notices.

Imported by ``stellars_hub.configure`` only for a spawner that needs
stellars-docker (docker, swarm, and local, whose group policies come from
it); a hub configured for Kubernetes never imports this module, so it runs
without stellars-docker, the docker SDK and dockerspawner installed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stellars_docker import (
    BUILTIN_GROUPS,
    DEFAULT_SHARED_VOLUME,
    DockerRuntime,
    DockerSettings,
    GpuMode,
    GrantRecorder,
    SharedVolume,
    UserVolume,
    adopt_legacy_volumes_at_start,
    capture_granters,
    detect_gpus,
    make_ownership_hook,
    record_configured_members,
    register_account_deletes,
    spawner_config,
)
from stellars_docker.gpu import GPU_ENVIRONMENT_FLAGS, GpuResolution
from stellars_docker.ownership import adopt_at_start
from stellars_docker.policy import (
    GroupPolicy,
    PolicySettings,
    SpawnBase,
    make_cap_hook,
    make_policy_hook,
    register_policy_lifecycle,
)
from stellars_docker.spawner import SPAWNER_CLASS, SWARM_SPAWNER_CLASS
from stellars_docker.swarm.agent import AgentClient, AgentNodeWork, AgentSettings
from stellars_docker.swarm.storage import SharedStorage
from stellars_docker.swarm.storage_ownership import adopt_legacy_directories, make_directory_hook
from stellars_docker.swarm.storage_work import SharedStorageNodeWork
from stellars_docker.swarm.volume_check import make_volume_check
from stellars_hub.hub_app import (
    every_once_started,
    running_hub,
    start_with_the_hub,
    started,
    stop_with_the_hub,
    with_the_application,
)
from stellars_hub.settings import HubSettings, SettingProblem, SettingsError
from stellars_ui.broadcasts.quota_notice import notify_quota_crossings
from stellars_ui.spawn_form import make_options_form, options_from_form

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

    from sqlalchemy.orm import Session

    from stellars_docker.node_work import NodeWork
    from stellars_hub.configure import PreSpawnHook
    from stellars_ui import PlatformContext

log = logging.getLogger(__name__)

LOCAL_SPAWNER_CLASS = "jupyterhub.spawner.SimpleLocalProcessSpawner"
SHARED_MOUNT_POINT = DEFAULT_SHARED_VOLUME.mount_point
NO_SHARED_VOLUME = "none"


def policy_settings(settings: HubSettings) -> PolicySettings:
    """Return the policy side of *settings*: the default policy and whether quotas refuse.

    Raises:
        SettingsError: the default policy's values contradict each other (a
            guarantee above its limit).
    """
    try:
        default = GroupPolicy.model_validate(
            {
                "cpu_limit": settings.cpu_limit or None,
                "cpu_guarantee": settings.cpu_guarantee or None,
                "mem_limit": settings.mem_limit or None,
                "mem_guarantee": settings.mem_guarantee or None,
                "gpus": settings.default_gpus,
                "volume_quota": settings.volume_quota or None,
                "volume_warning_percent": settings.volume_quota_warning
                if settings.volume_quota
                else None,
            }
        )
    except ValueError as error:
        raise SettingsError(
            [
                SettingProblem(
                    "JUPYTERHUB_CPU_GUARANTEE, JUPYTERHUB_MEM_GUARANTEE",
                    f"{settings.cpu_guarantee}, {settings.mem_guarantee}",
                    str(error).splitlines()[-1].strip(),
                )
            ]
        ) from None
    return PolicySettings(default=default, refuse_over_quota=bool(settings.volume_quota_enforced))


def configure_spawner(
    c: Any, settings: HubSettings, policy: PolicySettings
) -> tuple[PreSpawnHook | None, PreSpawnHook | None, DockerRuntime | None]:
    """Configure the spawner; return its hook parts (the policy, volume ownership), runtime.

    With the local spawner the policy part applies the server cap alone; the
    others are None. Every spawner gets the profile choice as its form.
    """
    # The profile choice, on every spawner: what it offers is the user's policy.
    c.Spawner.options_from_form = options_from_form
    if running_hub() is not None:
        # Policies apply on either spawner: a group's policy goes with the group.
        register_policy_lifecycle()
    if settings.spawner == "local":
        log.warning(
            "JUPYTERHUB_SPAWNER=local: servers run as processes of the hub's user, without "
            "containers or per-user volumes. Use it for a demo only."
        )
        c.JupyterHub.spawner_class = LOCAL_SPAWNER_CLASS
        if os.geteuid() == 0:
            c.Spawner.args = ["--allow-root"]
        c.Spawner.options_form = make_options_form(policy, gpus_available=False)
        # No container to shape, but the per-group server cap is a policy on the user.
        return make_cap_hook(policy), None, None
    c.JupyterHub.spawner_class = (
        SWARM_SPAWNER_CLASS if settings.spawner == "swarm" else SPAWNER_CLASS
    )
    docker_settings = DockerSettings(
        image=settings.notebook_image,
        network_name=settings.network_name,
        shared_volume=SharedVolume(settings.shared_volume, SHARED_MOUNT_POINT)
        if settings.shared_volume != NO_SHARED_VOLUME
        else None,
        start_timeout=settings.spawn_timeout,
        engine_timeout_s=settings.docker_timeout,
        restart_timeout_s=settings.restart_timeout,
        volume_size_interval_s=settings.volume_size_interval,
        volume_size_timeout_s=settings.volume_size_timeout,
        stats_interval_s=settings.stats_interval,
        cpu_limit=settings.cpu_limit or None,
        mem_limit=settings.mem_limit or None,
        environment=lab_service_toggles(settings),
    )
    if settings.spawner == "swarm":
        # The nodes advertise their GPUs to the swarm's scheduler; a probe
        # here would see only this node's. So only the operator's "1" turns
        # reservations on.
        gpu = GpuResolution(enabled=settings.gpu_enabled == 1, detected=False)
    else:
        gpu = detect_gpus(
            GpuMode(settings.gpu_enabled),
            image=settings.nvidia_image or settings.notebook_image,
            timeout_s=settings.gpu_probe_timeout,
        )
    spawner = spawner_config(docker_settings, gpu)
    for trait, value in spawner.items():
        setattr(c.DockerSpawner, trait, value)
    storage = shared_storage(settings)
    if settings.spawner == "swarm":
        # Each node finds the image itself when it starts a task; the
        # manager's engine need not hold it.
        c.SwarmSpawner.pull_policy = "skip"
    if storage is not None:
        c.SwarmSpawner.volume_options = dict(storage.options)
    # What every start begins from; the policy adds GPUs, limits, access and variables.
    base = SpawnBase(
        image=settings.notebook_image,
        volumes=spawner["volumes"],
        host_config={
            key: value
            for key, value in spawner["extra_host_config"].items()
            if key != "device_requests"
        },
        environment={
            key: value
            for key, value in spawner["environment"].items()
            if key not in GPU_ENVIRONMENT_FLAGS
        },
        gpus_available=gpu.enabled,
        name_template=docker_settings.name_template,
        gpu_resource=settings.swarm_gpu_resource if settings.spawner == "swarm" else "",
    )
    # Created at every start; an empty entry leaves existing members alone. An
    # entry the config file wrote before calling configure() stays as written:
    # the members it lists are the operator's grants.
    c.JupyterHub.load_groups = {
        **{group: {} for group in BUILTIN_GROUPS},
        **c.JupyterHub.get("load_groups", {}),
    }
    runtime = DockerRuntime(
        docker_settings,
        gpu,
        node_work=_agents(settings, storage) if settings.spawner == "swarm" else None,
    )
    c.Spawner.options_form = make_options_form(policy, gpus_available=gpu.enabled)
    start_with_the_hub(runtime.start)

    def volume_total(spawner: Any) -> int | None:
        return runtime.usage([spawner.user.name])[spawner.user.name].volumes_total_bytes

    apply_policy = make_policy_hook(base, policy, volume_total)
    stop_with_the_hub("the Docker engine's caches", runtime.stop)

    claim_volumes = _volume_ownership(c, settings, runtime, storage)
    return apply_policy, claim_volumes, runtime


def _volume_ownership(
    c: Any, settings: HubSettings, runtime: DockerRuntime, storage: SharedStorage | None
) -> PreSpawnHook | None:
    """Set up who owns which volume; return the hook part that claims a spawning user's, if any.

    Volumes older than the owner records are adopted once the hub runs.
    """
    user_volumes = runtime.settings.user_volumes
    limit_s = settings.docker_timeout

    async def client() -> Any:
        return runtime.client

    if storage is not None:
        # The volumes are directories the hub sees: it makes and claims them
        # before each server. The nodes are still asked before each server,
        # in case one keeps another account's volume object of the names.
        _install_volume_ownership(
            lambda db: adopt_at_start(
                lambda: adopt_legacy_directories(storage, db, user_volumes, limit_s), db
            )
        )
        c.SwarmSpawner.volume_check = _swarm_volume_check(runtime, user_volumes)
        shared = runtime.settings.shared_volume
        return make_directory_hook(
            storage, lambda _spawner: user_volumes, shared.name if shared else None, limit_s
        )
    _install_volume_ownership(
        lambda db: adopt_legacy_volumes_at_start(client, db, user_volumes, limit_s)
    )
    if settings.spawner == "swarm":
        # The volumes are on the nodes, not on this engine: every node's agent
        # is asked before each server, and the task creates them, labelled.
        c.SwarmSpawner.volume_check = _swarm_volume_check(runtime, user_volumes)
        return None
    return make_ownership_hook(client, lambda _spawner: user_volumes, limit_s)


def shared_storage(settings: HubSettings) -> SharedStorage | None:
    """Return the storage every swarm node shares for the volumes, or None for local volumes.

    Raises:
        SettingsError: the hub does not see the volumes' directories at their root.
    """
    if not settings.swarm_volume_options:
        return None
    root = Path(settings.swarm_volume_root)
    if not root.is_dir():
        raise SettingsError(
            [
                SettingProblem(
                    "JUPYTERHUB_SWARM_VOLUME_ROOT",
                    str(root),
                    "not a directory here: mount the storage of the volumes' directories into "
                    "the hub's container at this path",
                )
            ]
        )
    return SharedStorage(settings.swarm_volume_options, root)


def _swarm_volume_check(
    runtime: DockerRuntime, user_volumes: tuple[UserVolume, ...]
) -> Callable[[Any], Awaitable[Any]]:
    """Return what a swarm spawner asks before each server (``SwarmSpawner.volume_check``)."""
    check_volumes = make_volume_check(lambda: _node_agents(runtime), lambda _: user_volumes)

    async def check_before_start(spawner: Any) -> Any:
        # A user whose files are being moved starts once they are there.
        runtime.moves.refuse_while_moving(spawner.user.id)
        return await check_volumes(spawner)

    return check_before_start


def _node_agents(runtime: DockerRuntime) -> AgentClient:
    work = runtime.node_work
    # configure_spawner gave a swarm's runtime agents
    if not isinstance(work, AgentNodeWork | SharedStorageNodeWork):
        raise TypeError(f"a swarm's runtime works through its node agents, not {work!r}")
    return work.agents


def _agents(
    settings: HubSettings, storage: SharedStorage | None
) -> Callable[[Callable[[], Any]], NodeWork]:
    """Return how the runtime reaches the swarm's node agents (and the volumes' storage).

    Raises:
        SettingsError: the agents' secret file cannot be read or is empty.
    """
    path = Path(settings.swarm_agent_secret_file)
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        secret, reason = "", f"cannot be read ({error.strerror})"
    else:
        reason = "is empty"
    if not secret:
        raise SettingsError(
            [
                SettingProblem(
                    "JUPYTERHUB_SWARM_AGENT_SECRET_FILE",
                    str(path),
                    f"the node agents' secret file {reason}: with JUPYTERHUB_SPAWNER=swarm the "
                    "hub needs the secret the agents are given",
                )
            ]
        )
    agent_settings = AgentSettings(
        service=settings.swarm_agent_service,
        network=settings.swarm_agent_network,
        port=settings.swarm_agent_port,
        secret=secret,
        timeout_s=settings.docker_timeout,
    )
    if storage is not None:
        return lambda client: SharedStorageNodeWork(AgentClient(client, agent_settings), storage)
    return lambda client: AgentNodeWork(AgentClient(client, agent_settings))


def _install_volume_ownership(adopt_legacy: Callable[[Session], Awaitable[list[str]]]) -> None:
    """Record account deletions; once the hub runs, adopt (*adopt_legacy*) volumes older than it."""
    app = running_hub()
    if app is None:
        return
    # Before JupyterHub deletes its first user: the listener writes in the
    # hub's own delete transaction, into the tables upgrade_platform made.
    register_account_deletes()

    async def adopt() -> None:
        hub_started = started(app)
        if hub_started is not None:
            await hub_started
        await adopt_legacy(app.db)

    start_with_the_hub(lambda: asyncio.ensure_future(adopt()))


def configure_grants() -> None:
    """Record Docker-access grants, so that only those from full admins are honoured."""
    app = running_hub()
    if app is None:
        return
    # Before JupyterHub loads its groups and users: their changes are recorded.
    # Every group's memberships: any group's policy may grant Docker access.
    recorder = GrantRecorder(groups=None)
    recorder.install()

    def before_serving(app: Any) -> None:
        capture_granters(app.tornado_application)
        # From now on a change made outside an authenticated API request is nobody's grant.
        recorder.loading_configuration = False
        record_configured_members(app.db, configured_members(app.load_groups))

    with_the_application(before_serving)


def configured_members(load_groups: Any) -> dict[str, list[str]]:
    """Return the members ``c.JupyterHub.load_groups`` lists for each group (both its forms)."""
    members = {}
    for name, contents in dict(load_groups or {}).items():
        listed = contents.get("users", []) if isinstance(contents, dict) else contents
        members[name] = list(listed)
    return members


def configure_quota_notices(
    settings: HubSettings, context: PlatformContext, policy: PolicySettings
) -> None:
    """Tell users, by a broadcast into their lab, when their volumes cross their quota."""
    app = running_hub()
    runtime = context.docker
    if app is None or runtime is None:
        return

    async def notify(_moment: datetime) -> None:
        await notify_quota_crossings(app.db, app.users, runtime, policy, context.ui.broadcasts)

    # As often as the sizes are measured: a crossing is told within two intervals.
    every_once_started("quota notices", settings.volume_size_interval, notify)


def lab_service_toggles(settings: HubSettings) -> dict[str, str]:
    """Return the lab image's service toggles, under the names the image reads ("0" or "1")."""
    return {
        "JUPYTERHUB_SERVICE_MLFLOW": str(settings.service_mlflow),
        "JUPYTERHUB_SERVICE_RESOURCES_MONITOR": str(settings.service_resources_monitor),
        "JUPYTERHUB_SERVICE_TENSORBOARD": str(settings.service_tensorboard),
    }

"""``make_pre_spawn_hook`` and ``schedule_startup_favicon_callback``: work around each spawn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import docker

from stellars_core.migrations import upgrade
from stellars_docker import (
    UserVolume,
    make_ownership_hook,
    register_account_deletes,
)
from stellars_docker.engine import call_engine
from stellars_docker.gpu import GPU_ENVIRONMENT_FLAGS
from stellars_docker.policy import GroupPolicy, PolicySettings, SpawnBase, make_policy_hook
from stellars_docker.schema import HISTORY as DOCKER_HISTORY
from stellars_hub.configure import composed_hook
from stellars_hub.hub_app import running_hub, start_with_the_hub
from stellars_hub.original.completion import record
from stellars_hub.original.groups import create_missing_groups
from stellars_hub.original.volumes import user_volumes_of
from stellars_ui import Branding, branding_pre_spawn_hook, load_asset

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping

# Seconds an engine call of the volume-ownership check may take.
ENGINE_TIMEOUT_S = 30.0


def make_pre_spawn_hook(
    branding: Mapping[str, Any], builtin_groups: Iterable[str], favicon_uri: str = ""
) -> Callable[[Any], Awaitable[None] | None]:
    """Return the pre-spawn hook: built-in groups, Docker access, favicon routes, lab icons.

    *branding* is what :func:`setup_branding` returned; *favicon_uri* an
    external favicon's URL when *branding* has none. Before each spawn the
    hook makes sure *builtin_groups* exist, applies the user's group policy
    (limits, GPUs, environment, profiles, Docker access, server cap: see
    :func:`configured_policy_base`), routes the lab's favicons to the hub and
    tells the lab where its icons are.
    """
    images = getattr(branding, "images", None) or Branding()
    if images.favicon is None and favicon_uri.startswith(("http://", "https://")):
        images = Branding(
            logo=images.logo,
            # An URL: no file is read, so no folder confines it.
            favicon=load_asset(favicon_uri, Path.cwd()),
            lab_main_icon=images.lab_main_icon,
            lab_splash_icon=images.lab_splash_icon,
        )
    groups = tuple(builtin_groups)

    async def apply_policy(spawner: Any) -> None:
        if not hasattr(spawner, "extra_host_config"):  # not a DockerSpawner
            return
        # Rebuilt from the spawner's configured values at each start, never from
        # what an earlier start of this spawner set.
        base, settings = configured_policy_base(spawner)
        await make_policy_hook(base, settings)(spawner)

    async def ensure_groups(spawner: Any) -> None:
        create_missing_groups(spawner.user.db, groups)

    return composed_hook(
        ensure_groups,
        apply_policy,
        branding_pre_spawn_hook(images),
        # Last, as configure() has it: it creates volumes, which only a spawn
        # that goes ahead should do.
        _volume_ownership_hook(),
    )


def configured_policy_base(spawner: Any) -> tuple[SpawnBase, PolicySettings]:
    """Return what a policy starts from in an original-style config: the configured spawner.

    The base is ``c.DockerSpawner``'s image, volumes, host config and
    environment without the GPU parts; the default policy (users in no
    group with a policy) keeps the configured ``cpu_limit`` and
    ``mem_limit``, and all GPUs when the config gave every container them,
    so a config without group policies starts what it started before.

    Raises:
        ValueError: the configured values grant Docker access to everyone
            (the socket mounted or ``privileged`` set), or limits a policy
            cannot hold.
    """
    configured = spawner.config.DockerSpawner
    host_config = dict(configured.get("extra_host_config", {}))
    environment = dict(configured.get("environment", {}))
    gpus_on = (
        bool(host_config.pop("device_requests", None))
        or str(environment.get("ENABLE_GPU_SUPPORT", "0")) == "1"
    )
    base = SpawnBase(
        image=configured.get("image", spawner.trait_defaults("image")),
        volumes=configured.get("volumes", {}),
        host_config=host_config,
        environment={
            name: str(value)
            for name, value in environment.items()
            if name not in GPU_ENVIRONMENT_FLAGS
        },
        gpus_available=gpus_on,
    )
    default = GroupPolicy.model_validate(
        {
            "cpu_limit": configured.get("cpu_limit"),
            "mem_limit": configured.get("mem_limit"),
            "gpus": "all" if gpus_on else None,
        },
        strict=False,
    )
    return base, PolicySettings(default=default)


def _volume_ownership_hook() -> Callable[[Any], Awaitable[None]]:
    """Return the hook part that claims a user's volumes, as ``configure()`` adds it."""
    app = running_hub()
    if app is not None:

        def install() -> None:
            # The config file has set db_url by now; the hub deletes no user before.
            upgrade(app.db_url, [DOCKER_HISTORY])
            register_account_deletes()

        start_with_the_hub(install)
    clients: list[docker.DockerClient] = []

    async def client() -> docker.DockerClient:
        if not clients:
            clients.append(await call_engine(ENGINE_TIMEOUT_S, docker.from_env))
        return clients[0]

    claim = make_ownership_hook(client, _user_volumes, ENGINE_TIMEOUT_S)

    async def claim_volumes(spawner: Any) -> None:
        if hasattr(spawner, "extra_host_config"):  # a DockerSpawner: it mounts volumes
            await claim(spawner)

    return claim_volumes


def _user_volumes(spawner: Any) -> tuple[UserVolume, ...]:
    return user_volumes_of(spawner.config.DockerSpawner.get("volumes", {}))


def schedule_startup_favicon_callback(favicon_uri: str = "") -> None:
    """Route the favicons of servers still running when the hub restarts, once it has started.

    The platform does this whenever a favicon is configured; this call
    names it when :func:`setup_branding` did not.
    """
    if favicon_uri:
        record(JUPYTERHUB_FAVICON_URI=favicon_uri)

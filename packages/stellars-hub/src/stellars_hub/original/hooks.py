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
from stellars_docker import make_pre_spawn_hook as docker_access_hook
from stellars_docker.engine import call_engine
from stellars_docker.schema import HISTORY as DOCKER_HISTORY
from stellars_hub.configure import composed_hook
from stellars_hub.hub_app import running_hub, start_with_the_hub
from stellars_hub.original.completion import record
from stellars_hub.original.groups import create_missing_groups
from stellars_hub.original.volumes import USER_VOLUME_PREFIX, get_user_volume_suffixes
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
    hook makes sure *builtin_groups* exist, gives the user's container the
    Docker access their groups grant (from the spawner's configured volumes
    and host config), routes the lab's favicons to the hub and tells the lab
    where its icons are.
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

    async def ensure_docker_access(spawner: Any) -> None:
        if not hasattr(spawner, "extra_host_config"):  # not a DockerSpawner
            return
        # From the spawner's configured values, never from what an earlier
        # spawn of this spawner changed.
        configured = spawner.config.DockerSpawner
        grant = docker_access_hook(
            base_volumes=configured.get("volumes", {}),
            base_host_config=configured.get("extra_host_config", {}),
        )
        await grant(spawner)

    async def ensure_groups(spawner: Any) -> None:
        create_missing_groups(spawner.user.db, groups)

    return composed_hook(
        ensure_groups,
        ensure_docker_access,
        branding_pre_spawn_hook(images),
        # Last, as configure() has it: it creates volumes, which only a spawn
        # that goes ahead should do.
        _volume_ownership_hook(),
    )


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
    configured = spawner.config.DockerSpawner.get("volumes", {})
    return tuple(
        UserVolume(suffix, f"{USER_VOLUME_PREFIX}{suffix}", _mount_point(configured, suffix), "")
        for suffix in get_user_volume_suffixes(configured)
    )


def _mount_point(configured: Mapping[str, Any], suffix: str) -> str:
    target = configured[f"{USER_VOLUME_PREFIX}{suffix}"]
    # DockerSpawner takes a mount point or a {"bind": ..., "mode": ...} mapping.
    return str(target["bind"] if isinstance(target, dict) else target)


def schedule_startup_favicon_callback(favicon_uri: str = "") -> None:
    """Route the favicons of servers still running when the hub restarts, once it has started.

    The platform does this whenever a favicon is configured; this call
    names it when :func:`setup_branding` did not.
    """
    if favicon_uri:
        record(JUPYTERHUB_FAVICON_URI=favicon_uri)

"""Docker-access groups: which users' lab containers get the engine or privileges.

Two built-in JupyterHub groups grant Docker access to their members' lab containers:

- ``docker-sock``: the host's Docker socket is bind-mounted into the container;
- ``docker-privileged``: the container runs privileged.

**Either group gives its members root on the host.** With the socket a user
can start a container that mounts the host's ``/``; a privileged container
can reach the host's devices and kernel. Add only people who may administer
the host.

Membership is read at every spawn, so a revoked membership takes the access
away at the next start of the server. Membership alone grants nothing: the
pre-spawn hook honours it only when a full admin granted it
(:mod:`stellars_docker.grants` records who did); any other is ignored, with a
log line saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# The group names are defined next to the grant records; importable from here as before.
from stellars_docker.grants import (
    BUILTIN_GROUPS,
    DOCKER_PRIVILEGED_GROUP,
    DOCKER_SOCK_GROUP,
    honoured_groups,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping

__all__ = [
    "BUILTIN_GROUPS",
    "DEFAULT_SOCKET_PATH",
    "DOCKER_PRIVILEGED_GROUP",
    "DOCKER_SOCK_GROUP",
    "DockerGrants",
    "apply_docker_access",
    "grants_for",
    "make_pre_spawn_hook",
]

DEFAULT_SOCKET_PATH = "/var/run/docker.sock"


@dataclass(frozen=True)
class DockerGrants:
    """The Docker access a user's lab container gets (each one is root on the host)."""

    socket: bool = False
    privileged: bool = False


def grants_for(group_names: Iterable[str]) -> DockerGrants:
    """Return the Docker access that membership of *group_names* grants.

    Raises:
        TypeError: *group_names* is a single string (its letters are no groups).
    """
    if isinstance(group_names, str):
        raise TypeError("grants_for takes an iterable of group names, not one string")
    names = set(group_names)
    return DockerGrants(
        socket=DOCKER_SOCK_GROUP in names, privileged=DOCKER_PRIVILEGED_GROUP in names
    )


def apply_docker_access(
    spawner: Any,
    *,
    groups: Iterable[str],
    base_volumes: Mapping[str, Any],
    base_host_config: Mapping[str, Any],
    socket_path: str = DEFAULT_SOCKET_PATH,
) -> DockerGrants:
    """Set *spawner*'s mounts and host config from *groups*; return the grants.

    *groups* are the user's groups the spawn honours (see
    :func:`stellars_docker.grants.honoured_groups`), not every membership.

    DockerSpawner keeps one spawner per user across spawns, so every value is
    rebuilt from *base_volumes* and *base_host_config* (what
    ``c.DockerSpawner.volumes`` and ``c.DockerSpawner.extra_host_config`` would
    otherwise be, GPU device requests included): a grant from an earlier spawn
    never survives a revoked membership. The socket is bind-mounted at
    *socket_path* in the container too; ``privileged`` is always set, to
    False without the grant.

    The spawner's ``user_options`` are emptied: they are what a user submits
    (the spawn form, the query string, the body of a REST start), and the
    platform offers no options. DockerSpawner reads one of them itself, in
    ``start()`` after this hook: ``image``, which it would run when
    ``allowed_images`` lists it and refuses with HTTP 400 otherwise. Emptied,
    the configured image always runs. JupyterHub's ``apply_user_options``
    (5.3+) runs before this hook and must stay unset.

    Raises:
        ValueError: the base configuration grants access already (mounts
            *socket_path* or sets ``privileged``): membership would not matter.
    """
    _check_base(base_volumes, base_host_config, socket_path)
    grants = grants_for(groups)
    volumes = dict(base_volumes)
    if grants.socket:
        # A volumes key that is an absolute path is a bind of that host path.
        volumes[socket_path] = socket_path
    spawner.volumes = volumes
    spawner.extra_host_config = {**base_host_config, "privileged": grants.privileged}
    spawner.user_options = {}
    return grants


def _check_base(
    base_volumes: Mapping[str, Any], base_host_config: Mapping[str, Any], socket_path: str
) -> None:
    if socket_path in base_volumes:
        raise ValueError(
            f"the base volumes mount {socket_path} for everyone; leave it to the "
            f"{DOCKER_SOCK_GROUP} group"
        )
    if "privileged" in base_host_config:
        raise ValueError(
            f"the base host config sets privileged; leave it to the {DOCKER_PRIVILEGED_GROUP} group"
        )


def make_pre_spawn_hook(
    base_volumes: Mapping[str, Any],
    base_host_config: Mapping[str, Any],
    *,
    socket_path: str = DEFAULT_SOCKET_PATH,
) -> Callable[[Any], Awaitable[None]]:
    """Return a ``c.Spawner.pre_spawn_hook`` that applies :func:`apply_docker_access`.

    The hook runs on the hub's event loop before every spawn, where reading
    the user's groups from the database is allowed. Of the Docker-access
    groups it honours only memberships a full admin granted (others are
    ignored and logged, see :func:`stellars_docker.grants.honoured_groups`).
    It logs the access it grants, since each grant is root on the host.

    Raises:
        ValueError: the base configuration grants access already (see
            :func:`apply_docker_access`); checked here, at config load, too.
    """
    _check_base(base_volumes, base_host_config, socket_path)
    # Copies: a caller changing its dicts later must not change what every spawn starts from.
    volumes, host_config = dict(base_volumes), dict(base_host_config)

    async def pre_spawn_hook(spawner: Any) -> None:
        user = spawner.user
        groups = {group.name for group in user.groups}
        if not groups.isdisjoint(BUILTIN_GROUPS):  # no grant to check otherwise
            groups = honoured_groups(user.db, user, groups)
        grants = apply_docker_access(
            spawner,
            groups=groups,
            base_volumes=volumes,
            base_host_config=host_config,
            socket_path=socket_path,
        )
        if grants.socket or grants.privileged:
            spawner.log.info(
                "Docker access for %r (root on the host): socket=%s, privileged=%s",
                spawner.user.name,
                grants.socket,
                grants.privileged,
            )

    return pre_spawn_hook

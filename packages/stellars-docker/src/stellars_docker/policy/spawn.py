"""What a server started under an effective policy gets, and what refuses the start.

Pure functions: :func:`choose_profile` reads what the user submitted,
:func:`plan_spawn` turns the policy and the profile into DockerSpawner
values, :func:`apply_plan` sets them on a spawner. DockerSpawner keeps one
spawner per user across starts, so every value is rebuilt from the
configured base at each start: nothing of an earlier start's policy
survives a change.

Nothing a user submits reaches the container except the name of one of the
profiles their policy offers: no image, mount, device, privilege or
variable of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import docker.types

from stellars_docker.gpu import GPU_ENVIRONMENT_FLAGS
from stellars_docker.policy.merge import gpu_grant
from stellars_docker.policy.model import DockerAccess

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stellars_docker.policy.merge import EffectivePolicy, GpuGrant
    from stellars_docker.policy.model import Profile

PROFILE_OPTION = "profile"
DEFAULT_SOCKET_PATH = "/var/run/docker.sock"
# Docker's default CPU weight: a guarantee of one core is this many shares.
SHARES_PER_CORE = 1024


class SpawnRefusedError(Exception):
    """A start the policy does not allow; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def choose_profile(policy: EffectivePolicy, user_options: Mapping[str, Any]) -> Profile | None:
    """Return the profile *user_options* choose among *policy*'s (None: the policy offers none).

    The only option is ``profile``; with none given, the policy's default
    profile is used.

    Raises:
        SpawnRefusedError: 400 for any other option, a profile that is not a
            string, or one the policy does not offer (the message names what
            is allowed).
    """
    offered = [entry.profile.name for entry in policy.profiles]
    allowed = ", ".join(offered) if offered else "none: your groups offer no profiles"
    unknown = sorted(str(name) for name in user_options if name != PROFILE_OPTION)
    if unknown:
        raise SpawnRefusedError(
            HTTPStatus.BAD_REQUEST,
            f"Unknown server option(s): {', '.join(unknown)}. The only option is "
            f"{PROFILE_OPTION!r}, one of the profiles you may choose ({allowed}).",
        )
    choice = user_options.get(PROFILE_OPTION)
    if isinstance(choice, list) and len(choice) == 1:  # a form field arrives as a list
        choice = choice[0]
    if choice is None or choice == "":
        return policy.profile(policy.default_profile) if policy.default_profile else None
    if not isinstance(choice, str) or policy.profile(choice) is None:
        raise SpawnRefusedError(
            HTTPStatus.BAD_REQUEST,
            f"Profile {choice!r} is not one you may choose; allowed: {allowed}.",
        )
    return policy.profile(choice)


@dataclass(frozen=True)
class SpawnBase:
    """What every server starts from: the configured DockerSpawner values before any policy.

    Attributes:
        image: the configured image (a profile replaces it).
        volumes: ``DockerSpawner.volumes`` as configured.
        host_config: ``DockerSpawner.extra_host_config`` as configured,
            without GPU device requests (the policy's GPUs add them).
        environment: ``DockerSpawner.environment`` as configured, without
            the GPU flags (the policy's GPUs set them).
        gpus_available: whether the engine has GPUs to give (the operator's
            GPU switch and detection); without, no policy grants any.
        socket_path: where the Docker socket is, on the host and in the lab.
        name_template: ``DockerSpawner.name_template`` of a user's default
            server; a named server's container adds ``--{servername}`` to it
            (as DockerSpawner's own default does), so two servers of one
            user never share a container name.
        gpu_resource: on a Docker Swarm, the generic resource kind its nodes
            advertise their GPUs as (``NVIDIA-GPU``): a policy's GPUs become a
            reservation of that many, and the scheduler picks the node and
            the devices. Empty: one engine, GPUs as device requests.
    """

    image: str
    volumes: Mapping[str, Any] = field(default_factory=dict)
    host_config: Mapping[str, Any] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)
    gpus_available: bool = False
    socket_path: str = DEFAULT_SOCKET_PATH
    name_template: str = ""
    gpu_resource: str = ""

    @property
    def on_a_swarm(self) -> bool:
        """Whether the servers are swarm services (a swarm's base names its GPU resource)."""
        return bool(self.gpu_resource)

    def __post_init__(self) -> None:
        """Refuse a base that grants Docker access to everyone: membership would not matter.

        Raises:
            ValueError: the base mounts the socket or sets ``privileged``.
        """
        if self.socket_path in self.volumes:
            raise ValueError(
                f"the base volumes mount {self.socket_path} for everyone; grant it with a "
                "group policy's docker_access (the docker-sock group)"
            )
        if "privileged" in self.host_config:
            raise ValueError(
                "the base host config sets privileged; grant it with a group policy's "
                "docker_access (the docker-privileged group)"
            )


@dataclass(frozen=True)
class SpawnPlan:
    """The DockerSpawner values of one start (see :func:`apply_plan`)."""

    image: str
    profile: str | None
    cpu_limit: float | None
    mem_limit: int | None
    volumes: dict[str, Any]
    host_config: dict[str, Any]
    environment: dict[str, str]
    docker_access: DockerAccess
    fingerprint: str
    # What the server is guaranteed: reservations a swarm places it by (a
    # single engine gets them as host config above, and ignores these).
    cpu_guarantee: float | None = None
    mem_guarantee: int | None = None
    # On a swarm: (kind, count) of each generic resource the server reserves.
    generic_resources: tuple[tuple[str, int], ...] = ()


def plan_spawn(policy: EffectivePolicy, profile: Profile | None, base: SpawnBase) -> SpawnPlan:
    """Return the values a server started under *policy* with *profile* gets.

    A profile's image replaces the configured one, and each resource it sets
    replaces the policy's. Guarantees become Docker's soft reservations: the
    memory guarantee ``mem_reservation``, the CPU guarantee a CPU weight
    (``cpu_shares``, 1024 a core) that counts only when cores are contended.
    """
    values = dict(policy.values)
    gpus = policy.gpus
    if profile is not None:
        for name in ("cpu_limit", "cpu_guarantee", "mem_limit", "mem_guarantee"):
            if getattr(profile, name) is not None:
                values[name] = getattr(profile, name)
        if profile.gpus is not None:
            gpus = gpu_grant(profile.gpus)
    host_config = dict(base.host_config)
    if "mem_guarantee" in values:
        host_config["mem_reservation"] = int(values["mem_guarantee"])
    if "cpu_guarantee" in values:
        host_config["cpu_shares"] = max(2, round(values["cpu_guarantee"] * SHARES_PER_CORE))
    environment = dict(base.environment)
    environment.update(
        {name: variable.value or "" for name, variable in policy.environment.items()}
    )
    generic_resources = _give_gpus(gpus, base, host_config, environment)
    volumes = dict(base.volumes)
    if policy.docker_access is DockerAccess.SOCKET:
        # A volumes key that is an absolute path is a bind of that host path.
        volumes[base.socket_path] = base.socket_path
    if policy.docker_access is DockerAccess.PRIVILEGED and base.on_a_swarm:
        # A swarm service has no privileged mode: the server would start
        # without the access the user was granted, and nobody would know.
        raise SpawnRefusedError(
            HTTPStatus.CONFLICT,
            "Your groups grant Docker access as a privileged container, which a Docker Swarm "
            "cannot run: its services are never privileged. An admin can grant Docker socket "
            "access (the docker-sock group) instead.",
        )
    host_config["privileged"] = policy.docker_access is DockerAccess.PRIVILEGED
    cpu_limit = values.get("cpu_limit")
    mem_limit = values.get("mem_limit")
    cpu_guarantee = values.get("cpu_guarantee")
    mem_guarantee = values.get("mem_guarantee")
    return SpawnPlan(
        image=profile.image if profile is not None else base.image,
        profile=profile.name if profile is not None else None,
        cpu_limit=float(cpu_limit) if cpu_limit is not None else None,
        mem_limit=int(mem_limit) if mem_limit is not None else None,
        volumes=volumes,
        host_config=host_config,
        environment=environment,
        docker_access=policy.docker_access,
        fingerprint=policy.fingerprint(),
        cpu_guarantee=float(cpu_guarantee) if cpu_guarantee is not None else None,
        mem_guarantee=int(mem_guarantee) if mem_guarantee is not None else None,
        generic_resources=generic_resources,
    )


def _give_gpus(
    gpus: GpuGrant, base: SpawnBase, host_config: dict[str, Any], environment: dict[str, str]
) -> tuple[tuple[str, int], ...]:
    """Add what gives a server *gpus* to its host config and environment.

    Returns the generic resources a swarm service reserves for them (none
    on one engine, where a device request does it).
    """
    granted = base.gpus_available and gpus.any
    environment.update(dict.fromkeys(GPU_ENVIRONMENT_FLAGS, "1" if granted else "0"))
    if not granted:
        return ()
    if base.gpu_resource:
        return ((base.gpu_resource, swarm_gpu_count(gpus)),)
    host_config["device_requests"] = [gpu_request(gpus)]
    if gpus.devices:
        environment["NVIDIA_VISIBLE_DEVICES"] = ",".join(gpus.devices)
    return ()


def gpu_request(gpus: GpuGrant) -> docker.types.DeviceRequest:
    """Return the device request that gives a container exactly *gpus*.

    ``all`` is every GPU (``count=-1``), a count that many of the engine's
    choosing, devices those by index or UUID.
    """
    if gpus.devices:
        return docker.types.DeviceRequest(device_ids=list(gpus.devices), capabilities=[["gpu"]])
    return docker.types.DeviceRequest(count=-1 if gpus.all else gpus.count, capabilities=[["gpu"]])


def swarm_gpu_count(gpus: GpuGrant) -> int:
    """Return how many GPUs a swarm service reserves for *gpus*.

    A swarm reserves generic resources by count; its scheduler picks the node
    and which of the node's GPUs, and the node's NVIDIA runtime shows the
    container those. So specific devices count as that many GPUs, and "all"
    (every GPU of whichever node) cannot be said.

    Raises:
        SpawnRefusedError: 409 for "all".
    """
    if gpus.all:
        raise SpawnRefusedError(
            HTTPStatus.CONFLICT,
            'Your groups grant "all" GPUs, which a Docker Swarm cannot reserve: it reserves '
            "a number of GPUs. An admin can set the group's GPUs to a number.",
        )
    return len(gpus.devices) or gpus.count


def server_name_template(base: SpawnBase, server_name: str) -> str | None:
    """Return the container name template of the server *server_name* (None: leave it)."""
    if not base.name_template:
        return None
    return f"{base.name_template}--{{servername}}" if server_name else base.name_template


def apply_plan(spawner: Any, plan: SpawnPlan, base: SpawnBase | None = None) -> None:
    """Set *plan* on a DockerSpawner, replacing whatever an earlier start left there.

    The spawner's ``user_options`` keep only the profile chosen: DockerSpawner
    reads ``image`` from them itself, so nothing else may stay. With *base*,
    a named server gets a container name of its own.
    """
    template = server_name_template(base, spawner.name) if base is not None else None
    if template is not None:
        spawner.name_template = template
    spawner.image = plan.image
    spawner.cpu_limit = plan.cpu_limit
    spawner.mem_limit = plan.mem_limit
    spawner.cpu_guarantee = plan.cpu_guarantee
    spawner.mem_guarantee = plan.mem_guarantee
    spawner.volumes = plan.volumes
    spawner.extra_host_config = plan.host_config
    if hasattr(spawner, "extra_resources_spec"):
        # A swarm's spawner: reservations are the service's, not host config.
        # The operator's own resource values stay; the generic ones are the policy's.
        resources = dict(spawner.extra_resources_spec)
        resources.pop("generic_resources", None)
        if plan.generic_resources:
            resources["generic_resources"] = [
                {"DiscreteResourceSpec": {"Kind": kind, "Value": count}}
                for kind, count in plan.generic_resources
            ]
        spawner.extra_resources_spec = resources
    spawner.environment = plan.environment
    spawner.user_options = {PROFILE_OPTION: plan.profile} if plan.profile else {}

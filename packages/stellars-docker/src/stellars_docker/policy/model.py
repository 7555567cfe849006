"""What one group's policy says: resources, GPUs, environment, profiles, Docker access, caps.

Every field is optional: a field a policy leaves out says nothing, and the
user gets it from their other groups or from the platform's default policy
(see :mod:`stellars_docker.policy.merge`). The models are strict (``"2"`` is
not 2, no unknown field) and frozen; the API answers and accepts them as
they are, so the schema is written once, here.

Memory is counted in bytes; the API also takes JupyterHub's notation
(``512M``, ``4G``: powers of 1024) and answers bytes.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

# JupyterHub's byte suffixes (Spawner.mem_limit): powers of 1024.
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_BYTES_TEXT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([KMGT]?)$")
MAX_BYTES = 1024**5  # a pebibyte: anything larger is a typo
MIN_MEMORY = 6 * 1024**2  # Docker refuses a memory limit under 6 MiB

# Names a policy cannot set: the hub sets them for the server (its token, URLs,
# identity), and the GPUs a container sees come from the policy's gpus field.
RESERVED_ENVIRONMENT = re.compile(r"^(JUPYTERHUB_(?!SERVICE_)|JPY_|NVIDIA_VISIBLE_DEVICES$)")
ENVIRONMENT_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
PROFILE_NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
# A local image reference: repository[:tag] or repository@sha256:digest.
IMAGE_REFERENCE = (
    r"^[a-z0-9][a-z0-9._/-]{0,254}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})?$"
)
# A GPU as nvidia-smi names it: its index, or its UUID.
GPU_DEVICE = r"^([0-9]{1,3}|GPU-[0-9a-fA-F-]{8,64})$"


def _bytes(value: object) -> object:
    if isinstance(value, str):
        match = _BYTES_TEXT.match(value.strip().upper())
        if match is None:
            raise ValueError("a number of bytes, or a size such as 512M or 4G (powers of 1024)")
        number, unit = match.groups()
        return int(float(number) * _UNITS[unit])
    return value


Bytes = Annotated[
    int,
    BeforeValidator(_bytes),
    Field(ge=1, le=MAX_BYTES),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?[KMGTkmgt]?$"},
            ],
            "description": "bytes, or a size such as 512M or 4G (powers of 1024); "
            "answered as bytes",
        }
    ),
]
# The range before the validator: after it, pydantic cannot write the range as
# JSON Schema (it would leak as "gt"/"le" keys the API's document ignores).
CpuCount = Annotated[
    float, Field(gt=0, le=1024), BeforeValidator(lambda v: float(v) if type(v) is int else v)
]
DeviceId = Annotated[str, StringConstraints(pattern=GPU_DEVICE)]
# A JSON array arrives as a list; the frozen models keep tuples.
AS_TUPLE = BeforeValidator(lambda v: tuple(v) if isinstance(v, list) else v)


class DockerAccess(StrEnum):
    """The Docker access a group's members' containers get; either grant is root on the host."""

    NONE = "none"
    SOCKET = "socket"
    PRIVILEGED = "privileged"


# Strongest last: when groups disagree, the strongest honoured grant applies.
ACCESS_ORDER = (DockerAccess.NONE, DockerAccess.SOCKET, DockerAccess.PRIVILEGED)

# What a policy's gpus field holds: none, all, how many, or which ones.
GpuSpec = Annotated[
    Literal["none", "all"]
    | Annotated[int, Field(ge=1, le=64)]
    | Annotated[tuple[DeviceId, ...], Field(min_length=1, max_length=64), AS_TUPLE],
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "enum": ["none", "all"]},
                {"type": "integer", "minimum": 1, "maximum": 64},
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": GPU_DEVICE},
                    "minItems": 1,
                    "maxItems": 64,
                },
            ],
            "description": '"none", "all", a count, or GPU indices/UUIDs from the inventory',
        }
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class EnvironmentVariable(_Strict):
    """A variable the members' containers get. A secret one is never answered back.

    In an answer a secret's ``value`` is null; in a body, a secret with a null
    ``value`` keeps the value stored for that name (so a page can save a
    policy it never saw the secret of).
    """

    name: Annotated[str, StringConstraints(pattern=ENVIRONMENT_NAME)]
    value: Annotated[str, StringConstraints(max_length=4096)] | None = None
    secret: bool = False

    @model_validator(mode="after")
    def _check(self) -> Self:
        if RESERVED_ENVIRONMENT.match(self.name):
            raise ValueError(
                f"{self.name} is set by the hub (JUPYTERHUB_*, JPY_*) or by the gpus field "
                "(NVIDIA_VISIBLE_DEVICES); JUPYTERHUB_SERVICE_* toggles are allowed"
            )
        if self.value is None and not self.secret:
            raise ValueError(f"{self.name} needs a value (only a secret may keep its stored one)")
        return self


class Resources(_Strict):
    """CPU, memory and GPUs: what a group's policy and a profile both say."""

    cpu_limit: CpuCount | None = None
    cpu_guarantee: CpuCount | None = None
    mem_limit: Annotated[Bytes, Field(ge=MIN_MEMORY)] | None = None
    mem_guarantee: Bytes | None = None
    gpus: GpuSpec | None = None

    @model_validator(mode="after")
    def _guarantees_within_limits(self) -> Self:
        if _above(self.cpu_guarantee, self.cpu_limit):
            raise ValueError("cpu_guarantee is above cpu_limit")
        if _above(self.mem_guarantee, self.mem_limit):
            raise ValueError("mem_guarantee is above mem_limit")
        if isinstance(self.gpus, tuple) and len(set(self.gpus)) != len(self.gpus):
            raise ValueError("gpus names a device twice")
        return self


def _above(guarantee: float | None, limit: float | None) -> bool:
    return guarantee is not None and limit is not None and guarantee > limit


class Profile(Resources):
    """A server its members may choose: an image with its resources and a description.

    The profile's resources replace the group's for a server started with it.
    """

    name: Annotated[str, StringConstraints(pattern=PROFILE_NAME)]
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    image: Annotated[str, StringConstraints(pattern=IMAGE_REFERENCE)]


class GroupPolicy(Resources):
    """One group's policy. Every field is optional; ``priority`` orders groups that disagree.

    Attributes:
        priority: among a user's groups, the higher one's environment
            variables and default profile win (ties: the group name first
            in alphabetical order).
        environment: variables the members' containers get.
        profiles: the servers the members may choose from.
        default_profile: the profile offered first; one of ``profiles``.
        docker_access: Docker access for the members (root on the host);
            it counts only when a full admin wrote it and granted the
            membership.
        max_servers: servers a member may run at once.
        volume_quota: bytes a member's volumes may hold together.
        volume_warning_percent: the share of the quota at which the member
            is warned.
    """

    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0
    environment: Annotated[tuple[EnvironmentVariable, ...], Field(max_length=200), AS_TUPLE] = ()
    profiles: Annotated[tuple[Profile, ...], Field(max_length=50), AS_TUPLE] = ()
    default_profile: Annotated[str, StringConstraints(pattern=PROFILE_NAME)] | None = None
    # Not strict: a JSON body names the access as text ("socket"), never an enum instance.
    docker_access: Annotated[DockerAccess, Field(strict=False)] | None = None
    max_servers: Annotated[int, Field(ge=0, le=1000)] | None = None
    volume_quota: Bytes | None = None
    volume_warning_percent: Annotated[int, Field(ge=1, le=100)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [variable.name for variable in self.environment]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"environment sets {', '.join(repeated)} more than once")
        profiles = [profile.name for profile in self.profiles]
        repeated = sorted({name for name in profiles if profiles.count(name) > 1})
        if repeated:
            raise ValueError(f"profiles define {', '.join(repeated)} more than once")
        if self.default_profile is not None and self.default_profile not in profiles:
            raise ValueError(
                f"default_profile {self.default_profile!r} is not one of this policy's "
                f"profiles ({', '.join(profiles) or 'none defined'})"
            )
        if self.volume_warning_percent is not None and self.volume_quota is None:
            raise ValueError("volume_warning_percent needs a volume_quota")
        return self

    def with_secrets_from(self, stored: GroupPolicy | None) -> GroupPolicy:
        """Return this policy with each secret left null filled from *stored*.

        Raises:
            ValueError: a secret left null has no stored value to keep.
        """
        kept = {
            variable.name: variable.value
            for variable in (stored.environment if stored else ())
            if variable.secret
        }
        environment = []
        for variable in self.environment:
            if variable.value is not None:
                environment.append(variable)
                continue
            if kept.get(variable.name) is None:
                raise ValueError(
                    f"environment: the secret {variable.name} has no stored value to "
                    "keep; give its value"
                )
            environment.append(variable.model_copy(update={"value": kept[variable.name]}))
        return self.model_copy(update={"environment": tuple(environment)})

    def masked(self) -> GroupPolicy:
        """Return this policy with every secret's value removed, as answers and pages show it."""
        return self.model_copy(
            update={
                "environment": tuple(
                    variable.model_copy(update={"value": None}) if variable.secret else variable
                    for variable in self.environment
                )
            }
        )


EMPTY_POLICY = GroupPolicy()

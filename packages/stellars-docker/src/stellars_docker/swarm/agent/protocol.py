"""What the hub and a node agent say to each other: the requests, the answers, the secret.

Every request is a POST with a JSON body of at most :data:`MAX_BODY_BYTES`
and the shared secret as a bearer token. The models refuse unknown fields
and anything out of range, on both sides: the agent trusts no body, and
the hub trusts no answer it cannot read.
"""

from __future__ import annotations

import hmac
from ipaddress import IPv4Address, IPv6Address
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Small: the largest request names a few volumes of one user.
MAX_BODY_BYTES = 16 * 1024
# The most volumes one request may name (a user has three by default).
MAX_VOLUMES = 16
SECRET_HEADER = "Authorization"  # noqa: S105  (a header's name)
SECRET_SCHEME = "Bearer"  # noqa: S105  (a scheme's name)

STATS_PATH = "/stats"
SIZES_PATH = "/sizes"
OWNED_PATH = "/volumes/owned"
USER_VOLUMES_PATH = "/volumes/users"
REMOVE_PATH = "/volumes/remove"
MEASURE_PATH = "/volumes/measure"
EXPORT_PATH = "/volumes/export"
IMPORT_PATH = "/volumes/import"

# A Docker volume name, as the engine accepts one.
VolumeName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")]
# An account's stable identity (ownership_store.identity_of) as it is labelled.
Identity = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9:._-]+$")]
# An image reference as the hub is configured with it (the lab image).
ImageName = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9][^\s]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class NoBody(_Strict):
    """The body of a request that asks for a node's figures: ``{}``."""


class VolumeClaim(_Strict):
    """One volume the hub says is an account's, for the agent to check before acting.

    Attributes:
        name: the volume's exact name.
        owner: the account's identity; a volume labelled with another owner
            is never touched.
        unlabelled_owned: whether a volume of this name without an owner
            label is the account's. The hub decides from its records (a
            volume a task created on a worker has no labels; one of a
            deleted account of the same name is not this account's).
        assigned: an admin gave the volume of this name to the account
            from the archive: it is the account's whatever owner its label
            names (Docker cannot change a volume's labels), as on one host.
    """

    name: VolumeName
    owner: Identity
    unlabelled_owned: bool
    assigned: bool = False


class VolumesRequest(_Strict):
    """Which of these volumes are here and the account's (``/volumes/owned``)."""

    volumes: Annotated[list[VolumeClaim], Field(min_length=1, max_length=MAX_VOLUMES)]


class RemoveRequest(VolumesRequest):
    """Remove these volumes, each only if it is the account's (``/volumes/remove``).

    Attributes:
        wait_s: seconds to wait for a container that still mounts a volume
            to go (a deleted account's server being removed); 0 not to wait.
    """

    wait_s: Annotated[float, Field(ge=0, le=60)] = 0.0


class MeasureRequest(VolumesRequest):
    """Measure these volumes with ``du`` in a container of *image* (``/volumes/measure``).

    Attributes:
        image: the platform's lab image, which the hub is configured with.
        timeout_s: seconds ``du`` may run.
    """

    image: ImageName
    timeout_s: Annotated[float, Field(gt=0, le=3600)]


class ExportRequest(_Strict):
    """Send this volume's contents as a tar stream, if it is the account's (``/volumes/export``).

    Attributes:
        volume: the volume, claimed for its account.
        image: an image the node holds (the lab image), for the container
            that holds the volume while it is read; it is never started.
    """

    volume: VolumeClaim
    image: ImageName


class ImportRequest(_Strict):
    """Make this volume here from the copy another node's agent sends (``/volumes/import``).

    The answer is a stream of :class:`CopyProgress` lines (``application/x-ndjson``).

    Attributes:
        volume: the volume, claimed for its account; a volume of its name must
            not be on this node yet.
        image: as :class:`ExportRequest`'s.
        labels: the new volume's labels (the account's ownership labels,
            whose owner must be the claim's).
        source: the address of the agent that holds the volume now, on the
            agents' network; it serves on the same port as this one.
    """

    volume: VolumeClaim
    image: ImageName
    labels: Annotated[dict[str, Annotated[str, Field(max_length=255)]], Field(max_length=16)]
    source: IPv4Address | IPv6Address


class CopyProgress(_Strict):
    """One line of an import's answer: how far the copy is, and at the end how it went.

    Attributes:
        copied_bytes: the bytes of the tar stream received so far.
        done: the last line of a copy that completed.
        error: the last line of one that did not, saying why.
    """

    copied_bytes: Annotated[int, Field(ge=0)]
    done: bool = False
    error: str | None = None


class ContainerSample(_Strict):
    """One running lab container's last stats (as :class:`stellars_docker.stats.ContainerStats`)."""

    container_name: Annotated[str, Field(max_length=255)]
    cpu_percent: Annotated[float, Field(ge=0)]
    memory_bytes: Annotated[int, Field(ge=0)]
    memory_limit_bytes: Annotated[int, Field(ge=0)]
    sampled_at: str | None


class StatsAnswer(_Strict):
    """The lab containers running on the agent's node."""

    node: str
    containers: list[ContainerSample]


class SizesAnswer(_Strict):
    """Every volume on the agent's node and its size in bytes (None: not computed)."""

    node: str
    volumes: dict[str, int | None]


class NodeUserVolume(_Strict):
    """A user volume on the agent's node and the ownership its labels tell (``/volumes/users``).

    Attributes:
        name: the volume.
        owner: the identity its owner label names, or None without one.
        owner_name: the account name its label names, or None.
        suffix: its short name (``home``), or None without the label.
    """

    name: str
    owner: str | None = None
    owner_name: str | None = None
    suffix: str | None = None


class UserVolumesAnswer(_Strict):
    """Every volume on the node that is a user volume or carries no role label at all.

    The hub decides from its records whose each is (an archive of a deleted
    account, say); volumes of other roles (a probe's, the shared one) are
    left out.
    """

    node: str
    volumes: list[NodeUserVolume]


class ForeignVolume(_Strict):
    """A volume asked about that exists on the node but is not the account's.

    Attributes:
        name: the volume.
        owner: the identity its owner label names, or None without one (the
            hub's records say whose it is then).
        owner_name: the account name its label names, or None.
    """

    name: str
    owner: str | None = None
    owner_name: str | None = None


class OwnedAnswer(_Strict):
    """The volumes asked about that exist on the node: the account's, and the others.

    Attributes:
        volumes: those that are the account's.
        foreign: those that are not, which a server of the account must never
            mount; a volume that is no user volume at all is among them.
    """

    node: str
    volumes: list[str]
    foreign: list[ForeignVolume] = []


class Removal(_Strict):
    """What became of one volume the hub asked to remove.

    Attributes:
        name: the volume.
        removed: it was here, the account's, and is gone now.
        error: why not, or None; ``no such volume`` when it is not here or
            not the account's (the agent does not say whose it is).
    """

    name: str
    removed: bool
    error: str | None = None


class RemoveAnswer(_Strict):
    """Each volume of a removal request, in the order asked."""

    node: str
    volumes: list[Removal]


class Measured(_Strict):
    """One of the account's volumes on the node, as ``du`` found it."""

    name: str
    size_bytes: int | None


class MeasureAnswer(_Strict):
    """The volumes of a measure request that are on the node and the account's."""

    node: str
    volumes: list[Measured]


class AgentError(_Strict):
    """Any refusal: ``{"status": N, "message": "..."}``."""

    status: int
    message: str


def bearer(secret: str) -> str:
    """Return the value of the header that carries *secret*."""
    return f"{SECRET_SCHEME} {secret}"


def presented_secret(header: str | None) -> str | None:
    """Return the secret a request's header presents, or None when it presents none."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme != SECRET_SCHEME or not value:
        return None
    return value


def secret_matches(presented: str, expected: str) -> bool:
    """Return whether *presented* is *expected*, in time that does not tell how much matched.

    An empty *expected* matches nothing: an agent without a secret serves no one.
    """
    if not expected:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())

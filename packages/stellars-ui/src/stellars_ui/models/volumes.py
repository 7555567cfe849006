"""Bodies of the volume endpoints: a user's volumes, account deletion, the archive, restarts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from stellars_ui.models.common import Contract, NullableTimestamp, Timestamp

Size = Annotated[int, Field(ge=0)] | None


def _distinct(suffixes: list[str]) -> list[str]:
    if len(set(suffixes)) != len(suffixes):
        raise ValueError("names a volume twice")
    return suffixes


class ExistingVolume(Contract):
    """A resettable volume that exists on the engine."""

    suffix: str = Field(description="the short name users choose by")
    name: str = Field(description="the volume's name on the engine")
    mount_point: str = Field(description="where the lab mounts it")
    description: str = Field(description="what it holds")
    size_bytes: Size = Field(description="null until measured")


class VolumeList(Contract):
    """The user's existing resettable volumes."""

    volumes: list[ExistingVolume]


class VolumeSelection(Contract):
    """The volumes to delete, by suffix (the configured resettable ones)."""

    volumes: Annotated[
        list[str],
        Field(min_length=1, json_schema_extra={"uniqueItems": True}),
        AfterValidator(_distinct),
    ] = Field(description="distinct suffixes of resettable volumes")


class VolumeDeletion(Contract):
    """What became of one volume asked for."""

    suffix: str
    name: str
    deleted: bool
    error: str | None = Field(description="why not, when not deleted")


class VolumeDeletions(Contract):
    """Each volume asked for, deleted or not."""

    volumes: list[VolumeDeletion]


class AccountDeletion(Contract):
    """The admin's choice for the volumes of the account being deleted."""

    volumes: Literal["delete", "archive"] = Field(
        description="remove the account's volumes, or keep them as an archive"
    )


class VolumeFate(Contract):
    """What became of one of a deleted account's volumes."""

    suffix: str
    name: str
    size_bytes: Size = Field(description="null if not measured")
    fate: Literal["deleted", "archived"]
    error: str | None = Field(description="why a volume asked to be deleted was archived instead")


class AccountDeleted(Contract):
    """The account deleted and each of its volumes' fate."""

    user: str = Field(description="the account deleted")
    volumes: list[VolumeFate]


class ArchivedVolume(Contract):
    """A volume of a deleted account, mounted by nobody."""

    name: str = Field(description="the volume's name on the engine")
    suffix: str = Field(description='its short name, "" for one that predates labels')
    owner_name: str = Field(description="the deleted account's name")
    owner: str = Field(description="the deleted account's stable identity")
    deleted_at: NullableTimestamp
    size_bytes: Size = Field(description="null until measured")
    nodes: list[str] = Field(
        description="the swarm nodes it is on where each node has its own volumes; "
        "empty on one host and on storage every node shares"
    )


class ArchivedVolumes(Contract):
    """Every archived volume, oldest deletion first."""

    volumes: list[ArchivedVolume]


class VolumeAssignment(Contract):
    """The account to give an archived volume to."""

    user: str = Field(min_length=1, description="the account to give the volume to")


class Purged(Contract):
    """An archived volume removed."""

    purged: str = Field(description="the volume removed")


class Assigned(Contract):
    """An archived volume given to an account."""

    volume: str
    user: str = Field(description="the account that owns it now")


class Restarted(Contract):
    """A server restarted and answering."""

    restarted: Literal[True]
    url: str = Field(description="the server's URL (/user/<name>/)")


class MeasuredSize(Contract):
    """One of the user's volumes, measured just now."""

    suffix: str = Field(description="the short name users choose by")
    name: str = Field(description="the volume's name on the engine")
    size_bytes: Size = Field(description="null when the measurement gave no total for it")


class MeasuredSizes(Contract):
    """The user's volumes that exist, each measured just now (none: nothing to measure)."""

    volumes: list[MeasuredSize]
    measured_at: Timestamp


class NodeMove(Contract):
    """Where a user goes: the swarm node, and what becomes of their files."""

    node: str = Field(
        min_length=1,
        max_length=255,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="the node's host name or id, as `docker node ls` shows them",
    )
    files: Literal["copy", "leave"] = Field(
        "copy",
        description="`copy` the user's volumes to the node (the old node's copies go once all "
        "are there); `leave` them where they are, for a node that is gone: the user starts "
        "afresh on the new node",
    )


class VolumeCopyProgress(Contract):
    """One volume of a move."""

    name: str = Field(description="the volume's name on the engine")
    size_bytes: Size = Field(description="its size when the move began; null when not known")
    copied_bytes: int = Field(ge=0, description="bytes of its archive copied so far")
    done: bool = Field(description="it is on the new node whole")


class MoveProgress(Contract):
    """A user's move to another node: under way, done or failed."""

    source: str | None = Field(description="the node the user was on; null when on none yet")
    target: str = Field(description="the node the user goes to")
    files: Literal["copy", "leave"]
    state: Literal["copying", "done", "failed"]
    volumes: list[VolumeCopyProgress]
    started_at: Timestamp
    finished_at: NullableTimestamp
    error: str | None = Field(description="why it failed; the user stays where they were")
    note: str | None = Field(description="what a finished move could not tidy")


class SwarmNode(Contract):
    """One node of the swarm, as an admin choosing where to move a user sees it."""

    name: str = Field(description="its host name, as `docker node ls` shows it")
    id: str = Field(description="the swarm's id of the node")
    role: str = Field(description="`manager` or `worker`")
    state: str = Field(description="`ready`, `down`, ... as the engine says")
    availability: str = Field(description="`active`, `pause` or `drain`")
    takes_servers: bool = Field(description="ready and active: a moved user can go there")
    users: int = Field(ge=0, description="how many accounts' files are on it (pinned to it)")


class SwarmNodes(Contract):
    """The swarm's nodes, by host name."""

    nodes: list[SwarmNode]
    moves_files: bool = Field(
        description="whether each user's files are on one node, so that a move copies them; "
        "false on storage every node shares, where there is nothing to move"
    )


class UserNode(Contract):
    """The swarm node a user's volumes are on, and their move under way or last one."""

    node: str | None = Field(description="null before the user's first server ran")
    move: MoveProgress | None = Field(
        description="null when the user was not moved since the hub started"
    )

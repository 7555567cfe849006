"""Moving a user to another swarm node: copy their volumes there, then pin them there.

A user's local volumes live on the node they are pinned to
(:mod:`stellars_docker.swarm.placements`). An admin moves a stopped user to
another node; the hub then:

1. checks, before answering, that the node is ready and active, has an
   agent, and holds no volume of the user's names yet (nothing there is
   ever replaced), and that the user's node has an agent to copy from;
2. has the new node's agent make each of the user's volumes from the old
   node's copy, agent to agent, one volume at a time, reporting the bytes
   copied so far (:mod:`stellars_docker.swarm.agent.copy`);
3. once every volume is there whole, pins the user to the new node, and
   only then removes the old node's copies.

A copy that fails removes what it made on the new node and leaves the pin
and the old node's volumes as they were: the user starts on the old node as
before. While a move runs, the user's server does not start.

A user whose node is gone for good (its files with it) can be moved without
their files: they are pinned to the new node and start there with empty
volumes; whatever the old node held stays there, untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from stellars_docker.errors import (
    DockerUnavailableError,
    MoveInProgressError,
    MoveRefusedError,
    UnknownNodeError,
)
from stellars_docker.naming import volume_name
from stellars_docker.ownership import volume_labels
from stellars_docker.ownership_store import account_of
from stellars_docker.swarm.agent.client import claims_for
from stellars_docker.swarm.agent.protocol import (
    IMPORT_PATH,
    OWNED_PATH,
    REMOVE_PATH,
    SECRET_HEADER,
    CopyProgress,
    ImportRequest,
    OwnedAnswer,
    RemoveAnswer,
    RemoveRequest,
    VolumeClaim,
    VolumesRequest,
    bearer,
)
from stellars_docker.swarm.placements import pin, pinned_per_node, placement_of

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence

    from stellars_docker.ownership_store import Account, Database
    from stellars_docker.swarm.agent.client import Agent, AgentClient
    from stellars_docker.volumes import UserVolume

log = logging.getLogger(__name__)

# Seconds one volume's copy may take in all: a bound for a stuck agent, far
# above any real copy (100 GB at 10 MB/s is under three hours). A source
# that sends nothing for two minutes fails the copy long before.
COPY_LIMIT_S = 6 * 3600.0
# Seconds a removal waits for the containers that held a volume for its copy
# to go: the source's agent removes its own just after the stream's end.
HOLDERS_GONE_S = 10.0


class FilesChoice(StrEnum):
    """What a move does with the user's files."""

    COPY = "copy"
    # The old node is gone: start afresh on the new one, touching nothing.
    LEAVE = "leave"


class MoveState(StrEnum):
    """Where a move is."""

    COPYING = "copying"
    DONE = "done"
    FAILED = "failed"


@dataclass
class VolumeCopy:
    """One volume of a move: its size when the move began (None: not known) and bytes copied."""

    name: str
    size_bytes: int | None
    copied_bytes: int = 0
    done: bool = False


@dataclass
class Move:
    """A user's move to another node, as the admin follows it.

    Attributes:
        user: the hub user's name.
        source: the node the user was pinned to (None: not pinned yet).
        target: the node they go to.
        files: copied, or left where they were.
        volumes: the volumes copied, in order.
        state: copying, done or failed.
        error: why it failed.
        note: what a move that is done could not tidy (an old copy that stays).
    """

    user: str
    source: str | None
    target: str
    files: FilesChoice
    volumes: list[VolumeCopy]
    state: MoveState = MoveState.COPYING
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    error: str | None = None
    note: str | None = None

    def finish(self, state: MoveState, *, error: str | None = None) -> None:
        """Record that the move ended in *state*."""
        self.state = state
        self.error = error
        self.finished_at = datetime.now(UTC)


@dataclass(frozen=True)
class Node:
    """A swarm node as a move needs it, and as an admin choosing one sees it.

    Attributes:
        node_id: the swarm's id (what a placement constraint names).
        name: its host name.
        state: ``ready``, ``down``, ... (the engine's word).
        availability: ``active``, ``pause`` or ``drain``.
        role: ``manager`` or ``worker``.
    """

    node_id: str
    name: str
    state: str
    availability: str
    role: str = ""

    @property
    def takes_servers(self) -> bool:
        """Whether the node can take a user's server (and so a moved user) now."""
        return self.state == "ready" and self.availability == "active"


@dataclass(frozen=True)
class SwarmNodes:
    """The swarm's nodes as an admin choosing where to move a user sees them.

    Attributes:
        nodes: every node, by host name.
        pinned: how many accounts' files each node holds, by node id.
        moves_files: whether users' files are each on one node (local
            volumes), so that a move copies them; False on storage every
            node shares, where there is nothing to move.
    """

    nodes: list[Node]
    pinned: dict[str, int]
    moves_files: bool


def listed_nodes(listing: Sequence[Mapping[str, Any]]) -> list[Node]:
    """Return the nodes of the engine's ``GET /nodes`` *listing*, by host name."""
    nodes = [
        Node(
            node_id=str(node.get("ID", "")),
            name=str(node.get("Description", {}).get("Hostname", "")),
            state=str(node.get("Status", {}).get("State", "")).lower(),
            availability=str(node.get("Spec", {}).get("Availability", "")).lower(),
            role=str(node.get("Spec", {}).get("Role", "")).lower(),
        )
        for node in listing
    ]
    return sorted(nodes, key=lambda node: (node.name, node.node_id))


def find_node(nodes: Sequence[Mapping[str, Any]], wanted: str) -> Node:
    """Return the node whose id or host name is *wanted* (the engine's ``GET /nodes`` listing).

    Raises:
        UnknownNodeError: no node has that id or name, or several have that name.
    """
    found = listed_nodes(nodes)
    by_id = [node for node in found if node.node_id == wanted]
    if by_id:
        return by_id[0]
    by_name = [node for node in found if node.name == wanted]
    if len(by_name) > 1:
        raise UnknownNodeError(f"{len(by_name)} nodes are named {wanted!r}: give the node's id")
    if not by_name:
        names = ", ".join(sorted(node.name for node in found))
        raise UnknownNodeError(f"the swarm has no node {wanted!r} (its nodes: {names})")
    return by_name[0]


class Moves:
    """The moves of this hub: those under way, and the last one of each user.

    Kept in the hub's memory. A hub that stops during a move loses it: the
    user stays pinned to their old node with their files there, and the
    partial copy on the new node stays until an admin removes it (a later
    move there is refused while it does).
    """

    def __init__(self) -> None:
        self._moves: dict[int, Move] = {}
        self._preparing: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def last(self, user_id: int) -> Move | None:
        """Return the user's move under way, or their last one since the hub started."""
        return self._moves.get(user_id)

    def refuse_while_moving(self, user_id: int) -> None:
        """Raise when the user's files are being moved.

        Raises:
            MoveInProgressError: a move of the user is under way.
        """
        if user_id in self._preparing:
            raise MoveInProgressError("the user's move to another node is being prepared")
        move = self._moves.get(user_id)
        if move is not None and move.state == MoveState.COPYING:
            raise MoveInProgressError(
                f"{move.user}'s files are being moved to the node {move.target}: "
                "try again when the move is done"
            )

    @contextlib.contextmanager
    def preparing(self, user_id: int) -> Iterator[None]:
        """Hold the user still while their move is checked: nothing starts or moves them.

        Raises:
            MoveInProgressError: a move of the user is under way or being prepared.
        """
        self.refuse_while_moving(user_id)
        self._preparing.add(user_id)
        try:
            yield
        finally:
            self._preparing.discard(user_id)

    def begin(self, user_id: int, move: Move, work: Coroutine[Any, Any, None]) -> None:
        """Record *move* as the user's, and run *work* (which carries it out) in the background.

        Raises:
            MoveInProgressError: a move of the user is under way.
        """
        self.refuse_while_moving(user_id)
        self._moves[user_id] = move
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Cancel the moves under way (the hub stops): each leaves the user as they were."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task


class UserMover:
    """Moves users between the swarm's nodes through the node agents.

    Args:
        agents: the node agents' client (its engine is the manager's).
        image: an image every node holds (the lab image), for the containers
            that hold a volume while it is copied.
        user_volumes: the platform's per-user volumes.
    """

    def __init__(
        self, agents: AgentClient, *, image: str, user_volumes: Sequence[UserVolume]
    ) -> None:
        self._agents = agents
        self._image = image
        self._user_volumes = tuple(user_volumes)

    # Whether a user's files are on one node, so that moving them means something.
    moves_files = True

    async def nodes(self, db: Database) -> SwarmNodes:
        """Return the swarm's nodes and how many accounts each holds.

        Raises:
            DockerUnavailableError: the manager's engine did not answer.
        """
        listing = await self._agents.nodes()
        return SwarmNodes(listed_nodes(listing), pinned_per_node(db), self.moves_files)

    async def node_of(self, db: Database, user_id: int) -> str | None:
        """Return the node the user is pinned to, or None."""
        placement = placement_of(db, account_of(db, user_id).identity)
        return None if placement is None else placement.node_name

    async def prepare(
        self,
        db: Database,
        user_id: int,
        user_name: str,
        target: str,
        *,
        files: FilesChoice,
        sizes: Mapping[str, int | None],
    ) -> tuple[Move, Callable[[Move], Coroutine[Any, Any, None]]]:
        """Check that the user can move to *target*; return the move and what carries it out.

        Raises:
            UnknownNodeError: no node is *target*.
            MoveRefusedError: the node cannot take the user now, or the files
                cannot be copied (the user's node or an agent does not answer),
                or the node already holds a volume of the user's names.
            DockerUnavailableError: the manager's engine did not answer.
        """
        account = account_of(db, user_id)
        node = find_node(await self._agents.nodes(), target)
        if not node.takes_servers:
            raise MoveRefusedError(
                f"the node {node.name} cannot take servers now: it is {node.state} and "
                f"{node.availability}"
            )
        placement = placement_of(db, account.identity)
        if placement is not None and placement.node_id == node.node_id:
            raise MoveRefusedError(f"{user_name}'s files are on the node {node.name} already")
        names = [volume_name(volume, account.name) for volume in self._user_volumes]
        claims = claims_for(db, account, names)
        agents, missing = await self._agents.agents()
        target_agent = _agent_on(agents, missing, node.name)
        already = await self._ask_one(target_agent, OWNED_PATH, claims, OwnedAnswer)
        present = [*already.volumes, *(volume.name for volume in already.foreign)]
        if present and files == FilesChoice.COPY:
            raise MoveRefusedError(
                f"the node {node.name} already holds {', '.join(present)}, which a move never "
                "replaces; remove it there first, or move without the files to use it"
            )
        if already.foreign:
            raise MoveRefusedError(
                f"the node {node.name} holds {already.foreign[0].name}, which is not "
                f"{user_name}'s: their server could not start there"
            )
        source = placement.node_name if placement is not None else None
        if source is None or files == FilesChoice.LEAVE:
            move = Move(user_name, source, node.name, files, [])

            async def pin_only(move: Move) -> None:
                await self._pin(db, account, node, move)
                move.finish(MoveState.DONE)

            return move, pin_only
        source_agent = _agent_on(agents, missing, source)
        held = await self._ask_one(source_agent, OWNED_PATH, claims, OwnedAnswer)
        copies = [VolumeCopy(name, sizes.get(name)) for name in held.volumes]
        move = Move(user_name, source, node.name, files, copies)
        owned = [claim for claim in claims if claim.name in held.volumes]

        async def carry_out(move: Move) -> None:
            await self._copy_and_pin(
                db,
                account,
                move,
                node=node,
                claims=owned,
                source=source_agent,
                target=target_agent,
            )

        return move, carry_out

    async def _pin(self, db: Database, account: Account, node: Node, move: Move) -> None:
        pin(db, account.identity, node.node_id, node.name)
        db.commit()
        log.info("%s is pinned to the node %s (files: %s)", move.user, node.name, move.files)

    async def _copy_and_pin(
        self,
        db: Database,
        account: Account,
        move: Move,
        *,
        node: Node,
        claims: Sequence[VolumeClaim],
        source: Agent,
        target: Agent,
    ) -> None:
        copied: list[VolumeClaim] = []
        try:
            for claim, copy in zip(claims, move.volumes, strict=True):
                copied.append(claim)
                await self._copy(account, claim, copy, source=source, target=target)
        except (MoveRefusedError, DockerUnavailableError, asyncio.CancelledError) as error:
            await self._remove_quietly(target, copied)
            why = "the hub stopped" if isinstance(error, asyncio.CancelledError) else str(error)
            log.warning("moving %s to %s failed: %s", move.user, node.name, why)
            move.finish(MoveState.FAILED, error=why)
            if isinstance(error, asyncio.CancelledError):
                raise
            return
        await self._pin(db, account, node, move)
        # The user is on the new node now: the old copies are only in the way.
        left = await self._remove_quietly(source, copied)
        if left:
            move.note = f"the old copies on {source.node} stay: {left}"
        move.finish(MoveState.DONE)

    async def _copy(
        self,
        account: Account,
        claim: VolumeClaim,
        copy: VolumeCopy,
        *,
        source: Agent,
        target: Agent,
    ) -> None:
        suffix = next(
            volume.suffix
            for volume in self._user_volumes
            if volume_name(volume, account.name) == claim.name
        )
        request = ImportRequest(
            volume=claim,
            image=self._image,
            labels=volume_labels(account, suffix),
            source=ip_address(source.address),
        )
        last: list[CopyProgress] = []
        pending = b""

        def received(chunk: bytes) -> None:
            nonlocal pending
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    last[:] = [CopyProgress.model_validate_json(line)]
                    copy.copied_bytes = last[0].copied_bytes

        settings = self._agents.settings
        try:
            await AsyncHTTPClient().fetch(
                HTTPRequest(
                    f"http://{target.address}:{settings.port}{IMPORT_PATH}",
                    method="POST",
                    body=request.model_dump_json(),
                    headers={
                        SECRET_HEADER: bearer(settings.secret),
                        "Content-Type": "application/json",
                    },
                    streaming_callback=received,
                    connect_timeout=settings.timeout_s,
                    request_timeout=COPY_LIMIT_S,
                )
            )
        except HTTPClientError as error:
            detail = error.response.body.decode(errors="replace")[:300] if error.response else ""
            raise MoveRefusedError(
                f"the node {target.node} did not copy {claim.name}: {error.code} {detail}".strip()
            ) from error
        except (OSError, ValidationError) as error:
            raise MoveRefusedError(f"the node {target.node} could not be asked: {error}") from error
        if not last or not last[0].done:
            why = last[0].error if last and last[0].error else "the copy ended without a word"
            raise MoveRefusedError(f"{claim.name} was not copied to {target.node}: {why}")
        copy.done = True

    async def _ask_one(
        self, agent: Agent, path: str, claims: Sequence[VolumeClaim], answer: type[OwnedAnswer]
    ) -> OwnedAnswer:
        reply = await self._agents.ask_agent(
            agent, path, VolumesRequest(volumes=list(claims)), answer
        )
        if isinstance(reply, str):
            raise MoveRefusedError(f"the node {agent.node} did not answer: {reply}")
        return reply

    async def _remove_quietly(self, agent: Agent, claims: Sequence[VolumeClaim]) -> str | None:
        # Best effort: return what could not be removed, and why, or None.
        if not claims:
            return None
        # The holding containers of the copy may be going still.
        reply = await self._agents.ask_agent(
            agent,
            REMOVE_PATH,
            RemoveRequest(volumes=list(claims), wait_s=HOLDERS_GONE_S),
            RemoveAnswer,
            timeout_s=self._agents.settings.timeout_s + HOLDERS_GONE_S,
        )
        if isinstance(reply, str):
            return reply
        refused = [f"{v.name} ({v.error})" for v in reply.volumes if not v.removed]
        return ", ".join(refused) or None


def _agent_on(agents: Sequence[Agent], missing: Mapping[str, str], node: str) -> Agent:
    for agent in agents:
        if agent.node == node:
            return agent
    why = missing.get(node, "no agent runs there")
    raise MoveRefusedError(
        f"the node {node}'s agent does not answer ({why}), so nothing can be copied; a drained "
        "node runs no agent: set it to pause instead while its users are moved"
    )

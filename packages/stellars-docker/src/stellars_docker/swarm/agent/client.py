"""The hub's side of the node agents: find each node's agent, ask all at once, merge the answers.

An agent is found as a task of the agent service, running, at its own
address on the agents' overlay network: never through the service's
virtual IP, which needs IPVS. Every node of the swarm is accounted for: a
node whose agent did not answer is reported missing with the reason,
never silently left out.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from stellars_docker.account_deletion import DELETE, VolumeFate
from stellars_docker.engine import call_engine
from stellars_docker.errors import DockerUnavailableError
from stellars_docker.measure import MeasuredVolume
from stellars_docker.naming import volume_name
from stellars_docker.node_work import NodeWork
from stellars_docker.ownership import CONTAINER_GONE_WAIT_S, owner_without_labels
from stellars_docker.ownership_store import account_of, assigned_to, forget_volume
from stellars_docker.refresher import BackgroundRefresher, SizesRefresher
from stellars_docker.stats import ContainerStats
from stellars_docker.swarm.agent.protocol import (
    MEASURE_PATH,
    OWNED_PATH,
    REMOVE_PATH,
    SECRET_HEADER,
    SIZES_PATH,
    STATS_PATH,
    MeasureAnswer,
    MeasureRequest,
    NoBody,
    OwnedAnswer,
    RemoveAnswer,
    RemoveRequest,
    SizesAnswer,
    StatsAnswer,
    VolumeClaim,
    VolumesRequest,
    bearer,
)
from stellars_docker.swarm.tasks import current_task, task_address, task_status
from stellars_docker.volumes import NO_SUCH_VOLUME, DeletionResult, ExistingVolume

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import docker

    from stellars_docker.account_deletion import VolumeChoice
    from stellars_docker.ownership import ArchivedVolume
    from stellars_docker.ownership_store import Account, Database
    from stellars_docker.settings import DockerSettings
    from stellars_docker.swarm.moves import UserMover
    from stellars_docker.volumes import UserVolume

log = logging.getLogger(__name__)

Answer = TypeVar("Answer", bound=BaseModel)
# Seconds a measurement's answer may take beyond du's own limit (the
# container's start and removal).
_MEASURE_SLACK_S = 15.0
# Seconds a reset waits for a stopped server's container to go: the node
# removes a task's container a moment after the hub removed its service.
_STOPPED_TASK_GONE_S = 10.0


@dataclass(frozen=True)
class AgentSettings:
    """Where the hub finds the agents and how it proves who it is.

    Attributes:
        service: the agents' global service.
        network: the overlay network the hub and the agents share.
        port: the port each agent serves on.
        secret: the secret every request presents.
        timeout_s: seconds one agent may take to answer a quick request.
    """

    service: str
    network: str
    port: int
    secret: str
    timeout_s: float


@dataclass(frozen=True)
class Agent:
    """One node's agent: the node's host name and the agent task's own address."""

    node: str
    address: str


@dataclass(frozen=True)
class FromNodes(Generic[Answer]):
    """What every node answered: each answer by node, and each node missing with why."""

    answers: dict[str, Answer]
    missing: dict[str, str]


def find_agents(
    nodes: Sequence[Mapping[str, Any]], tasks: Sequence[Mapping[str, Any]], network: str
) -> tuple[list[Agent], dict[str, str]]:
    """Return the agents to ask, and the nodes without one that answers, with why.

    *nodes* and *tasks* are the engine's listings (``GET /nodes``, ``GET
    /tasks`` of the agent service). A node's newest task counts; a node that
    is down, or whose task does not run or has no address on *network*, is
    missing.
    """
    by_node: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for task in tasks:
        by_node[str(task.get("NodeID", ""))].append(task)
    agents: list[Agent] = []
    missing: dict[str, str] = {}
    for node in nodes:
        name = str(node.get("Description", {}).get("Hostname") or node.get("ID", ""))
        state = str(node.get("Status", {}).get("State", "")).lower()
        if state != "ready":
            missing[name] = f"the node is {state or 'unknown'}"
            continue
        on_node = by_node.get(str(node.get("ID", "")), [])
        if not on_node:
            missing[name] = "no agent task on the node"
            continue
        task = current_task(on_node) or {}
        status = task_status(task)
        address = task_address(task, network)
        if not status.running:
            missing[name] = f"its agent is {status.state}: {status.reason()}"
        elif address is None:
            missing[name] = f"its agent has no address on the network {network}"
        else:
            agents.append(Agent(name, address))
    return agents, missing


def merge_stats(answers: Mapping[str, StatsAnswer]) -> dict[str, ContainerStats]:
    """Return every node's container stats by container name, each tagged with its node."""
    merged: dict[str, ContainerStats] = {}
    for node, answer in answers.items():
        for sample in answer.containers:
            merged[sample.container_name] = ContainerStats(
                container_name=sample.container_name,
                cpu_percent=sample.cpu_percent,
                memory_bytes=sample.memory_bytes,
                memory_limit_bytes=sample.memory_limit_bytes,
                sampled_at=None
                if sample.sampled_at is None
                else datetime.fromisoformat(sample.sampled_at),
                node=node,
            )
    return merged


def merge_sizes(
    answers: Mapping[str, SizesAnswer],
) -> tuple[dict[str, int | None], dict[str, tuple[str, ...]]]:
    """Return each volume's size over every node, and the nodes it is on.

    A name on several nodes (a user's volumes moved, an empty one left
    behind) counts what it holds on all of them; unknown (None) only where
    no node knows its size.
    """
    sizes: dict[str, int | None] = {}
    nodes: dict[str, list[str]] = defaultdict(list)
    for node in sorted(answers):
        for name, size in answers[node].volumes.items():
            nodes[name].append(node)
            _add_size(sizes, name, size)
    return sizes, {name: tuple(on) for name, on in nodes.items()}


def _add_size(totals: dict[str, int | None], name: str, size: int | None) -> None:
    # A name's bytes over several nodes: unknown (None) only while no node knows them.
    known = totals.get(name)
    if size is None:
        totals.setdefault(name, None)
    else:
        totals[name] = size if known is None else known + size


def _missing_message(missing: Mapping[str, str]) -> str:
    return "; ".join(f"{node}: {why}" for node, why in sorted(missing.items()))


class AgentClient:
    """Asks every node's agent at once; made once per hub.

    Args:
        client: returns the manager's engine client (which lists the tasks).
        settings: where the agents are and the secret.
    """

    def __init__(self, client: Callable[[], docker.DockerClient], settings: AgentSettings) -> None:
        self._client = client
        self.settings = settings

    async def agents(self) -> tuple[list[Agent], dict[str, str]]:
        """Return the agents to ask and the nodes missing one (see :func:`find_agents`).

        Raises:
            DockerUnavailableError: the manager's engine did not answer.
        """
        engine = self._client()
        limit_s = self.settings.timeout_s
        nodes = await call_engine(limit_s, engine.api.nodes)
        tasks = await call_engine(
            limit_s, engine.api.tasks, filters={"service": self.settings.service}
        )
        return find_agents(nodes, tasks, self.settings.network)

    async def nodes(self) -> list[dict[str, Any]]:
        """Return the swarm's nodes as the manager lists them.

        Raises:
            DockerUnavailableError: the manager's engine did not answer.
        """
        engine = self._client()
        return list(await call_engine(self.settings.timeout_s, engine.api.nodes))

    async def ask_agent(
        self,
        agent: Agent,
        path: str,
        body: BaseModel,
        answer: type[Answer],
        timeout_s: float | None = None,
    ) -> Answer | str:
        """Send *body* to *path* of one *agent*; return its *answer*, or why there is none."""
        return await self._ask_one(agent, path, body, answer, timeout_s or self.settings.timeout_s)

    async def ask(
        self,
        path: str,
        body: BaseModel,
        answer: type[Answer],
        timeout_s: float | None = None,
        nodes: Sequence[str] | None = None,
    ) -> FromNodes[Answer]:
        """Send *body* to *path* of every agent at once; return each node's *answer* or why not.

        *nodes*, when given, are the only nodes asked (and reported missing).

        Raises:
            DockerUnavailableError: the manager's engine did not answer.
        """
        agents, missing = await self.agents()
        if nodes is not None:
            agents = [agent for agent in agents if agent.node in nodes]
            missing = {node: why for node, why in missing.items() if node in nodes}
        limit_s = timeout_s or self.settings.timeout_s
        replies = await asyncio.gather(
            *(self._ask_one(agent, path, body, answer, limit_s) for agent in agents)
        )
        answers: dict[str, Answer] = {}
        for agent, reply in zip(agents, replies, strict=True):
            if isinstance(reply, str):
                missing[agent.node] = reply
            else:
                answers[agent.node] = reply
        if missing:
            log.warning("node agents missing from %s: %s", path, _missing_message(missing))
        return FromNodes(answers, missing)

    async def ask_some(
        self,
        path: str,
        body: BaseModel,
        answer: type[Answer],
        timeout_s: float | None = None,
        nodes: Sequence[str] | None = None,
    ) -> FromNodes[Answer]:
        """As :meth:`ask`, for work that needs at least one answer.

        Raises:
            DockerUnavailableError: the manager's engine did not answer, or no agent did.
        """
        asked = await self.ask(path, body, answer, timeout_s, nodes)
        if not asked.answers:
            raise DockerUnavailableError(
                f"no node agent answered: {_missing_message(asked.missing) or 'no node'}"
            )
        return asked

    async def _ask_one(
        self, agent: Agent, path: str, body: BaseModel, answer: type[Answer], limit_s: float
    ) -> Answer | str:
        request = HTTPRequest(
            f"http://{agent.address}:{self.settings.port}{path}",
            method="POST",
            body=body.model_dump_json(),
            headers={
                SECRET_HEADER: bearer(self.settings.secret),
                "Content-Type": "application/json",
            },
            connect_timeout=min(limit_s, 5.0),
            request_timeout=limit_s,
        )
        try:
            response = await AsyncHTTPClient().fetch(request)
            return answer.model_validate_json(response.body)
        except HTTPClientError as error:
            if error.code == 599:  # noqa: PLR2004  (tornado's code for no answer in time)
                return f"its agent did not answer within {limit_s} s"
            detail = error.response.body.decode(errors="replace")[:200] if error.response else ""
            return f"its agent answered {error.code} {detail}".strip()
        except (OSError, ValidationError) as error:
            return f"its agent could not be asked: {error}"


class _AgentRefresher(BackgroundRefresher):
    def __init__(self, name: str, agents: AgentClient, interval_s: float) -> None:
        super().__init__(name, interval_s)
        self._agents = agents
        self._refreshing = asyncio.Lock()
        self.missing: dict[str, str] = {}

    def _asked(self, missing: dict[str, str]) -> None:
        self.missing = missing


class AgentStats(_AgentRefresher):
    """Keeps the last stats of every lab container on every node, each tagged with its node."""

    def __init__(self, agents: AgentClient, *, interval_s: float) -> None:
        super().__init__("container stats (node agents)", agents, interval_s)
        self._snapshot: dict[str, ContainerStats] = {}

    def snapshot(self) -> dict[str, ContainerStats]:
        """Return the last stats by container name, without asking any agent."""
        return dict(self._snapshot)

    async def refresh(self) -> None:
        """Ask every agent for its node's stats; a silent node keeps its last figures."""
        async with self._refreshing:
            try:
                asked = await self._agents.ask(STATS_PATH, NoBody(), StatsAnswer)
            except DockerUnavailableError as error:
                self._engine_unavailable(error)
                return
            fresh = merge_stats(asked.answers)
            kept = {
                name: stats
                for name, stats in self._snapshot.items()
                if stats.node in asked.missing and name not in fresh
            }
            self._snapshot = {**kept, **fresh}
            self.missing = asked.missing
            self._engine_answers()


class AgentSizes(_AgentRefresher, SizesRefresher):
    """Keeps the last known size of every volume on every node, and the nodes each is on."""

    def __init__(self, agents: AgentClient, *, interval_s: float, timeout_s: float) -> None:
        super().__init__("volume sizes (node agents)", agents, interval_s)
        self._timeout_s = timeout_s
        self._by_node: dict[str, SizesAnswer] = {}
        self.nodes: dict[str, tuple[str, ...]] = {}

    async def refresh(self) -> None:
        """Ask every agent for its node's sizes; a node that did not answer keeps its last."""
        async with self._refreshing:
            try:
                asked = await self._agents.ask(
                    SIZES_PATH, NoBody(), SizesAnswer, timeout_s=self._timeout_s
                )
            except DockerUnavailableError as error:
                self._engine_unavailable(error)
                return
            self._by_node = {
                **{node: a for node, a in self._by_node.items() if node in asked.missing},
                **asked.answers,
            }
            self._sizes, self.nodes = merge_sizes(self._by_node)
            self.missing = asked.missing
            self._engine_answers()


def claims_for(db: Database, account: Account, names: Sequence[str]) -> list[VolumeClaim]:
    """Return what the hub tells an agent about *account*'s volumes *names*."""
    return [
        VolumeClaim(
            name=name,
            owner=account.identity,
            unlabelled_owned=owner_without_labels(db, account, name).identity == account.identity,
            assigned=assigned_to(db, account, name),
        )
        for name in names
    ]


class AgentNodeWork(NodeWork):
    """Stats, sizes and a user's volumes through every node's agent."""

    def __init__(self, agents: AgentClient) -> None:
        self._agents = agents
        self._stats: AgentStats | None = None
        self._sizes: AgentSizes | None = None

    @property
    def agents(self) -> AgentClient:
        """The client that asks every node's agent."""
        return self._agents

    def stats_source(self, settings: DockerSettings) -> AgentStats:
        """Return the refresher asking every agent for its node's lab containers' stats."""
        self._stats = AgentStats(self._agents, interval_s=settings.stats_interval_s)
        return self._stats

    def sizes_source(self, settings: DockerSettings) -> AgentSizes:
        """Return the refresher asking every agent for its node's volume sizes."""
        self._sizes = AgentSizes(
            self._agents,
            interval_s=settings.volume_size_interval_s,
            timeout_s=settings.volume_size_timeout_s,
        )
        return self._sizes

    def user_mover(self, settings: DockerSettings) -> UserMover:
        """Return what moves users between the nodes, copying through the agents."""
        from stellars_docker.swarm.moves import UserMover  # noqa: PLC0415  (moves imports this)

        return UserMover(self._agents, image=settings.image, user_volumes=settings.user_volumes)

    def unreachable_nodes(self) -> tuple[str, ...]:
        """Return the nodes the last stats or sizes refresh did not hear from."""
        missing = {
            *(self._stats.missing if self._stats else {}),
            *(self._sizes.missing if self._sizes else {}),
        }
        return tuple(sorted(missing))

    def volume_nodes(self) -> dict[str, tuple[str, ...]]:
        """Return the nodes each volume was on at the last sizes refresh."""
        return dict(self._sizes.nodes) if self._sizes else {}

    async def existing_user_volumes(
        self,
        db: Database,
        user_id: int,
        user_volumes: tuple[UserVolume, ...],
        *,
        sizes: Mapping[str, int | None],
        limit_s: float,  # noqa: ARG002  (each agent has its own)
    ) -> list[ExistingVolume]:
        """Return the account's own volumes on any node that answered.

        Raises:
            DockerUnavailableError: no agent answered.
        """
        account = account_of(db, user_id)
        wanted = {volume_name(volume, account.name): volume for volume in user_volumes}
        asked = await self._agents.ask_some(
            OWNED_PATH,
            VolumesRequest(volumes=claims_for(db, account, list(wanted))),
            OwnedAnswer,
        )
        found = {name for answer in asked.answers.values() for name in answer.volumes}
        return [
            ExistingVolume(
                volume.suffix, name, volume.mount_point, volume.description, sizes.get(name)
            )
            for name, volume in wanted.items()
            if name in found
        ]

    async def delete_user_volumes(
        self,
        db: Database,
        user_id: int,
        volumes: tuple[UserVolume, ...],
        limit_s: float,  # noqa: ARG002  (each agent has its own)
    ) -> list[DeletionResult]:
        """Delete the account's *volumes* on every node that holds them; report each.

        A volume found on no node while some node's agent did not answer is
        reported with that node, not as missing.

        Raises:
            DockerUnavailableError: no agent answered.
        """
        account = account_of(db, user_id)
        names = [volume_name(volume, account.name) for volume in volumes]
        asked = await self._agents.ask_some(
            REMOVE_PATH,
            RemoveRequest(volumes=claims_for(db, account, names), wait_s=_STOPPED_TASK_GONE_S),
            RemoveAnswer,
            timeout_s=self._agents.settings.timeout_s + _STOPPED_TASK_GONE_S,
        )
        results = []
        for volume, name in zip(volumes, names, strict=True):
            removed, error = removal_of(name, asked)
            if removed:
                forget_volume(db, name)
            results.append(DeletionResult(volume.suffix, name, deleted=removed, error=error))
        return results

    async def measure_user_volumes(
        self,
        db: Database,
        user_id: int,
        user_volumes: tuple[UserVolume, ...],
        *,
        image: str,
        labels: Mapping[str, str],  # noqa: ARG002  (each agent labels its own)
        timeout_s: float,
        limit_s: float,  # noqa: ARG002  (each agent has its own)
    ) -> list[MeasuredVolume]:
        """Return the account's volumes measured now on every node that holds them.

        Raises:
            DockerUnavailableError: no agent answered, or none could measure.
        """
        account = account_of(db, user_id)
        wanted = {volume_name(volume, account.name): volume for volume in user_volumes}
        asked = await self._agents.ask_some(
            MEASURE_PATH,
            MeasureRequest(
                volumes=claims_for(db, account, list(wanted)), image=image, timeout_s=timeout_s
            ),
            MeasureAnswer,
            timeout_s=timeout_s + _MEASURE_SLACK_S,
        )
        totals: dict[str, int | None] = {}
        for answer in asked.answers.values():
            for measured in answer.volumes:
                _add_size(totals, measured.name, measured.size_bytes)
        return [
            MeasuredVolume(volume.suffix, name, totals[name])
            for name, volume in wanted.items()
            if name in totals
        ]

    # The archive: each node's volumes, through its agent (stellars_docker.swarm.archive).

    async def archived_volumes(
        self,
        engine: Callable[[], docker.DockerClient],  # noqa: ARG002  (the agents ask their own)
        db: Database,
        sizes: Mapping[str, int | None],
        limit_s: float,  # noqa: ARG002  (each agent has its own)
    ) -> list[ArchivedVolume]:
        """Return every volume on any node whose owner is gone, each with its nodes.

        Raises:
            DockerUnavailableError: the manager did not answer, or no agent did.
        """
        from stellars_docker.swarm import archive  # noqa: PLC0415  (it imports this)

        return await archive.archived_volumes(self._agents, db, sizes)

    async def purge_archived_volume(
        self,
        engine: Callable[[], docker.DockerClient],  # noqa: ARG002  (the agents ask their own)
        db: Database,
        name: str,
        limit_s: float,  # noqa: ARG002  (each agent has its own)
    ) -> None:
        """Remove the archived volume *name* on the nodes that hold it.

        Raises:
            NotArchivedError: *name* is not an archived volume.
            ArchiveError: a node did not remove it.
            DockerUnavailableError: the manager did not answer, or no agent did.
        """
        from stellars_docker.swarm import archive  # noqa: PLC0415  (it imports this)

        await archive.purge_archived_volume(self._agents, db, name)

    async def assign_archived_volume(
        self,
        engine: Callable[[], docker.DockerClient],  # noqa: ARG002  (the agents ask their own)
        db: Database,
        name: str,
        user_id: int,
        *,
        user_volumes: Sequence[UserVolume],
        limit_s: float,  # noqa: ARG002  (each agent has its own)
    ) -> Account:
        """Give archived *name* to *user_id*, pinning an account without a node to its node.

        Raises:
            NotArchivedError: *name* is not an archived volume.
            ArchiveError: *name* is not one of that account's volume names.
            DockerUnavailableError: the manager did not answer, or no agent did.
        """
        from stellars_docker.swarm import archive  # noqa: PLC0415  (it imports this)

        return await archive.assign_archived_volume(
            self._agents, db, name, user_id, user_volumes=user_volumes
        )

    async def settle_account_volumes(
        self,
        db: Database,
        account: Account,
        volumes: Sequence[ExistingVolume],
        choice: VolumeChoice,
        *,
        limit_s: float,  # noqa: ARG002  (each agent has its own)
    ) -> list[VolumeFate]:
        """Delete or archive the deleted account's volumes on every node; never raises for one.

        A volume no agent removed stays archived, with the reason.
        """
        if choice != DELETE or not volumes:
            return [VolumeFate(v.suffix, v.name, v.size_bytes, "archived") for v in volumes]
        request = RemoveRequest(
            volumes=claims_for(db, account, [v.name for v in volumes]),
            wait_s=CONTAINER_GONE_WAIT_S,
        )
        try:
            asked = await self._agents.ask_some(
                REMOVE_PATH,
                request,
                RemoveAnswer,
                timeout_s=self._agents.settings.timeout_s + CONTAINER_GONE_WAIT_S,
            )
        except DockerUnavailableError as error:
            return [
                VolumeFate(v.suffix, v.name, v.size_bytes, "archived", str(error)) for v in volumes
            ]
        fates = []
        for volume in volumes:
            removed, why = removal_of(volume.name, asked)
            if removed:
                forget_volume(db, volume.name)
                fates.append(VolumeFate(volume.suffix, volume.name, volume.size_bytes, "deleted"))
            else:
                fates.append(
                    VolumeFate(volume.suffix, volume.name, volume.size_bytes, "archived", why)
                )
        return fates


def removal_of(name: str, asked: FromNodes[RemoveAnswer]) -> tuple[bool, str | None]:
    """Return whether the volume *name* was removed, and why not, from every node's answer.

    Removed: on at least one node, and refused on none (a copy in use stays).
    """
    outcomes = [
        outcome
        for answer in asked.answers.values()
        for outcome in answer.volumes
        if outcome.name == name
    ]
    refused = [o.error for o in outcomes if not o.removed and o.error != NO_SUCH_VOLUME]
    if refused:
        return False, refused[0]
    if any(outcome.removed for outcome in outcomes):
        return True, None
    if asked.missing:
        return False, f"not found on the nodes that answered; {_missing_message(asked.missing)}"
    return False, NO_SUCH_VOLUME

"""The Docker side of a running hub: one engine client and the background work on it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from typing import TYPE_CHECKING

import docker

from stellars_docker.engine import call_engine
from stellars_docker.errors import DockerUnavailableError
from stellars_docker.gpu import GpuResolution
from stellars_docker.measure import MeasuredVolume, MeasureLimiter
from stellars_docker.node_work import EngineNodeWork, NodeWork
from stellars_docker.restart import RestartTracker
from stellars_docker.swarm.moves import FilesChoice, Move, Moves, SwarmNodes
from stellars_docker.usage import UserUsage, usage_by_user

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from stellars_docker.account_deletion import VolumeChoice, VolumeFate
    from stellars_docker.node_work import SizesSource, StatsSource
    from stellars_docker.ownership import ArchivedVolume
    from stellars_docker.ownership_store import Account, Database
    from stellars_docker.settings import DockerSettings
    from stellars_docker.stats import ContainerStats
    from stellars_docker.volumes import DeletionResult, ExistingVolume, UserVolume

log = logging.getLogger(__name__)

# Seconds between two attempts to reach an engine that did not answer at start.
RECONNECT_INTERVAL_S = 10.0
# Seconds a user waits between two measurements of their volumes: each walks
# every file of them, so asking again and again would load the host's disks.
MEASURE_INTERVAL_S = 60.0


class DockerRuntime:
    """The engine client, the volume-size and stats caches, and the restarts under way.

    Made once per hub by the platform's configuration and handed to the
    handlers through the Tornado settings; nothing here is global. The hub
    starts and serves without an engine: until one answers, operations that
    need it raise :class:`DockerUnavailableError` and the caches stay empty.
    """

    def __init__(
        self,
        settings: DockerSettings,
        gpu: GpuResolution | None = None,
        connect: Callable[[], docker.DockerClient] | None = None,
        node_work: Callable[[Callable[[], docker.DockerClient]], NodeWork] | None = None,
    ) -> None:
        self.settings = settings
        # What GPU detection found when the hub started (for the settings page).
        self.gpu = gpu or GpuResolution(enabled=False, detected=False)
        self.restarts = RestartTracker()
        # Users being moved to another swarm node, and the last move of each.
        self.moves = Moves()
        self.measurements = MeasureLimiter(MEASURE_INTERVAL_S)
        # The SDK asks the engine for its API version when a client is made,
        # so making one is itself an engine call: it happens in a worker thread.
        self._connect = connect or (lambda: docker.from_env(timeout=int(settings.engine_timeout_s)))
        self._client: docker.DockerClient | None = None
        # One engine by default; a swarm's node agents where configured. Made
        # once the engine answers, from a function that returns its client.
        self._make_node_work = node_work or (lambda client: EngineNodeWork(client()))
        self._node_work: NodeWork | None = None
        self._sizes: SizesSource | None = None
        self._stats: StatsSource | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def client(self) -> docker.DockerClient:
        """The engine client.

        Raises:
            DockerUnavailableError: no engine has answered yet.
        """
        if self._client is None:
            raise DockerUnavailableError("the Docker engine has not answered since the hub started")
        return self._client

    @property
    def node_work(self) -> NodeWork:
        """Where stats, sizes and a user's volumes are worked on: one engine, or the node agents.

        Raises:
            DockerUnavailableError: no engine has answered yet.
        """
        if self._node_work is None:
            self._node_work = self._make_node_work(lambda: self.client)
        return self._node_work

    async def ping(self) -> None:
        """Return once the engine answers a ping, within the engine timeout.

        Raises:
            DockerUnavailableError: no engine has answered since the hub
                started, or it does not answer now.
        """
        await call_engine(self.settings.engine_timeout_s, self.client.ping)

    def use_spawner_config(
        self, *, user_volumes: tuple[UserVolume, ...] | None = None, image: str | None = None
    ) -> None:
        """Manage *user_volumes* and measure with *image* (those given); at start-up only.

        An original-style config file says which volumes it mounts and which
        image it runs only once JupyterHub has read all of it, after this
        runtime was made.
        """
        if user_volumes:
            self.settings = dataclasses.replace(self.settings, user_volumes=user_volumes)
        if image:
            self.settings = dataclasses.replace(self.settings, image=image)

    def volume_sizes(self) -> dict[str, int | None]:
        """Return the last known size of each volume; empty before the first refresh."""
        return self._sizes.sizes() if self._sizes else {}

    async def measure_volumes(self, db: Database, user_id: int, key: str) -> list[MeasuredVolume]:
        """Return hub user *user_id*'s volumes measured now, and keep their sizes as the last known.

        *key* names the user for the rate limit (one measurement at a time,
        one every ``MEASURE_INTERVAL_S``). The run gets the volume-size
        timeout, as the background walk does.

        Raises:
            MeasurementInProgressError: a measurement for *key* is under way.
            MeasurementTooSoonError: *key* was measured moments ago.
            MoveInProgressError: the user's volumes are being moved to another node.
            DockerUnavailableError: the engine did not answer or refused.
        """
        self.moves.refuse_while_moving(user_id)
        work = self.node_work  # an engine never reached is no measurement: nothing to hold back
        with self.measurements.claim(key):
            measured = await work.measure_user_volumes(
                db,
                user_id,
                self.settings.user_volumes,
                image=self.settings.image,
                labels=self.settings.extra_labels,
                timeout_s=self.settings.volume_size_timeout_s,
                limit_s=self.settings.engine_timeout_s,
            )
        if self._sizes is not None:
            known = {v.name: v.size_bytes for v in measured if v.size_bytes is not None}
            self._sizes.record(known)
        return measured

    async def existing_user_volumes(self, db: Database, user_id: int) -> list[ExistingVolume]:
        """Return hub user *user_id*'s own volumes that exist, with their last known sizes.

        Raises:
            DockerUnavailableError: the engine (or every node agent) did not answer.
        """
        return await self.node_work.existing_user_volumes(
            db,
            user_id,
            self.settings.user_volumes,
            sizes=self.volume_sizes(),
            limit_s=self.settings.engine_timeout_s,
        )

    async def delete_user_volumes(
        self, db: Database, user_id: int, volumes: tuple[UserVolume, ...]
    ) -> list[DeletionResult]:
        """Delete hub user *user_id*'s *volumes* wherever they are; report each one's outcome.

        The caller commits *db* (the deleted volumes' records go) and makes
        sure the server is stopped.

        Raises:
            MoveInProgressError: the user's volumes are being moved to another node.
            DockerUnavailableError: the engine (or every node agent) did not answer.
        """
        self.moves.refuse_while_moving(user_id)
        return await self.node_work.delete_user_volumes(
            db, user_id, volumes, self.settings.engine_timeout_s
        )

    async def settle_account_volumes(
        self,
        db: Database,
        account: Account,
        volumes: Sequence[ExistingVolume],
        choice: VolumeChoice,
    ) -> list[VolumeFate]:
        """Delete or archive the deleted *account*'s *volumes*; return what became of each.

        Never raises for one volume (see
        :func:`~stellars_docker.account_deletion.settle_account_volumes`).
        """
        return await self.node_work.settle_account_volumes(
            db, account, volumes, choice, limit_s=self.settings.engine_timeout_s
        )

    async def archived_volumes(self, db: Database) -> list[ArchivedVolume]:
        """Return every volume whose owner account was deleted, with its last known size.

        Raises:
            DockerUnavailableError: the engine (or the volumes' storage) did not answer.
        """
        return await self.node_work.archived_volumes(
            lambda: self.client, db, self.volume_sizes(), self.settings.engine_timeout_s
        )

    async def purge_archived_volume(self, db: Database, name: str) -> None:
        """Remove the archived volume *name* and its records (the caller commits *db*).

        Raises:
            NotArchivedError: *name* is not an archived volume.
            ArchiveError: it cannot be removed now (a container uses it).
            DockerUnavailableError: the engine (or the volumes' storage) did not answer.
        """
        await self.node_work.purge_archived_volume(
            lambda: self.client, db, name, self.settings.engine_timeout_s
        )

    async def assign_archived_volume(self, db: Database, name: str, user_id: int) -> Account:
        """Give the archived volume *name* to hub user *user_id*; return that account.

        The caller commits *db*.

        Raises:
            NotArchivedError: *name* is not an archived volume.
            ArchiveError: *name* is not one of that account's volume names.
            DockerUnavailableError: the engine (or the volumes' storage) did not answer.
        """
        return await self.node_work.assign_archived_volume(
            lambda: self.client,
            db,
            name,
            user_id,
            user_volumes=self.settings.user_volumes,
            limit_s=self.settings.engine_timeout_s,
        )

    async def swarm_nodes(self, db: Database) -> SwarmNodes:
        """Return the swarm's nodes, as an admin moving a user chooses among them.

        Raises:
            NotOnASwarmError: the servers run on one engine.
            DockerUnavailableError: the manager's engine did not answer.
        """
        return await self.node_work.user_mover(self.settings).nodes(db)

    async def user_node(self, db: Database, user_id: int) -> str | None:
        """Return the swarm node hub user *user_id*'s volumes are on (None: none yet).

        Raises:
            NotOnASwarmError: the servers run on one engine.
        """
        return await self.node_work.user_mover(self.settings).node_of(db, user_id)

    async def move_user(
        self, db: Database, user_id: int, user_name: str, node: str, files: FilesChoice
    ) -> Move:
        """Begin moving hub user *user_id* (stopped) to the swarm *node*; return the move.

        The checks are done before this returns; the copy runs in the
        background, and :attr:`moves` follows it.

        Raises:
            NotOnASwarmError: the servers run on one engine.
            MoveInProgressError: the user is being moved already.
            UnknownNodeError: no node is *node*.
            MoveRefusedError: the node cannot take the user, or the files
                cannot be copied there (see :meth:`UserMover.prepare`).
            DockerUnavailableError: the manager's engine did not answer.
        """
        with self.moves.preparing(user_id):
            mover = self.node_work.user_mover(self.settings)
            move, carry_out = await mover.prepare(
                db, user_id, user_name, node, files=files, sizes=self.volume_sizes()
            )
        self.moves.begin(user_id, move, carry_out(move))
        return move

    def unreachable_nodes(self) -> tuple[str, ...]:
        """Return the swarm nodes whose figures the last refresh lacks; none on one host."""
        return self._node_work.unreachable_nodes() if self._node_work else ()

    def container_stats(self) -> dict[str, ContainerStats]:
        """Return the last stats of each running lab container; empty before the first refresh."""
        return self._stats.snapshot() if self._stats else {}

    def usage(self, usernames: Iterable[str]) -> dict[str, UserUsage]:
        """Return each user's last known CPU, memory and volume sizes (no engine call)."""
        return usage_by_user(
            usernames,
            self.settings,
            self.container_stats(),
            self.volume_sizes(),
            self._node_work.volume_nodes() if self._node_work else None,
        )

    def start(self) -> None:
        """Connect to the engine in the background, then start the refreshers.

        Must be called with an event loop running.
        """
        self._task = asyncio.get_running_loop().create_task(self._connect_and_refresh())

    async def stop(self) -> None:
        """Stop connecting and refreshing."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for refresher in (self._sizes, self._stats):
            if refresher is not None:
                await refresher.stop()
        await self.moves.stop()

    async def _connect_and_refresh(self) -> None:
        while self._client is None:
            try:
                self._client = await call_engine(self.settings.engine_timeout_s, self._connect)
            except DockerUnavailableError as error:
                log.warning("%s; trying again in %ss", error, RECONNECT_INTERVAL_S)
                await asyncio.sleep(RECONNECT_INTERVAL_S)
        self._sizes = self.node_work.sizes_source(self.settings)
        self._stats = self.node_work.stats_source(self.settings)
        self._sizes.start()
        self._stats.start()

"""Per-node work where the volumes live on storage every node shares: the directories, by the hub.

Stats are still each node's, from its agent. Everything about volumes is
done on the directories under the storage's root, which the hub sees
itself: sizes and "Measure now" by ``du``, a reset and an account's deletion
by removing the directories. A node's Docker volume object of a removed
volume only points at the directory; removing it does not remove the files,
and keeping it would leave nodes with stale definitions, so it is removed
too, through the agents, first. A node that still uses it (a stopped
server's container not gone yet) keeps the directory where it is: a
container there would go on writing into removed files, and a new server
on that node would be given the old directory's mount. A node that does
not answer keeps its object; the directory goes all the same.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from stellars_docker.account_deletion import DELETE, VolumeFate
from stellars_docker.errors import ArchiveError, DockerUnavailableError, MoveRefusedError
from stellars_docker.measure import MeasuredVolume
from stellars_docker.naming import volume_name
from stellars_docker.node_work import NodeWork
from stellars_docker.ownership import (
    CONTAINER_GONE_WAIT_S,
    archived_among,
    archived_named,
    assign_archived,
)
from stellars_docker.ownership_store import Account, account_of, forget_volume
from stellars_docker.refresher import SizesRefresher
from stellars_docker.swarm.agent.client import AgentNodeWork, claims_for
from stellars_docker.swarm.agent.protocol import REMOVE_PATH, RemoveAnswer, RemoveRequest
from stellars_docker.swarm.moves import UserMover
from stellars_docker.swarm.storage import (
    call_storage,
    delete_tree,
    directory_sizes,
    set_aside,
    volume_directories,
)
from stellars_docker.swarm.storage_ownership import owns_directory
from stellars_docker.volumes import NO_SUCH_VOLUME, DeletionResult, ExistingVolume

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Mapping, Sequence
    from pathlib import Path
    from typing import Any

    import docker

    from stellars_docker.account_deletion import VolumeChoice
    from stellars_docker.node_work import StatsSource
    from stellars_docker.ownership import ArchivedVolume
    from stellars_docker.ownership_store import Database
    from stellars_docker.settings import DockerSettings
    from stellars_docker.swarm.agent.client import AgentClient
    from stellars_docker.swarm.moves import FilesChoice, Move
    from stellars_docker.swarm.storage import SharedStorage
    from stellars_docker.volumes import UserVolume

log = logging.getLogger(__name__)

# Seconds a reset lets each node's agent wait for a stopped server's
# container to go before it removes the volume object: the node removes a
# task's container a moment after the hub removed its service.
_STOPPED_SERVER_GONE_S = 10.0


class DirectorySizes(SizesRefresher):
    """Keeps the last known size of every volume directory under the storage's root.

    Args:
        storage: where the directories are.
        interval_s: seconds from the start of one refresh to the start of the next.
        timeout_s: seconds one listing and one ``du`` over every directory may take.
    """

    def __init__(self, storage: SharedStorage, *, interval_s: float, timeout_s: float) -> None:
        super().__init__("volume sizes (shared storage)", interval_s)
        self._storage = storage
        self._timeout_s = timeout_s
        self._refreshing = asyncio.Lock()

    async def refresh(self) -> None:
        """List the volume directories and size each; the last sizes stay when the storage fails."""
        async with self._refreshing:
            try:
                names = await call_storage(self._timeout_s, volume_directories, self._storage.root)
                paths = {self._storage.directory(name): name for name in names}
                measured = await directory_sizes(list(paths), self._timeout_s)
            except DockerUnavailableError as error:
                self._engine_unavailable(error)
                return
            self._sizes = {name: measured.get(path) for path, name in paths.items()}
            self._engine_answers()


class SharedStorageNodeWork(NodeWork):
    """Stats from every node's agent; volumes as directories on the storage the nodes share.

    Args:
        agents: every node's agent (stats, and removing stale volume objects).
        storage: the volumes' options and where the hub sees their directories.
    """

    def __init__(self, agents: AgentClient, storage: SharedStorage) -> None:
        self._agents = agents
        self._nodes = AgentNodeWork(agents)
        self._storage = storage
        # Deletions of set-aside directories still running: kept so that
        # they are not collected before they end.
        self._deleting: set[asyncio.Task[None]] = set()

    @property
    def agents(self) -> AgentClient:
        """The client that asks every node's agent."""
        return self._agents

    def stats_source(self, settings: DockerSettings) -> StatsSource:
        """Return the refresher asking every agent for its node's lab containers' stats."""
        return self._nodes.stats_source(settings)

    def user_mover(self, settings: DockerSettings) -> UserMover:
        """Return what answers for moves: no user is on a node, and none is moved."""
        return _NothingToMove(
            self._agents, image=settings.image, user_volumes=settings.user_volumes
        )

    def sizes_source(self, settings: DockerSettings) -> DirectorySizes:
        """Return the refresher sizing every volume directory."""
        return DirectorySizes(
            self._storage,
            interval_s=settings.volume_size_interval_s,
            timeout_s=settings.volume_size_timeout_s,
        )

    def unreachable_nodes(self) -> tuple[str, ...]:
        """Return the nodes whose agents the last stats refresh did not hear from."""
        return self._nodes.unreachable_nodes()

    async def _owned(
        self, db: Database, account: Account, user_volumes: Sequence[UserVolume], limit_s: float
    ) -> list[tuple[UserVolume, str]]:
        owned = []
        for volume in user_volumes:
            name = volume_name(volume, account.name)
            if await owns_directory(self._storage, db, account, name, limit_s):
                owned.append((volume, name))
        return owned

    async def existing_user_volumes(
        self,
        db: Database,
        user_id: int,
        user_volumes: tuple[UserVolume, ...],
        *,
        sizes: Mapping[str, int | None],
        limit_s: float,
    ) -> list[ExistingVolume]:
        """Return the account's own volume directories, with their last known sizes.

        Raises:
            StorageUnavailableError: the storage did not answer in time.
        """
        account = account_of(db, user_id)
        return [
            ExistingVolume(
                volume.suffix, name, volume.mount_point, volume.description, sizes.get(name)
            )
            for volume, name in await self._owned(db, account, user_volumes, limit_s)
        ]

    async def delete_user_volumes(
        self, db: Database, user_id: int, volumes: tuple[UserVolume, ...], limit_s: float
    ) -> list[DeletionResult]:
        """Remove the account's volume directories among *volumes*; report each.

        One that is not there, or not the account's, is ``no such volume``.
        The records of those removed are dropped from *db* (the caller
        commits); the caller makes sure the server is stopped.

        Raises:
            StorageUnavailableError: the storage did not answer in time.
        """
        account = account_of(db, user_id)
        owned = {name: volume for volume, name in await self._owned(db, account, volumes, limit_s)}
        in_use = await self._remove_from_nodes(db, account, list(owned), _STOPPED_SERVER_GONE_S)
        results = []
        for volume in volumes:
            name = volume_name(volume, account.name)
            if name not in owned:
                error: str | None = NO_SUCH_VOLUME
            else:
                error = in_use.get(name) or await self._removal_error(db, name, limit_s)
            results.append(DeletionResult(volume.suffix, name, deleted=error is None, error=error))
        return results

    async def measure_user_volumes(
        self,
        db: Database,
        user_id: int,
        user_volumes: tuple[UserVolume, ...],
        *,
        image: str,  # noqa: ARG002  (du runs on the hub, over the directories)
        labels: Mapping[str, str],  # noqa: ARG002  (no container to label)
        timeout_s: float,
        limit_s: float,
    ) -> list[MeasuredVolume]:
        """Return the account's volume directories measured now by ``du``.

        Raises:
            StorageUnavailableError: the storage did not answer, or du ran past *timeout_s*.
        """
        account = account_of(db, user_id)
        owned = await self._owned(db, account, user_volumes, limit_s)
        paths = [self._storage.directory(name) for _, name in owned]
        measured = await directory_sizes(paths, timeout_s)
        return [
            MeasuredVolume(volume.suffix, name, measured.get(path))
            for (volume, name), path in zip(owned, paths, strict=True)
        ]

    async def settle_account_volumes(
        self,
        db: Database,
        account: Account,
        volumes: Sequence[ExistingVolume],
        choice: VolumeChoice,
        *,
        limit_s: float,
    ) -> list[VolumeFate]:
        """Remove or keep the deleted account's volume directories; never raises for one.

        A directory that cannot be removed stays archived, with the reason.
        """
        if choice != DELETE or not volumes:
            return [VolumeFate(v.suffix, v.name, v.size_bytes, "archived") for v in volumes]
        names = [volume.name for volume in volumes]
        in_use = await self._remove_from_nodes(db, account, names, CONTAINER_GONE_WAIT_S)
        fates = []
        for volume in volumes:
            try:
                # Listed as the account's a moment ago; checked again right before removal.
                owned = await owns_directory(self._storage, db, account, volume.name, limit_s)
            except DockerUnavailableError as error:
                error_text: str | None = str(error)
            else:
                if not owned:
                    error_text = f"{volume.name!r} is no longer {account.name!r}'s"
                else:
                    error_text = in_use.get(volume.name) or await self._removal_error(
                        db, volume.name, limit_s
                    )
            fates.append(
                VolumeFate(
                    volume.suffix,
                    volume.name,
                    volume.size_bytes,
                    "deleted" if error_text is None else "archived",
                    error_text,
                )
            )
        return fates

    async def archived_volumes(
        self,
        engine: Callable[[], docker.DockerClient],  # noqa: ARG002  (the directories are the volumes)
        db: Database,
        sizes: Mapping[str, int | None],
        limit_s: float,
    ) -> list[ArchivedVolume]:
        """Return every volume directory whose owner account was deleted, oldest deletion first.

        Raises:
            StorageUnavailableError: the storage did not answer in time.
        """
        names = await call_storage(limit_s, volume_directories, self._storage.root)
        return archived_among(db, [(name, {}) for name in names], sizes)

    async def purge_archived_volume(
        self,
        engine: Callable[[], docker.DockerClient],
        db: Database,
        name: str,
        limit_s: float,
    ) -> None:
        """Remove the archived volume directory *name*, its record and its nodes' volume objects.

        Raises:
            NotArchivedError: *name* is not an archived volume.
            ArchiveError: a node still uses it.
            StorageUnavailableError: the storage did not answer, or refused.
        """
        archived = archived_named(await self.archived_volumes(engine, db, {}, limit_s), name)
        owner = Account(archived.owner, archived.owner_name)
        # Its account was deleted moments ago, maybe: its server's container may still go.
        in_use = await self._remove_from_nodes(db, owner, [name], CONTAINER_GONE_WAIT_S)
        if name in in_use:
            raise ArchiveError(in_use[name])
        await self._remove_directory(db, name, limit_s)

    async def assign_archived_volume(
        self,
        engine: Callable[[], docker.DockerClient],
        db: Database,
        name: str,
        user_id: int,
        *,
        user_volumes: Sequence[UserVolume],
        limit_s: float,
    ) -> Account:
        """Give the archived directory *name* to *user_id* (as :func:`.ownership.assign_archived`).

        Raises:
            NotArchivedError: *name* is not an archived volume.
            ArchiveError: *name* is not one of that account's volume names.
            StorageUnavailableError: the storage did not answer in time.
        """
        archived = archived_named(await self.archived_volumes(engine, db, {}, limit_s), name)
        # The nodes' objects of it are labelled for the deleted account: the
        # new owner's servers would keep off those nodes. They only point at
        # the directory, which stays.
        owner = Account(archived.owner, archived.owner_name)
        await self._remove_from_nodes(db, owner, [name], 0.0)
        return assign_archived(db, archived, user_id, user_volumes)

    async def _remove_directory(self, db: Database, name: str, limit_s: float) -> None:
        """Remove the volume directory *name* and its record (the caller commits *db*).

        It is set aside at once; its files are deleted in the background,
        however long that takes.

        Raises:
            StorageUnavailableError: the storage did not answer, or refused.
        """
        aside = await call_storage(limit_s, set_aside, self._storage.directory(name))
        forget_volume(db, name)
        if aside is not None:
            task = asyncio.get_running_loop().create_task(self._delete(aside))
            self._deleting.add(task)
            task.add_done_callback(self._deleting.discard)

    async def _removal_error(self, db: Database, name: str, limit_s: float) -> str | None:
        # What kept the directory *name* from going, or None once it is gone.
        try:
            await self._remove_directory(db, name, limit_s)
        except DockerUnavailableError as error:
            return str(error)
        return None

    @staticmethod
    async def _delete(aside: Path) -> None:
        try:
            await asyncio.to_thread(delete_tree, aside)
        except OSError as error:
            log.warning("could not delete the files of a removed volume, %s: %s", aside, error)

    async def _remove_from_nodes(
        self, db: Database, account: Account, names: list[str], wait_s: float
    ) -> dict[str, str]:
        """Remove *account*'s volume objects *names* from every node; return those a node kept.

        Each node's agent waits up to *wait_s* for a container that uses one
        to go. A node that does not answer keeps its objects (logged): they
        only point at the directories.

        Returns:
            Volume name to why a node kept its object ("on node-2: ... in use").
        """
        if not names:
            return {}
        request = RemoveRequest(volumes=claims_for(db, account, names), wait_s=wait_s)
        try:
            asked = await self._agents.ask(
                REMOVE_PATH,
                request,
                RemoveAnswer,
                timeout_s=self._agents.settings.timeout_s + wait_s,
            )
        except DockerUnavailableError as error:
            log.warning("volume objects of %s left on the nodes: %s", account.name, error)
            return {}
        kept: dict[str, str] = {}
        for node, answer in sorted(asked.answers.items()):
            for outcome in answer.volumes:
                if not outcome.removed and outcome.error != NO_SUCH_VOLUME:
                    kept.setdefault(outcome.name, f"on {node}: {outcome.error}")
        if asked.missing:
            log.warning(
                "volume objects of %s may stay on nodes that did not answer: %s",
                account.name,
                ", ".join(sorted(asked.missing)),
            )
        return kept


class _NothingToMove(UserMover):
    """Moves where the volumes are on storage every node shares: there is nothing to move."""

    moves_files = False

    async def node_of(self, db: Database, user_id: int) -> str | None:  # noqa: ARG002
        """Return None: no user's files are on one node."""
        return None

    async def prepare(  # UserMover's arguments; only the name is needed to refuse
        self,
        db: Database,  # noqa: ARG002
        user_id: int,  # noqa: ARG002
        user_name: str,
        target: str,  # noqa: ARG002
        *,
        files: FilesChoice,  # noqa: ARG002
        sizes: Mapping[str, int | None],  # noqa: ARG002
    ) -> tuple[Move, Callable[[Move], Coroutine[Any, Any, None]]]:
        """Refuse: a server runs on any node, with the same files.

        Raises:
            MoveRefusedError: always.
        """
        raise MoveRefusedError(
            f"{user_name}'s files are on storage every node shares: their server runs on any "
            "node, and there is nothing to move"
        )

"""Work that needs the engine of the node where a container or volume is: one interface, two ways.

On one host the hub's own engine client does it (:class:`EngineNodeWork`).
On a swarm each node's agent does it for its node
(:class:`stellars_docker.swarm.agent.client.AgentNodeWork`). The runtime
holds one of the two and the handlers never know which.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Protocol

from stellars_docker.account_deletion import settle_account_volumes
from stellars_docker.errors import NotOnASwarmError
from stellars_docker.measure import measure_user_volumes
from stellars_docker.ownership import (
    archived_volumes,
    assign_archived_volume,
    purge_archived_volume,
)
from stellars_docker.sizes import VolumeSizeRefresher
from stellars_docker.stats import StatsCollector
from stellars_docker.volumes import delete_user_volumes, existing_user_volumes

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import docker

    from stellars_docker.account_deletion import VolumeChoice, VolumeFate
    from stellars_docker.measure import MeasuredVolume
    from stellars_docker.ownership import ArchivedVolume
    from stellars_docker.ownership_store import Account, Database
    from stellars_docker.settings import DockerSettings
    from stellars_docker.stats import ContainerStats
    from stellars_docker.swarm.moves import UserMover
    from stellars_docker.volumes import DeletionResult, ExistingVolume, UserVolume


class StatsSource(Protocol):
    """Keeps the last stats of every running lab container, by container name."""

    def start(self) -> None:
        """Refresh in the background from now on."""

    async def stop(self) -> None:
        """Stop refreshing."""

    def snapshot(self) -> dict[str, ContainerStats]:
        """Return the last stats without asking any engine."""
        ...


class SizesSource(Protocol):
    """Keeps the last known size of every volume, by volume name."""

    def start(self) -> None:
        """Refresh in the background from now on."""

    async def stop(self) -> None:
        """Stop refreshing."""

    def sizes(self) -> dict[str, int | None]:
        """Return the last sizes without asking any engine."""
        ...

    def record(self, sizes: Mapping[str, int]) -> None:
        """Keep *sizes*, measured just now, as the last known."""


class NodeWork(ABC):
    """Stats, sizes and a user's volumes, on whichever engines hold them."""

    @abstractmethod
    def stats_source(self, settings: DockerSettings) -> StatsSource:
        """Return a (not yet started) source of the lab containers' stats."""

    @abstractmethod
    def sizes_source(self, settings: DockerSettings) -> SizesSource:
        """Return a (not yet started) source of the volumes' sizes."""

    def unreachable_nodes(self) -> tuple[str, ...]:
        """Return the nodes whose figures the last refresh lacks; none on one host."""
        return ()

    def user_mover(self, settings: DockerSettings) -> UserMover:  # noqa: ARG002  (a swarm's uses it)
        """Return what moves users between nodes.

        Raises:
            NotOnASwarmError: the servers run on one engine, which has no other node.
        """
        raise NotOnASwarmError("the servers run on one Docker engine: there is no other node")

    def volume_nodes(self) -> dict[str, tuple[str, ...]]:
        """Return the nodes each volume was last seen on; empty on one host."""
        return {}

    @abstractmethod
    async def existing_user_volumes(
        self,
        db: Database,
        user_id: int,
        user_volumes: tuple[UserVolume, ...],
        *,
        sizes: Mapping[str, int | None],
        limit_s: float,
    ) -> list[ExistingVolume]:
        """Return the account's own volumes that exist (as :func:`.volumes.existing_user_volumes`).

        Raises:
            DockerUnavailableError: an engine that may hold them did not answer.
        """

    @abstractmethod
    async def delete_user_volumes(
        self, db: Database, user_id: int, volumes: tuple[UserVolume, ...], limit_s: float
    ) -> list[DeletionResult]:
        """Delete the account's *volumes*; report each (as :func:`.volumes.delete_user_volumes`).

        Raises:
            DockerUnavailableError: no engine answered.
        """

    @abstractmethod
    async def measure_user_volumes(
        self,
        db: Database,
        user_id: int,
        user_volumes: tuple[UserVolume, ...],
        *,
        image: str,
        labels: Mapping[str, str],
        timeout_s: float,
        limit_s: float,
    ) -> list[MeasuredVolume]:
        """Return the account's volumes measured now (as :func:`.measure.measure_user_volumes`).

        Raises:
            DockerUnavailableError: an engine did not answer or ``du`` failed.
        """

    @abstractmethod
    async def settle_account_volumes(
        self,
        db: Database,
        account: Account,
        volumes: Sequence[ExistingVolume],
        choice: VolumeChoice,
        *,
        limit_s: float,
    ) -> list[VolumeFate]:
        """Delete or archive a deleted account's volumes; never raises for one volume.

        As :func:`.account_deletion.settle_account_volumes`.
        """

    # The archive of deleted accounts' volumes: the hub's own engine's volumes,
    # unless the volumes live elsewhere (each swarm node's, asked through its
    # agent; storage every swarm node shares).

    async def archived_volumes(
        self,
        engine: Callable[[], docker.DockerClient],
        db: Database,
        sizes: Mapping[str, int | None],
        limit_s: float,
    ) -> list[ArchivedVolume]:
        """Return every volume whose owner is gone (as :func:`.ownership.archived_volumes`).

        Raises:
            DockerUnavailableError: the engine (or the storage) did not answer.
        """
        return await archived_volumes(engine(), db, sizes, limit_s)

    async def purge_archived_volume(
        self, engine: Callable[[], docker.DockerClient], db: Database, name: str, limit_s: float
    ) -> None:
        """Remove the archived volume *name* (as :func:`.ownership.purge_archived_volume`).

        Raises:
            NotArchivedError: *name* is not an archived volume.
            ArchiveError: it cannot be removed now.
            DockerUnavailableError: the engine (or the storage) did not answer.
        """
        await purge_archived_volume(engine(), db, name, limit_s)

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
        """Give archived *name* to *user_id* (as :func:`.ownership.assign_archived_volume`).

        Raises:
            NotArchivedError: *name* is not an archived volume.
            ArchiveError: *name* is not one of that account's volume names.
            DockerUnavailableError: the engine (or the storage) did not answer.
        """
        return await assign_archived_volume(
            engine(), db, name, user_id, user_volumes=user_volumes, limit_s=limit_s
        )


class EngineNodeWork(NodeWork):
    """All of it on one engine: the hub's own client."""

    def __init__(self, client: docker.DockerClient) -> None:
        self._client = client

    def stats_source(self, settings: DockerSettings) -> StatsSource:
        """Return a collector asking the engine for every lab container's stats."""
        return StatsCollector(
            self._client, interval_s=settings.stats_interval_s, timeout_s=settings.engine_timeout_s
        )

    def sizes_source(self, settings: DockerSettings) -> SizesSource:
        """Return a refresher asking the engine for every volume's size."""
        return VolumeSizeRefresher(
            self._client,
            interval_s=settings.volume_size_interval_s,
            timeout_s=settings.volume_size_timeout_s,
        )

    async def existing_user_volumes(
        self,
        db: Database,
        user_id: int,
        user_volumes: tuple[UserVolume, ...],
        *,
        sizes: Mapping[str, int | None],
        limit_s: float,
    ) -> list[ExistingVolume]:
        """Return the account's own volumes on the engine."""
        return await existing_user_volumes(
            self._client, db, user_id, user_volumes, sizes=sizes, limit_s=limit_s
        )

    async def delete_user_volumes(
        self, db: Database, user_id: int, volumes: tuple[UserVolume, ...], limit_s: float
    ) -> list[DeletionResult]:
        """Delete the account's *volumes* on the engine."""
        return await delete_user_volumes(self._client, db, user_id, volumes, limit_s)

    async def measure_user_volumes(
        self,
        db: Database,
        user_id: int,
        user_volumes: tuple[UserVolume, ...],
        *,
        image: str,
        labels: Mapping[str, str],
        timeout_s: float,
        limit_s: float,
    ) -> list[MeasuredVolume]:
        """Return the account's volumes on the engine, measured now."""
        return await measure_user_volumes(
            self._client,
            db,
            user_id,
            user_volumes,
            image=image,
            labels=labels,
            timeout_s=timeout_s,
            limit_s=limit_s,
        )

    async def settle_account_volumes(
        self,
        db: Database,
        account: Account,
        volumes: Sequence[ExistingVolume],
        choice: VolumeChoice,
        *,
        limit_s: float,
    ) -> list[VolumeFate]:
        """Delete or archive the deleted account's volumes on the engine."""
        return await settle_account_volumes(
            self._client, db, account, volumes, choice, limit_s=limit_s
        )

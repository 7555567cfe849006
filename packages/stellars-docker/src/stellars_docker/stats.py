"""Live CPU and memory of the lab containers, gathered in the background.

The engine answers a stats request only after it has taken two samples a
second apart, so a page that asked Docker while rendering would wait a second
or two per container. :class:`StatsCollector` asks for every container at
once, on its own schedule, and pages read its last snapshot instead.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import docker.errors

from stellars_docker.engine import call_engine, call_engine_in
from stellars_docker.errors import DockerUnavailableError
from stellars_docker.labels import LAB_ROLE, ROLE_LABEL
from stellars_docker.refresher import BackgroundRefresher

if TYPE_CHECKING:
    from collections.abc import Mapping

log = logging.getLogger(__name__)

# Enough for 32 containers sampled in the time of one stats call.
DEFAULT_CONCURRENT_CALLS = 32
_LAB_CONTAINER_LABELS: Mapping[str, str] = MappingProxyType({ROLE_LABEL: LAB_ROLE})


@dataclass(frozen=True)
class ContainerStats:
    """One sample of a container's resource use, as ``docker stats`` shows it.

    Attributes:
        container_name: the container's name, without Docker's leading ``/``.
        cpu_percent: CPU use over the engine's last sampling second; 100 is
            one core, so a busy container can exceed 100.
        memory_bytes: memory in use, without the page cache the kernel can
            reclaim.
        memory_limit_bytes: the container's memory limit, or the host's memory
            when the container has none.
        sampled_at: when the engine took the sample (UTC), or None when the
            engine had no sample (the container is not running).
        node: the swarm node the container runs on, or None on one host.
    """

    container_name: str
    cpu_percent: float
    memory_bytes: int
    memory_limit_bytes: int
    sampled_at: datetime | None
    node: str | None = None


def _mapping(value: object) -> Mapping[str, Any]:
    # A stopped container's document has nulls and missing sections; every
    # lookup goes through here so that those read as empty.
    return value if isinstance(value, dict) else {}


def _count(value: object) -> int:
    # bool is an int in Python but never a counter in the engine's document.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return 0


def _sample_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        read = datetime.fromisoformat(value)
    except ValueError:
        return None
    # The engine writes Go's zero time when it has no sample at all.
    if read.year <= 1:
        return None
    if read.tzinfo is None:
        return read.replace(tzinfo=UTC)
    return read.astimezone(UTC)


def _cpu_percent(raw: Mapping[str, Any]) -> float:
    # docker/cli stats_helpers.go, calculateCPUPercentUnix: the container's
    # share of the host's CPU time between the two samples, scaled to cores.
    cpu = _mapping(raw.get("cpu_stats"))
    previous = _mapping(raw.get("precpu_stats"))
    usage = _mapping(cpu.get("cpu_usage"))
    cpu_delta = _count(usage.get("total_usage")) - _count(
        _mapping(previous.get("cpu_usage")).get("total_usage")
    )
    system_delta = _count(cpu.get("system_cpu_usage")) - _count(previous.get("system_cpu_usage"))
    online_cpus = _count(cpu.get("online_cpus"))
    if online_cpus == 0:
        # Engines before API 1.27 do not report online_cpus; cgroup v1 still
        # lists one counter per CPU.
        per_cpu = usage.get("percpu_usage")
        online_cpus = len(per_cpu) if isinstance(per_cpu, list) else 0
    if system_delta > 0 and cpu_delta > 0:
        return cpu_delta / system_delta * online_cpus * 100.0
    return 0.0


def _memory_without_cache(memory: Mapping[str, Any]) -> int:
    # docker/cli stats_helpers.go, calculateMemUsageUnixNoCache: the page
    # cache the kernel can drop is total_inactive_file on cgroup v1 and
    # inactive_file on cgroup v2; it is subtracted only while smaller than usage.
    usage = _count(memory.get("usage"))
    counters = _mapping(memory.get("stats"))
    if "total_inactive_file" in counters:
        inactive = _count(counters["total_inactive_file"])
        if inactive < usage:
            return usage - inactive
    inactive = _count(counters.get("inactive_file"))
    if inactive < usage:
        return usage - inactive
    return usage


def compute_stats(name: str, raw: Mapping[str, Any]) -> ContainerStats:
    """Return the stats of container *name* from one engine stats document.

    *raw* is what ``container.stats(stream=False)`` returns (``GET
    /containers/{id}/stats?stream=false``) on cgroup v1 or v2. CPU and memory
    are computed the way the docker CLI computes them for ``docker stats``.
    Missing or null fields count as zero, so the document of a container
    that has just stopped gives zeros and no ``sampled_at``.

    Returns:
        The container's CPU percentage, memory without page cache, memory
        limit and sample time.
    """
    memory = _mapping(raw.get("memory_stats"))
    return ContainerStats(
        container_name=name,
        cpu_percent=_cpu_percent(raw),
        memory_bytes=_memory_without_cache(memory),
        memory_limit_bytes=_count(memory.get("limit")),
        sampled_at=_sample_time(raw.get("read")),
    )


class StatsCollector(BackgroundRefresher):
    """Keeps a snapshot of the stats of every running container with some labels.

    The caller creates one collector, calls :meth:`start` once the event loop
    runs, and reads :meth:`snapshot` whenever it needs figures; no reader
    ever waits for the engine.

    Args:
        client: the Docker engine's client.
        interval_s: seconds from the start of one refresh to the start of the next.
        timeout_s: seconds any one engine call may take (a stats call takes
            one to two seconds on a healthy engine).
        labels: the labels (all of them) a container must carry; by default
            the role label every lab container has.
        max_concurrent_calls: stats calls in flight at once, each in a thread
            of the collector's own pool for its one to two seconds, so that a
            refresh neither waits for the loop's default pool nor starves the
            restarts and volume calls that use it.

    Raises:
        ValueError: an interval, timeout or concurrency that is not positive.
    """

    def __init__(
        self,
        client: docker.DockerClient,
        *,
        interval_s: float,
        timeout_s: float,
        labels: Mapping[str, str] = _LAB_CONTAINER_LABELS,
        max_concurrent_calls: int = DEFAULT_CONCURRENT_CALLS,
    ) -> None:
        if interval_s <= 0 or timeout_s <= 0:
            raise ValueError(
                f"interval_s and timeout_s must be positive, got {interval_s} and {timeout_s}"
            )
        if max_concurrent_calls <= 0:
            raise ValueError(f"max_concurrent_calls must be positive, got {max_concurrent_calls}")
        super().__init__("container stats", interval_s)
        self._client = client
        self._timeout_s = timeout_s
        self._filters = {
            "label": [f"{key}={value}" for key, value in labels.items()],
            "status": ["running"],
        }
        self._max_concurrent_calls = max_concurrent_calls
        # Threads are waiting on the engine, not computing: many are cheap.
        self._executor = ThreadPoolExecutor(
            max_workers=max_concurrent_calls, thread_name_prefix="stellars-stats"
        )
        self._refreshing = asyncio.Lock()
        self._snapshot: dict[str, ContainerStats] = {}

    def snapshot(self) -> dict[str, ContainerStats]:
        """Return the last stats, keyed by container name, without asking the engine.

        Returns:
            A copy of the last snapshot; empty until the first refresh ends.
        """
        return dict(self._snapshot)

    async def refresh(self) -> None:
        """Take a new snapshot: list the running containers, then sample all at once.

        Waits for a refresh already under way, so two never overlap. A
        container that stops or vanishes meanwhile is left out; one whose
        call failed on the engine's side keeps its previous figures (its
        ``sampled_at`` tells how old they are). When the engine cannot be
        reached, the previous snapshot stays and one warning is logged until
        the engine answers again.
        """
        async with self._refreshing:
            try:
                listed = await call_engine(
                    self._timeout_s, self._client.api.containers, filters=self._filters
                )
            except DockerUnavailableError as error:
                self._engine_unavailable(error)
                return
            names = {_container_name(entry): str(entry["Id"]) for entry in listed}
            calls = asyncio.Semaphore(self._max_concurrent_calls)
            samples = await asyncio.gather(
                *(self._sample(calls, name, container_id) for name, container_id in names.items())
            )
            snapshot: dict[str, ContainerStats] = {}
            failures: list[DockerUnavailableError] = []
            for name, sample in zip(names, samples, strict=True):
                if isinstance(sample, ContainerStats):
                    snapshot[name] = sample
                elif isinstance(sample, DockerUnavailableError):
                    failures.append(sample)
                    if name in self._snapshot:
                        snapshot[name] = self._snapshot[name]
            self._snapshot = snapshot
            if failures and len(failures) == len(names):
                self._engine_unavailable(failures[0])
            else:
                self._engine_answers()

    async def _sample(
        self, calls: asyncio.Semaphore, name: str, container_id: str
    ) -> ContainerStats | DockerUnavailableError | None:
        async with calls:
            try:
                raw = await call_engine_in(
                    self._executor,
                    self._timeout_s,
                    self._client.api.stats,
                    container_id,
                    stream=False,
                )
            except DockerUnavailableError as error:
                return error
            except docker.errors.APIError as error:
                # call_engine lets only client errors through: the container
                # was removed (404) or is no longer running.
                log.debug("container stats: skipping %s: %s", name, error)
                return None
        sample = compute_stats(name, raw)
        # It stopped between the listing and the call: nothing to report.
        return sample if sample.sampled_at is not None else None


# On a swarm a task's container is named {service}.{slot}.{task id}; the
# platform knows a server by its service's name, which this label holds.
SWARM_SERVICE_LABEL = "com.docker.swarm.service.name"


def _container_name(entry: Mapping[str, Any]) -> str:
    service = _mapping(entry.get("Labels")).get(SWARM_SERVICE_LABEL)
    if isinstance(service, str) and service:
        return service
    names = entry.get("Names") or []
    return str(names[0]).removeprefix("/") if names else str(entry["Id"])

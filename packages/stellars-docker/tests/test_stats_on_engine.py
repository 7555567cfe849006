"""StatsCollector on the real engine: lab containers' figures, cached, never blocking a reader."""

import asyncio
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import docker
import pytest
import requests

from stellars_docker.labels import LAB_ROLE, ROLE_LABEL
from stellars_docker.stats import StatsCollector

# The engine's stats and the collector's arithmetic: no part of JupyterHub
# takes part (docs/testing.md), so the older one's session leaves it out.
pytestmark = pytest.mark.same_on_every_jupyterhub

MEMORY_LIMIT = 256 * 1024 * 1024
HOLD_50_MB = "b = bytearray(50_000_000); import time; time.sleep(300)"


def _labels(docker_run):
    return {**docker_run.labels, ROLE_LABEL: LAB_ROLE}


def _collector(docker_run, client=None):
    # The run's label keeps other containers on the engine out of the snapshot.
    return StatsCollector(
        client or docker_run.client, interval_s=60, timeout_s=30, labels=_labels(docker_run)
    )


def _start(docker_run, image, name, command, *, labels=None, **options):
    return docker_run.client.containers.run(
        image,
        command,
        name=f"stats-{name}-{docker_run.run_id}",
        labels=labels if labels is not None else _labels(docker_run),
        detach=True,
        **options,
    )


@pytest.fixture(scope="module")
def holding_50_mb(docker_run, lab_image):
    container = _start(
        docker_run, lab_image, "mem", ["python3", "-c", HOLD_50_MB], mem_limit=MEMORY_LIMIT
    )
    yield container
    container.remove(force=True)


@pytest.fixture
def own_client():
    """A client of its own, so a test can break its calls without touching the session's."""
    client = docker.from_env(timeout=60)
    yield client
    client.close()


def _refreshed_until(collector, name, predicate, deadline_s=30.0):
    async def poll():
        give_up = time.monotonic() + deadline_s
        while True:
            await collector.refresh()
            stats = collector.snapshot().get(name)
            if (stats is not None and predicate(stats)) or time.monotonic() > give_up:
                return stats

    return asyncio.run(poll())


def test_a_lab_container_shows_its_memory_without_cache_and_its_limit(docker_run, holding_50_mb):
    collector = _collector(docker_run)
    # The interpreter needs a moment to start and fill its buffer.
    stats = _refreshed_until(
        collector, holding_50_mb.name, lambda stats: stats.memory_bytes >= 50_000_000
    )

    assert stats is not None
    assert stats.container_name == holding_50_mb.name
    assert 50_000_000 <= stats.memory_bytes < MEMORY_LIMIT
    assert stats.memory_limit_bytes == MEMORY_LIMIT
    assert stats.cpu_percent >= 0
    assert abs(datetime.now(UTC) - stats.sampled_at) < timedelta(minutes=1)


def test_a_busy_container_shows_cpu_use(docker_run, lab_image):
    spinning = _start(docker_run, lab_image, "cpu", ["python3", "-c", "while True: pass"])
    try:
        stats = _refreshed_until(
            _collector(docker_run), spinning.name, lambda stats: stats.cpu_percent > 10
        )
    finally:
        spinning.remove(force=True)

    assert stats is not None
    assert stats.cpu_percent > 10


def test_stopped_containers_and_other_containers_are_not_in_the_snapshot(
    docker_run, lab_image, holding_50_mb
):
    stopped = _start(docker_run, lab_image, "stopped", ["true"])
    stopped.wait(timeout=60)
    not_a_lab = _start(docker_run, lab_image, "notlab", ["sleep", "300"], labels=docker_run.labels)
    try:
        collector = _collector(docker_run)
        asyncio.run(collector.refresh())
        names = set(collector.snapshot())
    finally:
        not_a_lab.remove(force=True)

    assert holding_50_mb.name in names
    assert stopped.name not in names
    assert not_a_lab.name not in names


def test_a_container_that_stops_leaves_the_snapshot(docker_run, lab_image):
    container = _start(docker_run, lab_image, "stops", ["sleep", "300"])
    collector = _collector(docker_run)
    asyncio.run(collector.refresh())
    assert container.name in collector.snapshot()

    container.kill()
    asyncio.run(collector.refresh())

    assert container.name not in collector.snapshot()


def test_a_container_removed_during_a_refresh_is_skipped(
    docker_run, lab_image, holding_50_mb, own_client, monkeypatch
):
    doomed = _start(docker_run, lab_image, "doomed", ["sleep", "300"])
    listing = own_client.api.containers

    def list_then_remove(*args, **kwargs):
        listed = listing(*args, **kwargs)
        doomed.remove(force=True)
        return listed

    monkeypatch.setattr(own_client.api, "containers", list_then_remove)
    collector = _collector(docker_run, own_client)
    asyncio.run(collector.refresh())

    names = set(collector.snapshot())
    assert doomed.name not in names
    assert holding_50_mb.name in names


def test_the_snapshot_is_kept_and_served_while_the_engine_fails(
    docker_run, holding_50_mb, own_client, monkeypatch, caplog
):
    collector = _collector(docker_run, own_client)
    asyncio.run(collector.refresh())
    before = collector.snapshot()
    assert holding_50_mb.name in before

    def unreachable(*args, **kwargs):
        raise requests.exceptions.ConnectionError("engine gone")

    monkeypatch.setattr(own_client.api, "_get", unreachable)
    # Reading makes no engine call at all, so it still answers.
    assert collector.snapshot() == before
    with caplog.at_level(logging.WARNING, logger="stellars_docker.stats"):
        asyncio.run(collector.refresh())
        asyncio.run(collector.refresh())

    assert collector.snapshot() == before
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "engine gone" in warnings[0].getMessage()


def test_refreshes_never_overlap(docker_run, holding_50_mb, own_client, monkeypatch):
    listing = own_client.api.containers
    in_flight = []
    most = [0]
    guard = threading.Lock()

    def counting_list(*args, **kwargs):
        with guard:
            in_flight.append(1)
            most[0] = max(most[0], len(in_flight))
        try:
            return listing(*args, **kwargs)
        finally:
            with guard:
                in_flight.pop()

    monkeypatch.setattr(own_client.api, "containers", counting_list)
    collector = _collector(docker_run, own_client)

    async def both():
        collector.start()
        await asyncio.gather(collector.refresh(), collector.refresh())
        await collector.stop()

    asyncio.run(both())

    assert most[0] == 1
    assert holding_50_mb.name in collector.snapshot()


def test_start_fills_the_snapshot_without_a_reader_asking(docker_run, holding_50_mb):
    collector = _collector(docker_run)

    async def run():
        collector.start()
        with pytest.raises(RuntimeError, match="already running"):
            collector.start()
        for _ in range(300):  # 30 s at most
            if collector.snapshot():
                break
            await asyncio.sleep(0.1)
        await collector.stop()

    asyncio.run(run())

    assert holding_50_mb.name in collector.snapshot()


def test_figures_stay_when_only_the_stats_calls_fail(
    docker_run, holding_50_mb, own_client, monkeypatch, caplog
):
    collector = _collector(docker_run, own_client)
    asyncio.run(collector.refresh())
    before = collector.snapshot()

    def failing_stats(*args, **kwargs):
        raise requests.exceptions.ReadTimeout("stats took too long")

    monkeypatch.setattr(own_client.api, "stats", failing_stats)
    with caplog.at_level(logging.WARNING, logger="stellars_docker.stats"):
        asyncio.run(collector.refresh())

    assert collector.snapshot() == before
    assert [record.levelno for record in caplog.records] == [logging.WARNING]

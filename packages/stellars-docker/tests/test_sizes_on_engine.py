"""VolumeSizeRefresher on the real engine: what a container wrote is counted, in the background."""

import asyncio
import logging
import threading
import time

import docker
import pytest
import requests

from stellars_docker.sizes import VolumeSizeRefresher

FIVE_MB = 5_000_000


@pytest.fixture(scope="module")
def volume_with_5_mb(docker_run, lab_image):
    name = f"sizes-{docker_run.run_id}"
    volume = docker_run.client.volumes.create(name, labels=docker_run.labels)
    writer = docker_run.client.containers.run(
        lab_image,
        ["bash", "-c", f"head -c {FIVE_MB} /dev/urandom > /data/blob && sync"],
        volumes={name: {"bind": "/data", "mode": "rw"}},
        # A new volume's root belongs to root; the lab image runs as jovyan.
        user="root",
        labels=docker_run.labels,
        detach=True,
    )
    try:
        status = writer.wait(timeout=60)
        assert status["StatusCode"] == 0, writer.logs().decode()
    finally:
        writer.remove(force=True)
    yield name
    volume.remove(force=True)


@pytest.fixture
def own_client():
    """A client of its own, so a test can break its calls without touching the session's."""
    client = docker.from_env(timeout=60)
    yield client
    client.close()


def _refresher(client):
    return VolumeSizeRefresher(client, interval_s=60, timeout_s=60)


def test_a_volume_is_sized_with_what_was_written_into_it(docker_run, volume_with_5_mb):
    refresher = _refresher(docker_run.client)
    asyncio.run(refresher.refresh())

    assert refresher.size_of(volume_with_5_mb) >= FIVE_MB
    assert refresher.sizes()[volume_with_5_mb] >= FIVE_MB
    assert refresher.size_of(f"never-created-{docker_run.run_id}") is None


def test_sizes_arrive_after_start_without_anyone_asking(docker_run, volume_with_5_mb):
    refresher = _refresher(docker_run.client)

    async def run():
        refresher.start()
        with pytest.raises(RuntimeError, match="already running"):
            refresher.start()
        for _ in range(300):  # 30 s at most
            if refresher.size_of(volume_with_5_mb) is not None:
                break
            await asyncio.sleep(0.1)
        await refresher.stop()

    asyncio.run(run())

    assert refresher.size_of(volume_with_5_mb) >= FIVE_MB


def test_the_last_sizes_stay_while_the_engine_fails(
    volume_with_5_mb, own_client, monkeypatch, caplog
):
    refresher = _refresher(own_client)
    asyncio.run(refresher.refresh())
    before = refresher.sizes()

    def unreachable(*args, **kwargs):
        raise requests.exceptions.ConnectionError("engine gone")

    monkeypatch.setattr(own_client.api, "_get", unreachable)
    with caplog.at_level(logging.WARNING, logger="stellars_docker.sizes"):
        asyncio.run(refresher.refresh())
        asyncio.run(refresher.refresh())

    assert refresher.sizes() == before
    assert refresher.size_of(volume_with_5_mb) >= FIVE_MB
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "engine gone" in warnings[0].getMessage()


def test_a_query_past_its_deadline_is_not_started_again_while_it_runs(
    volume_with_5_mb, own_client, monkeypatch
):
    real_get = own_client.api._get
    release = threading.Event()
    queries = []

    def slow_get(*args, **kwargs):
        queries.append(args)
        release.wait(30)
        return real_get(*args, **kwargs)

    monkeypatch.setattr(own_client.api, "_get", slow_get)
    refresher = VolumeSizeRefresher(own_client, interval_s=60, timeout_s=0.5)

    async def run():
        await refresher.refresh()  # times out; its query goes on in its thread
        await refresher.refresh()  # finds that query still running
        started_while_busy = len(queries)
        release.set()
        give_up = time.monotonic() + 30
        while refresher.size_of(volume_with_5_mb) is None and time.monotonic() < give_up:
            await asyncio.sleep(0.2)
            await refresher.refresh()
        return started_while_busy

    started_while_busy = asyncio.run(run())

    assert started_while_busy == 1
    assert refresher.size_of(volume_with_5_mb) >= FIVE_MB

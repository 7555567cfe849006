"""The GPU probe on the real engine, which has neither a GPU nor NVIDIA's container toolkit."""

import logging
import threading
import time
import uuid

from stellars_docker.gpu import GpuMode, GpuResolution, detect_gpus, probe_gpus

CASE_LABEL = "org.stellars-hub.test-case"


def _labels(docker_run):
    # A label of this test's own, so that no other probe's container is counted.
    return {**docker_run.labels, CASE_LABEL: uuid.uuid4().hex}


def _selector(labels):
    return {"label": [f"{CASE_LABEL}={labels[CASE_LABEL]}", "org.stellars-hub.role=gpu-probe"]}


def _containers(docker_run, labels):
    return docker_run.client.containers.list(all=True, filters=_selector(labels))


def _lifecycle(docker_run, labels, since):
    # The engine's own record shows the probe's container existed, so "none left" means removed.
    events = docker_run.client.events(
        since=since,
        until=int(time.time()) + 1,
        filters={"type": "container", **_selector(labels)},
        decode=True,
    )
    return [event["Action"] for event in events]


def _probe_workers_finish():
    for thread in threading.enumerate():
        if thread.name.startswith("stellars-gpu-probe-"):
            thread.join(30)


def test_an_engine_without_gpus_gives_none_quickly_and_keeps_no_probe(
    docker_run, lab_image, caplog
):
    labels, since = _labels(docker_run), int(time.time())
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="stellars_docker.gpu"):
        assert probe_gpus(docker_run.client, lab_image, 15, labels) == []
    assert time.monotonic() - started < 10
    assert "so no GPUs" in caplog.text
    assert _containers(docker_run, labels) == []
    actions = _lifecycle(docker_run, labels, since)
    assert "create" in actions
    assert "destroy" in actions


def test_a_probe_out_of_time_returns_at_once_and_its_container_is_still_removed(
    docker_run, lab_image
):
    labels, since = _labels(docker_run), int(time.time())
    started = time.monotonic()
    assert probe_gpus(docker_run.client, lab_image, 0.001, labels) == []
    assert time.monotonic() - started < 1
    _probe_workers_finish()
    assert _containers(docker_run, labels) == []
    actions = _lifecycle(docker_run, labels, since)
    assert "create" in actions
    assert "destroy" in actions


def test_a_missing_probe_image_gives_no_gpus_and_is_never_pulled(docker_run):
    labels = _labels(docker_run)
    missing = f"stellars-no-such-image-{docker_run.run_id}:latest"
    assert probe_gpus(docker_run.client, missing, 15, labels) == []
    assert _containers(docker_run, labels) == []
    assert docker_run.client.images.list(name=missing) == []


def test_auto_detect_on_an_engine_without_gpus_turns_gpus_off(docker_run, lab_image):
    labels = _labels(docker_run)
    resolution = detect_gpus(GpuMode.AUTO, image=lab_image, timeout_s=15, labels=labels)
    assert resolution == GpuResolution(enabled=False, detected=False, gpus=(), probed=True)
    assert _containers(docker_run, labels) == []

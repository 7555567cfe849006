"""GPU mode, inventory parsing and spawner configuration; the probe's logic on a stand-in engine.

What the probe does on a real engine is pinned in test_gpu_probe_on_engine.py.
"""

import logging
import re
import threading
import time
from pathlib import Path

import docker.errors
import docker.types
import pytest
import requests.exceptions

from stellars_docker.gpu import (
    PROBE_COMMAND,
    Gpu,
    GpuMode,
    GpuResolution,
    gpu_spawner_config,
    parse_inventory,
    probe_gpus,
    resolve_gpus,
)

H200 = Path(__file__).parent / "fixtures" / "nvidia-smi" / "h200"
H200_GPU = Gpu(
    index=0, name="NVIDIA H200", uuid="GPU-7947a5af-2c54-8b33-66a0-846e312ca848", memory_mib=143771
)
H100_ROW = "1, GPU-00000000-1111-2222-3333-444444444444, NVIDIA H100 80GB HBM3, 81559"

# ------------------------------------------------------------------ parse_inventory


@pytest.mark.parametrize("fixture", ["nvidia-smi-query-noheader.csv", "nvidia-smi-query.csv"])
def test_real_nvidia_smi_output_gives_the_h200(fixture):
    assert parse_inventory((H200 / fixture).read_text()) == [H200_GPU]


@pytest.mark.parametrize("fixture", ["probe-command.csv", "probe-command-header.csv"])
def test_what_the_probes_own_command_printed_on_a_real_h200_parses(fixture):
    # Captured by running PROBE_COMMAND itself on a host with an H200.
    (gpu,) = parse_inventory((H200 / fixture).read_text())
    assert (gpu.index, gpu.name, gpu.memory_mib) == (0, "NVIDIA H200", 143771)
    assert gpu.uuid.startswith("GPU-")


def test_the_probe_asks_for_the_columns_the_parser_reads_without_header():
    assert PROBE_COMMAND == (
        "nvidia-smi",
        "--query-gpu=index,uuid,name,memory.total",
        "--format=csv,noheader,nounits",
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            f"0, GPU-7947a5af-2c54-8b33-66a0-846e312ca848, NVIDIA H200, 143771\n{H100_ROW}\n",
            id="noheader",
        ),
        pytest.param(
            "name, memory.total [MiB], uuid, index\n"
            "NVIDIA H200, 143771 MiB, GPU-7947a5af-2c54-8b33-66a0-846e312ca848, 0\n"
            "NVIDIA H100 80GB HBM3, 81559 MiB, GPU-00000000-1111-2222-3333-444444444444, 1\n",
            id="header-in-another-order",
        ),
        pytest.param(
            "0, GPU-7947a5af-2c54-8b33-66a0-846e312ca848, NVIDIA H200, 143771 MiB\n"
            f"\n{H100_ROW} MiB\n\n",
            id="noheader-with-units-and-blank-lines",
        ),
    ],
)
def test_several_gpus_are_read_in_either_form(text):
    h100 = Gpu(1, "NVIDIA H100 80GB HBM3", "GPU-00000000-1111-2222-3333-444444444444", 81559)
    assert parse_inventory(text) == [H200_GPU, h100]


@pytest.mark.parametrize("text", ["", "\n\n", "index, uuid, name, memory.total [MiB]\n"])
def test_no_rows_mean_no_gpus(text):
    assert parse_inventory(text) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("0, GPU-1, NVIDIA H200\n", "at least 4 fields", id="too-few-fields"),
        pytest.param("x, GPU-1, NVIDIA H200, 1\n", "neither a GPU row nor a header", id="no-index"),
        pytest.param("-1, GPU-1, NVIDIA H200, 1\n", "neither a GPU row", id="negative-index"),
        pytest.param("0, GPU-1, NVIDIA H200, [N/A]\n", "not a number of MiB", id="memory-n/a"),
        pytest.param("0, GPU-1, NVIDIA H200, 80 GiB\n", "not a number of MiB", id="memory-in-gib"),
        pytest.param("0, GPU-1, NVIDIA H200, 1.5\n", "not a number of MiB", id="memory-fraction"),
        pytest.param(
            "0, NVIDIA H200, GPU-1, 1\n", "does not start with GPU-", id="columns-swapped"
        ),
        pytest.param("0, GPU-1, , 1\n", "no name", id="empty-name"),
        pytest.param("0, GPU-1, A, 1\n0, GPU-2, B, 1\n", "share an index", id="duplicate-index"),
        pytest.param("0, GPU-1, A, 1\n1 GPU-2 B 1\n", "line 2", id="second-row-broken"),
        pytest.param("No devices were found\n", "neither a GPU row nor a header", id="no-devices"),
        pytest.param("index, uuid, name\n0, GPU-1, A\n", "lacks memory.total", id="header-short"),
        pytest.param(
            "index, uuid, name, memory.total [MiB]\n0, GPU-1, A\n", "line 2", id="row-short"
        ),
    ],
)
def test_malformed_output_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_inventory(text)


# ------------------------------------------------------------------ resolve_gpus


def _probe_finding(*gpus):
    calls = []

    def probe():
        calls.append(1)
        return list(gpus)

    return probe, calls


@pytest.mark.parametrize(
    ("mode", "found", "expected", "probed"),
    [
        pytest.param(GpuMode.OFF, [H200_GPU], GpuResolution(False, False), False, id="off"),
        pytest.param(GpuMode.ON, [], GpuResolution(True, False), False, id="forced-on"),
        pytest.param(
            GpuMode.AUTO,
            [H200_GPU],
            GpuResolution(True, True, (H200_GPU,), probed=True),
            True,
            id="auto-found",
        ),
        pytest.param(
            GpuMode.AUTO, [], GpuResolution(False, False, probed=True), True, id="auto-none"
        ),
        pytest.param(
            2, [H200_GPU], GpuResolution(True, True, (H200_GPU,), probed=True), True, id="plain-int"
        ),
    ],
)
def test_the_mode_decides_and_only_auto_probes(mode, found, expected, probed):
    probe, calls = _probe_finding(*found)
    assert resolve_gpus(mode, probe) == expected
    assert bool(calls) == probed


def test_an_unknown_mode_is_refused():
    probe, _ = _probe_finding()
    with pytest.raises(ValueError, match="3"):
        resolve_gpus(3, probe)


# ------------------------------------------------------------------ gpu_spawner_config

ALL_GPUS = docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])


@pytest.mark.parametrize(
    ("resolution", "environment", "device_requests"),
    [
        pytest.param(
            GpuResolution(False, False),
            {"ENABLE_GPU_SUPPORT": "0", "ENABLE_GPUSTAT": "0", "NVIDIA_DETECTED": "0"},
            None,
            id="off",
        ),
        pytest.param(
            GpuResolution(True, False),
            {"ENABLE_GPU_SUPPORT": "1", "ENABLE_GPUSTAT": "1", "NVIDIA_DETECTED": "0"},
            [ALL_GPUS],
            id="forced-on",
        ),
        pytest.param(
            GpuResolution(True, True, (H200_GPU,)),
            {"ENABLE_GPU_SUPPORT": "1", "ENABLE_GPUSTAT": "1", "NVIDIA_DETECTED": "1"},
            [ALL_GPUS],
            id="detected",
        ),
    ],
)
def test_spawner_config_sets_the_flags_and_requests_gpus_only_when_enabled(
    resolution, environment, device_requests
):
    config = gpu_spawner_config(resolution)
    assert config["environment"] == environment
    assert config.get("extra_host_config", {}).get("device_requests") == device_requests


def test_the_device_request_survives_dockerspawners_template_rendering():
    # DockerSpawner renders extra_host_config into plain dicts before it builds the host config.
    (request,) = gpu_spawner_config(GpuResolution(True, True))["extra_host_config"][
        "device_requests"
    ]
    host_config = docker.types.HostConfig(version="1.41", device_requests=[dict(request)])
    assert host_config["DeviceRequests"] == [
        {"Driver": "", "Count": -1, "DeviceIDs": [], "Capabilities": [["gpu"]], "Options": {}}
    ]


# ------------------------------------------------------------------ probe_gpus, stand-in engine
# The real engine has no GPU, so the path where nvidia-smi answers is only
# reachable with a stand-in; test_gpu_probe_on_engine.py covers the rest for real.


class _Container:
    def __init__(self, engine):
        self.engine = engine

    def start(self):
        time.sleep(self.engine.start_hangs_for)
        if self.engine.start_error:
            raise self.engine.start_error

    def wait(self, timeout):
        if self.engine.runs_for > timeout:
            time.sleep(timeout)
            raise requests.exceptions.ReadTimeout("read timed out")
        return {"StatusCode": self.engine.status}

    def logs(self, stdout, stderr):
        return self.engine.stdout if stdout else self.engine.stderr


class _Engine:
    """Just what probe_gpus calls: containers.create and api.remove_container."""

    def __init__(
        self, *, status=0, stdout=b"", stderr=b"", start_error=None, start_hangs_for=0, runs_for=0
    ):
        self.status, self.stdout, self.stderr = status, stdout, stderr
        self.start_error, self.start_hangs_for, self.runs_for = (
            start_error,
            start_hangs_for,
            runs_for,
        )
        self.containers = self.api = self
        self.created = {}
        self.removed = []

    def create(self, image, command, *, name, **kwargs):
        self.created[name] = {"image": image, "command": command, **kwargs}
        return _Container(self)

    def remove_container(self, name, *, force):
        assert force
        if name not in self.created:
            raise docker.errors.NotFound("no such container")
        self.removed.append(name)


def _probe_threads_finish():
    for thread in threading.enumerate():
        if thread.name.startswith("stellars-gpu-probe-"):
            thread.join(10)


def test_the_probe_reads_the_inventory_and_removes_its_container():
    engine = _Engine(stdout=(H200 / "nvidia-smi-query-noheader.csv").read_bytes())
    assert probe_gpus(engine, "lab:latest", 5, {"team": "a"}) == [H200_GPU]
    ((name, created),) = engine.created.items()
    assert name.startswith("stellars-gpu-probe-")
    assert created["image"] == "lab:latest"
    assert created["command"] == list(PROBE_COMMAND)
    assert created["device_requests"] == [ALL_GPUS]
    assert created["labels"] == {"team": "a", "org.stellars-hub.role": "gpu-probe"}
    assert engine.removed == [name]


def test_the_role_label_cannot_be_overridden():
    engine = _Engine(stdout=b"")
    probe_gpus(engine, "lab", 5, {"org.stellars-hub.role": "lab"})
    (created,) = engine.created.values()
    assert created["labels"] == {"org.stellars-hub.role": "gpu-probe"}


def test_each_probe_has_a_name_of_its_own():
    engine = _Engine()
    probe_gpus(engine, "lab", 5)
    probe_gpus(engine, "lab", 5)
    assert len(engine.created) == 2


@pytest.mark.parametrize(
    ("engine", "reason"),
    [
        pytest.param(
            _Engine(start_error=docker.errors.APIError("could not select device driver")),
            "could not select device driver",
            id="no-gpu-runtime",
        ),
        pytest.param(
            _Engine(status=6, stderr=b"No devices were found\n"),
            "exited with 6",
            id="nvidia-smi-fails",
        ),
        pytest.param(_Engine(stdout=b"garbage\n"), "unreadable", id="unreadable-output"),
    ],
)
def test_a_failing_probe_means_no_gpus_says_why_and_is_removed(engine, reason, caplog):
    with caplog.at_level(logging.WARNING, logger="stellars_docker.gpu"):
        assert probe_gpus(engine, "lab", 5) == []
    assert reason in caplog.text
    assert engine.removed == list(engine.created)


def test_an_unreachable_engine_means_no_gpus(caplog):
    engine = _Engine()

    def refuse(*args, **kwargs):
        raise requests.exceptions.ConnectionError("connection refused")

    engine.create = refuse
    with caplog.at_level(logging.WARNING, logger="stellars_docker.gpu"):
        assert probe_gpus(engine, "lab", 5) == []
    assert "connection refused" in caplog.text
    assert "could not remove" not in caplog.text  # never created: nothing to remove


@pytest.mark.parametrize(
    ("engine", "reason"),
    [
        pytest.param(_Engine(start_hangs_for=1), "did not finish within 0.3s", id="engine-hangs"),
        # The engine's read timeout and the probe's deadline fall due
        # together, so a busy machine may tell either; both mean no GPUs.
        pytest.param(
            _Engine(runs_for=30), "timed out|did not finish within 0.3s", id="nvidia-smi-hangs"
        ),
    ],
)
def test_a_probe_that_outlives_its_timeout_returns_on_time_and_is_removed(engine, reason, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="stellars_docker.gpu"):
        assert probe_gpus(engine, "lab", 0.3) == []
    assert time.monotonic() - started < 0.3 + 0.2
    assert re.search(reason, caplog.text)
    _probe_threads_finish()
    assert engine.removed == list(engine.created)


@pytest.mark.parametrize("timeout_s", [0, -1])
def test_a_timeout_that_is_not_positive_is_a_programming_error(timeout_s):
    with pytest.raises(ValueError, match="positive"):
        probe_gpus(_Engine(), "lab", timeout_s)

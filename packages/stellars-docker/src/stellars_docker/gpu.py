"""GPUs: whether lab containers get them, and which ones the engine has.

The mode is off, on, or auto-detect. Auto-detect asks the engine itself: a
short-lived probe container requests every GPU through Docker's device
requests (what ``docker run --gpus all`` sends, served by the NVIDIA
container toolkit) and runs ``nvidia-smi``. Asking the engine rather than the
hub's own host is what matters: the hub may run in a container without GPUs
while the engine that starts the lab containers has them.
"""

from __future__ import annotations

import concurrent.futures
import csv
import logging
import time
import uuid
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import docker
import docker.errors
import docker.types

from stellars_docker.labels import GPU_PROBE_ROLE, ROLE_LABEL

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

PROBE_NAME_PREFIX = "stellars-gpu-probe-"
# The columns, in this order, are what parse_inventory reads from a CSV without header.
INVENTORY_COLUMNS = ("index", "uuid", "name", "memory.total")
PROBE_COMMAND = (
    "nvidia-smi",
    f"--query-gpu={','.join(INVENTORY_COLUMNS)}",
    "--format=csv,noheader,nounits",
)
# The environment variables the lab image reads to turn its GPU tooling on.
GPU_ENVIRONMENT_FLAGS = ("ENABLE_GPU_SUPPORT", "ENABLE_GPUSTAT", "NVIDIA_DETECTED")

# Everything the engine or the probe can fail with; any of them means "no GPUs".
_PROBE_FAILURES = (docker.errors.DockerException, OSError, ValueError)


class GpuMode(IntEnum):
    """Whether lab containers get GPUs: never, always, or when the engine has some."""

    OFF = 0
    ON = 1
    AUTO = 2


@dataclass(frozen=True)
class Gpu:
    """One GPU as ``nvidia-smi`` reports it."""

    index: int
    name: str
    uuid: str
    memory_mib: int


@dataclass(frozen=True)
class GpuResolution:
    """What the hub decided about GPUs at start-up.

    Attributes:
        enabled: every lab container requests the GPUs.
        detected: a probe found GPUs (False when the mode forced them on).
        gpus: the GPUs the probe found.
        probed: auto-detection ran, so no GPUs means none were found rather
            than GPUs turned off.
    """

    enabled: bool
    detected: bool
    gpus: tuple[Gpu, ...] = ()
    probed: bool = False


def parse_inventory(text: str) -> list[Gpu]:
    """Return the GPUs listed in ``nvidia-smi --query-gpu`` CSV output.

    Two forms are read: ``--format=csv,noheader,nounits`` with the columns
    ``index, uuid, name, memory.total`` first (later columns are ignored), and
    ``--format=csv`` whose header names the columns, in any order, and whose
    memory carries its unit (``143771 MiB``).

    Raises:
        ValueError: a line is not a GPU row of that form (too few fields, an
            index or memory that is not a number, a unit other than MiB, an
            empty name, a UUID not starting ``GPU-``), or two rows share an index.
    """
    rows = [
        (number, [field.strip() for field in fields])
        for number, fields in enumerate(csv.reader(text.splitlines()), start=1)
        if any(field.strip() for field in fields)
    ]
    if not rows:
        return []
    first_number, first = rows[0]
    if first[0].isdecimal():
        columns = {name: position for position, name in enumerate(INVENTORY_COLUMNS)}
    else:
        columns = _header_columns(first_number, first)
        rows = rows[1:]
    gpus = [_gpu_from_row(number, fields, columns) for number, fields in rows]
    indices = [gpu.index for gpu in gpus]
    if len(set(indices)) != len(indices):
        raise ValueError(f"two GPUs share an index: {sorted(indices)}")
    return gpus


def _header_columns(number: int, header: list[str]) -> dict[str, int]:
    # "memory.total [MiB]" names the column memory.total.
    names = [name.split(" [", 1)[0] for name in header]
    missing = [name for name in INVENTORY_COLUMNS if name not in names]
    if missing:
        raise ValueError(
            f"line {number}: neither a GPU row nor a header naming {', '.join(INVENTORY_COLUMNS)}"
            f" (lacks {', '.join(missing)}): {', '.join(header)!r}"
        )
    return {name: names.index(name) for name in INVENTORY_COLUMNS}


def _gpu_from_row(number: int, fields: list[str], columns: dict[str, int]) -> Gpu:
    if len(fields) <= max(columns.values()):
        raise ValueError(f"line {number}: expected at least {len(columns)} fields: {fields!r}")
    index, uuid_, name, memory = (fields[columns[column]] for column in INVENTORY_COLUMNS)
    if not index.isdecimal():
        raise ValueError(f"line {number}: index {index!r} is not a number")
    if not uuid_.startswith("GPU-"):
        raise ValueError(f"line {number}: UUID {uuid_!r} does not start with GPU-")
    if not name:
        raise ValueError(f"line {number}: the GPU has no name")
    value, _, unit = memory.partition(" ")
    if not value.isdecimal() or unit not in {"", "MiB"}:
        raise ValueError(f"line {number}: memory {memory!r} is not a number of MiB")
    return Gpu(index=int(index), name=name, uuid=uuid_, memory_mib=int(value))


def probe_gpus(
    client: docker.DockerClient,
    image: str,
    timeout_s: float,
    labels: Mapping[str, str] | None = None,
) -> list[Gpu]:
    """Return the GPUs a container started by *client*'s engine gets, or [] on any failure.

    Runs ``nvidia-smi`` in a container of *image* (never pulled) that requests
    every GPU through a device request, and is named
    ``stellars-gpu-probe-<random hex>`` and labelled
    ``org.stellars-hub.role=gpu-probe`` plus *labels*. The probe fails
    closed: an engine that is unreachable, has no GPU or no NVIDIA toolkit, a
    missing image, a failing ``nvidia-smi`` or output that does not parse all
    give [], with a warning saying why.

    This is blocking code, meant for the hub's start-up: it returns within
    *timeout_s*. The container is removed (forcibly) whatever happens; when
    the deadline passes first, the removal finishes in a worker thread, which
    the interpreter waits for at exit.

    Raises:
        ValueError: *timeout_s* is not positive.
    """
    if timeout_s <= 0:
        raise ValueError(f"the GPU probe's timeout must be positive, got {timeout_s}")
    name = f"{PROBE_NAME_PREFIX}{uuid.uuid4().hex}"
    deadline = time.monotonic() + timeout_s
    # A worker thread is what bounds the whole probe: the SDK's own timeout
    # applies to each HTTP request, and the probe makes several.
    executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=PROBE_NAME_PREFIX)
    future = executor.submit(
        _run_probe, client, image, name, {**(labels or {}), ROLE_LABEL: GPU_PROBE_ROLE}, deadline
    )
    executor.shutdown(wait=False)
    try:
        status, output, errors = future.result(timeout=timeout_s)
    except TimeoutError:
        log.warning("GPU probe %s did not finish within %ss: no GPUs", name, timeout_s)
        return []
    except _PROBE_FAILURES as error:
        log.warning("GPU probe %s failed, so no GPUs: %s", name, error)
        return []
    if status != 0:
        log.warning(
            "GPU probe %s: nvidia-smi exited with %s, so no GPUs: %s", name, status, errors.strip()
        )
        return []
    try:
        gpus = parse_inventory(output)
    except ValueError as error:
        log.warning("GPU probe %s: unreadable nvidia-smi output, so no GPUs: %s", name, error)
        return []
    log.info(
        "GPU probe found %d GPU(s): %s",
        len(gpus),
        "; ".join(f"{gpu.index}: {gpu.name} ({gpu.memory_mib} MiB, {gpu.uuid})" for gpu in gpus),
    )
    return gpus


def _run_probe(
    client: docker.DockerClient, image: str, name: str, labels: dict[str, str], deadline: float
) -> tuple[int, str, str]:
    # Created and started apart (not containers.run) so that a container whose
    # start fails, the usual outcome on an engine without GPUs, is still ours
    # to remove by its name.
    try:
        container = client.containers.create(
            image,
            list(PROBE_COMMAND),
            name=name,
            labels=labels,
            device_requests=[_all_gpus()],
            network_disabled=True,
        )
        _remaining(deadline)
        container.start()
        result = container.wait(timeout=_remaining(deadline))
        output = container.logs(stdout=True, stderr=False).decode(errors="replace")
        errors = container.logs(stdout=False, stderr=True).decode(errors="replace")
        return int(result["StatusCode"]), output, errors
    finally:
        _remove(client, name)


def _remaining(deadline: float) -> float:
    # The caller has already given up once the deadline passed: stop, and clean up.
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the GPU probe ran out of time")
    return remaining


def _remove(client: docker.DockerClient, name: str) -> None:
    try:
        client.api.remove_container(name, force=True)
    except docker.errors.NotFound:
        pass  # never created: the engine refused it or was never reached
    except _PROBE_FAILURES as error:
        log.warning("could not remove GPU probe container %s: %s", name, error)


def _all_gpus() -> docker.types.DeviceRequest:
    return docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])


def resolve_gpus(mode: GpuMode, probe: Callable[[], list[Gpu]]) -> GpuResolution:
    """Return whether lab containers get GPUs under *mode*, calling *probe* only for AUTO.

    OFF gives no GPUs; ON gives them without asking (a spawn then fails on an
    engine without GPUs, which is what forcing means); AUTO enables them when
    *probe* finds at least one.

    Raises:
        ValueError: *mode* is not one of :class:`GpuMode`'s values.
    """
    mode = GpuMode(mode)
    if mode is GpuMode.OFF:
        return GpuResolution(enabled=False, detected=False)
    if mode is GpuMode.ON:
        return GpuResolution(enabled=True, detected=False)
    gpus = tuple(probe())
    if not gpus:
        return GpuResolution(enabled=False, detected=False, probed=True)
    return GpuResolution(enabled=True, detected=True, gpus=gpus, probed=True)


def detect_gpus(
    mode: GpuMode,
    *,
    image: str,
    timeout_s: float,
    labels: Mapping[str, str] | None = None,
) -> GpuResolution:
    """Return the GPU decision for *mode*, probing the engine the environment names for AUTO.

    The engine is the one ``DOCKER_HOST`` (or the default socket) names, as
    for DockerSpawner. Connecting and probing together take at most about
    *timeout_s*; an engine that cannot be reached means no GPUs, with a
    warning. See :func:`resolve_gpus` and :func:`probe_gpus`.

    Raises:
        ValueError: *mode* is not one of :class:`GpuMode`'s values, or
            *timeout_s* is not positive.
    """
    if timeout_s <= 0:
        raise ValueError(f"the GPU probe's timeout must be positive, got {timeout_s}")

    def probe() -> list[Gpu]:
        deadline = time.monotonic() + timeout_s
        try:
            # The client asks the engine its API version here, under the same deadline.
            client = docker.from_env(timeout=timeout_s)
        except _PROBE_FAILURES as error:
            log.warning("GPU probe: the Docker engine is unreachable, so no GPUs: %s", error)
            return []
        # The client is left open for the garbage collector: after a timeout,
        # the probe's worker thread still uses it to remove its container.
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            log.warning("GPU probe: connecting took all of %ss, so no GPUs", timeout_s)
            return []
        return probe_gpus(client, image, remaining, labels)

    return resolve_gpus(mode, probe)


def gpu_spawner_config(resolution: GpuResolution) -> dict[str, Any]:
    """Return DockerSpawner trait values for *resolution*, for the caller to merge.

    ``environment`` always sets the lab image's flags ``ENABLE_GPU_SUPPORT``,
    ``ENABLE_GPUSTAT`` (both: GPUs enabled) and ``NVIDIA_DETECTED`` (a probe
    found them) to ``"1"`` or ``"0"``. ``extra_host_config`` with a device
    request for every GPU is there only when GPUs are enabled.
    """
    flags = (resolution.enabled, resolution.enabled, resolution.detected)
    config: dict[str, Any] = {
        "environment": {
            name: "1" if value else "0"
            for name, value in zip(GPU_ENVIRONMENT_FLAGS, flags, strict=True)
        }
    }
    if resolution.enabled:
        config["extra_host_config"] = {"device_requests": [_all_gpus()]}
    return config

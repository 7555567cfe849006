"""``resolve_gpu_mode``: the original's GPU decision as two 0/1 flags."""

from __future__ import annotations

from stellars_docker import GpuMode, detect_gpus
from stellars_hub.original.completion import record

# The platform's default for JUPYTERHUB_GPU_PROBE_TIMEOUT; the original took no timeout.
PROBE_TIMEOUT_S = 15.0


def resolve_gpu_mode(
    gpu_enabled: int, nvidia_image: str, *, timeout_s: float = PROBE_TIMEOUT_S
) -> tuple[int, int]:
    """Return ``(gpu_enabled, nvidia_detected)`` for mode *gpu_enabled*.

    0 gives ``(0, 0)``; 1 gives ``(1, 0)`` (GPUs requested, none probed for);
    2 probes the engine with *nvidia_image* and gives ``(1, 1)`` when it
    finds GPUs and ``(0, 0)`` otherwise, within *timeout_s*.

    Raises:
        ValueError: *gpu_enabled* is not 0, 1 or 2.
    """
    resolution = detect_gpus(GpuMode(int(gpu_enabled)), image=nvidia_image, timeout_s=timeout_s)
    # The platform passes the GPUs through as decided here, without probing again.
    record(JUPYTERHUB_GPU_ENABLED=str(int(resolution.enabled)))
    return int(resolution.enabled), int(resolution.detected)

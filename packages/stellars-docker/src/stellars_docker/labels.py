"""The labels the platform puts on what it creates, so it finds its own containers again."""

from __future__ import annotations

ROLE_LABEL = "org.stellars-hub.role"
# Values of ROLE_LABEL.
LAB_ROLE = "lab"
GPU_PROBE_ROLE = "gpu-probe"

"""The labels the platform puts on what it creates, so it finds its own containers again."""

from __future__ import annotations

ROLE_LABEL = "org.stellars-hub.role"
# Values of ROLE_LABEL.
LAB_ROLE = "lab"
GPU_PROBE_ROLE = "gpu-probe"
USER_VOLUME_ROLE = "user-volume"
# A short-lived container that measures one user's volumes (stellars_docker.measure).
MEASURE_ROLE = "volume-measure"
# A container that is never started, holding a volume that a node agent copies
# to or from another node (stellars_docker.swarm.agent.copy).
COPY_ROLE = "volume-copy"

# On a user volume the platform creates: whose it is. Docker labels cannot be
# changed after creation, so they say who the volume was made for; a later
# assignment by an admin is recorded in the hub's database instead.
OWNER_LABEL = "org.stellars-hub.owner"
OWNER_NAME_LABEL = "org.stellars-hub.owner-name"
VOLUME_SUFFIX_LABEL = "org.stellars-hub.volume"

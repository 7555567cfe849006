"""GPUs on a swarm: a group's GPUs become a reservation of the generic resource nodes advertise.

The test swarm's last worker advertises two GPUs (``stellars_testing.swarm``
``TEST_GPUS``) as a GPU node's daemon.json would; the others advertise none.
There is no GPU behind them, so what is checked is the swarm's part: the
service reserves the count, the scheduler places the task on the node that
has them and assigns it that many, and a reservation no node can meet fails
the spawn within seconds with the engine's reason, leaving no service.

Docker 20.10's swarm (Debian 12's docker.io) shuts a running task that
reserves generic resources down at the next update of its node ("assigned
node no longer meets constraints"): a label, a change of availability, or
the swarm's own update when the node first runs a task of an overlay network
(it gives the node an address on it). So before a GPU server starts, a plain
task joins the GPU node to the servers' network and the node's record is let
settle; see docs/swarm.md for what the engine's behaviour means for a
deployment.
"""

from __future__ import annotations

import time

import pytest
from servers import FAILURE_WITHIN_S, service_name, start, start_and_fail, team, wait_ready

from stellars_testing import wait_until
from stellars_testing.swarm import GPU_RESOURCE, TEST_GPUS

# Seconds the GPU node's record must stay unchanged before a GPU server starts.
SETTLED_FOR_S = 5.0


@pytest.fixture(scope="module")
def gpu_node_settled(swarm_hub, lab_image):
    """Join the GPU node to the servers' network, then wait until its record stops changing."""
    manager = swarm_hub.swarm.manager.client
    node_id = swarm_hub.swarm.workers[-1].node_id()
    joining = manager.services.create(
        lab_image,
        ["sleep", "600"],
        name="gpu-node-joins-the-network",
        networks=[swarm_hub.network],
        constraints=[f"node.id=={node_id}"],
    )
    try:
        wait_until(
            lambda: any(t["Status"]["State"] == "running" for t in joining.tasks()),
            timeout_s=60,
            what="a task on the GPU node",
        )
    finally:
        joining.remove()
    seen = {"version": None, "since": time.monotonic()}

    def unchanged_for_a_while() -> bool:
        version = manager.api.inspect_node(node_id)["Version"]["Index"]
        if version != seen["version"]:
            seen.update(version=version, since=time.monotonic())
        return time.monotonic() - seen["since"] >= SETTLED_FOR_S

    wait_until(unchanged_for_a_while, timeout_s=90, interval_s=0.5, what="the GPU node to settle")


def test_a_team_with_one_gpu_runs_on_the_node_that_has_them_and_is_assigned_one(
    swarm_hub, gpu_node_settled
):
    username = "gpuuser"
    team(swarm_hub, "gpu-team", [username], {"gpus": 1})
    start(swarm_hub, username)
    wait_ready(swarm_hub, username)

    service = service_name(username)
    spec = swarm_hub.swarm.manager.client.services.get(service).attrs["Spec"]
    reservations = spec["TaskTemplate"]["Resources"]["Reservations"]
    assert reservations["GenericResources"] == [
        {"DiscreteResourceSpec": {"Kind": GPU_RESOURCE, "Value": 1}}
    ]
    assert swarm_hub.node_of(service) == swarm_hub.swarm.workers[-1].name
    (task,) = [t for t in swarm_hub.tasks_of(service) if t["Status"]["State"] == "running"]
    # What the swarm gave the task; the node's NVIDIA runtime shows the container
    # these devices (DOCKER_RESOURCE_NVIDIA-GPU in its environment).
    assigned = [r["NamedResourceSpec"] for r in task.get("GenericResources") or []]
    assert len(assigned) == 1, task
    assert assigned[0]["Kind"] == GPU_RESOURCE
    assert assigned[0]["Value"] in TEST_GPUS
    assert swarm_hub.api("DELETE", f"users/{username}/server").status_code in {202, 204}


def test_a_team_with_more_gpus_than_any_node_has_fails_within_seconds_saying_why(swarm_hub):
    username = "gpugreedy"
    team(swarm_hub, "gpu-greedy", [username], {"gpus": len(TEST_GPUS) + 1})
    began = time.monotonic()
    message = start_and_fail(swarm_hub, username)
    elapsed = time.monotonic() - began
    assert "insufficient resources" in message, swarm_hub.logs()
    assert elapsed < FAILURE_WITHIN_S, f"{elapsed:.0f}s: {message}"
    assert not swarm_hub.tasks_of(service_name(username))

"""Each GPU choice of a policy, as the container config the engine accepts.

This machine has no GPU, so a container asking for one cannot start: each
case creates (never starts) a container with exactly what DockerSpawner
sends for the plan, through the spawner's own ``create_object``, and reads
back what the engine stored. The devices come from real ``nvidia-smi``
output (one H200), the inventory the platform detects on such a host.
"""

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
from dockerspawner import DockerSpawner
from jupyterhub.objects import Hub, Server
from lab_containers import run_username

from stellars_docker.gpu import GPU_ENVIRONMENT_FLAGS, parse_inventory
from stellars_docker.policy import GroupPolicy, SpawnBase, apply_plan, effective_policy, plan_spawn

INVENTORY = parse_inventory(
    (
        Path(__file__).parents[2]
        / "packages/stellars-docker/tests/fixtures/nvidia-smi/h200/nvidia-smi-query-noheader.csv"
    ).read_text()
)
GPU = INVENTORY[0]


class _User:
    """The little of JupyterHub's user a DockerSpawner reads while creating a container."""

    def __init__(self, name):
        self.name = self.escaped_name = name
        self.id = 1
        self.url = f"/user/{name}/"
        self.orm_user = SimpleNamespace(name=name)
        self.groups, self.spawners, self.settings = [], {}, {}

    def server_url(self, _name=""):
        return self.url

    def progress_url(self, _name=""):
        return self.url


def _created(docker_run, lab_image, gpus):
    """Return the engine's view of the container the spawner creates under a policy of *gpus*."""
    policy = effective_policy({"gpu-team": GroupPolicy.model_validate({"gpus": gpus})})
    plan = plan_spawn(policy, None, SpawnBase(image=lab_image, gpus_available=True))
    spawner = DockerSpawner(
        user=_User(run_username(docker_run, "gpu")),
        hub=Hub(),
        remove=False,
        extra_create_kwargs={"labels": docker_run.labels},
    )
    spawner.server = Server()
    spawner.api_token = "unused"
    apply_plan(spawner, plan)
    created = asyncio.run(spawner.create_object())
    try:
        return docker_run.client.api.inspect_container(created["Id"])
    finally:
        docker_run.client.api.remove_container(created["Id"], force=True)


def _environment(attrs):
    return dict(entry.split("=", 1) for entry in attrs["Config"]["Env"])


@pytest.mark.parametrize(
    ("gpus", "count", "device_ids"),
    [
        ("all", -1, []),
        (1, 1, []),
        ([str(GPU.index)], 0, [str(GPU.index)]),
        ([GPU.uuid], 0, [GPU.uuid]),
    ],
    ids=["all", "count", "by-index", "by-uuid"],
)
def test_a_gpu_choice_is_a_device_request_the_engine_accepts(
    docker_run, lab_image, gpus, count, device_ids
):
    attrs = _created(docker_run, lab_image, gpus)
    [request] = attrs["HostConfig"]["DeviceRequests"]
    assert request["Capabilities"] == [["gpu"]]
    assert request["Count"] == count
    assert (request["DeviceIDs"] or []) == device_ids
    environment = _environment(attrs)
    # Named devices are also what the NVIDIA runtime is told to show; all or
    # a count leave the choice to the device request.
    assert environment.get("NVIDIA_VISIBLE_DEVICES") == (",".join(device_ids) or None)
    assert {environment[flag] for flag in GPU_ENVIRONMENT_FLAGS} == {"1"}


def test_no_gpus_asks_the_engine_for_none(docker_run, lab_image):
    attrs = _created(docker_run, lab_image, "none")
    assert not attrs["HostConfig"]["DeviceRequests"]
    environment = _environment(attrs)
    assert "NVIDIA_VISIBLE_DEVICES" not in environment
    assert {environment[flag] for flag in GPU_ENVIRONMENT_FLAGS} == {"0"}

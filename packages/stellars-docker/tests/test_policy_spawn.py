"""What a start under a policy gets, and what a user may submit (only an offered profile).

Pure logic: the effective policy and the configured base in, DockerSpawner
values out. That the engine accepts and enforces them is tested on the real
engine in tests/integration/test_group_policy_on_docker.py.
"""

from http import HTTPStatus
from types import SimpleNamespace

import pytest

from stellars_docker.policy import (
    DockerAccess,
    EnvironmentVariable,
    GpuGrant,
    GroupPolicy,
    Profile,
    SpawnBase,
    SpawnRefusedError,
    apply_plan,
    check_quota,
    check_server_cap,
    choose_profile,
    effective_policy,
    gpu_request,
    plan_spawn,
)

GIB = 1024**3
BASE = SpawnBase(
    image="stellars/lab:latest",
    volumes={"jupyterlab-{username}_home": "/home/lab"},
    host_config={"init": True},
    environment={"JUPYTERHUB_SERVICE_MLFLOW": "1"},
    gpus_available=True,
)
TWO = (
    Profile(name="small", display_name="Small", image="lab:small", mem_limit="1G"),
    Profile(name="big", display_name="Big", image="lab:big", mem_limit="16G", cpu_limit=8),
)


def offering(*profiles, default=None):
    return effective_policy({"g": GroupPolicy(profiles=profiles, default_profile=default)})


def test_no_option_starts_the_default_profile():
    policy = offering(*TWO, default="big")
    assert choose_profile(policy, {}).name == "big"
    assert choose_profile(offering(*TWO), {}).name == "small"
    assert choose_profile(effective_policy({}), {}) is None


def test_an_offered_profile_is_chosen_as_the_api_or_the_form_sends_it():
    policy = offering(*TWO)
    assert choose_profile(policy, {"profile": "big"}).name == "big"
    assert choose_profile(policy, {"profile": ["big"]}).name == "big"  # a form field


@pytest.mark.parametrize(
    "options",
    [
        {"image": "evil/root:latest"},
        {"profile": "small", "volumes": {"/": "/host"}},
        {"profile": "small", "extra_host_config": {"privileged": True}},
        {"profile": "small", "environment": {"LD_PRELOAD": "x"}},
        {"profile": "small", "device_requests": [{"count": -1}]},
    ],
)
def test_anything_but_a_profile_is_refused_naming_what_is_allowed(options):
    with pytest.raises(SpawnRefusedError) as refused:
        choose_profile(offering(*TWO), options)
    assert refused.value.status == HTTPStatus.BAD_REQUEST
    assert "The only option is 'profile'" in str(refused.value)
    assert "small, big" in str(refused.value)


@pytest.mark.parametrize("choice", ["huge", 3, ["small", "big"], {"name": "big"}])
def test_a_profile_not_offered_is_refused(choice):
    with pytest.raises(SpawnRefusedError, match="allowed: small, big"):
        choose_profile(offering(*TWO), {"profile": choice})


def test_a_user_offered_no_profile_may_choose_none():
    with pytest.raises(SpawnRefusedError, match="your groups offer no profiles"):
        choose_profile(effective_policy({}), {"profile": "big"})


def test_the_plan_carries_limits_guarantees_and_variables():
    policy = effective_policy(
        {
            "g": GroupPolicy(
                cpu_limit=2.0,
                cpu_guarantee=0.5,
                mem_limit=4 * GIB,
                mem_guarantee=GIB,
                environment=(EnvironmentVariable(name="TEAM", value="nlp"),),
            )
        }
    )
    plan = plan_spawn(policy, None, BASE)
    assert plan.image == BASE.image
    assert (plan.cpu_limit, plan.mem_limit) == (2.0, 4 * GIB)
    assert plan.host_config["mem_reservation"] == GIB
    assert plan.host_config["cpu_shares"] == 512
    # A swarm reserves them when it places the server.
    assert (plan.cpu_guarantee, plan.mem_guarantee) == (0.5, GIB)
    assert plan.host_config["init"] is True
    assert plan.host_config["privileged"] is False
    assert plan.environment["TEAM"] == "nlp"
    assert plan.environment["JUPYTERHUB_SERVICE_MLFLOW"] == "1"
    assert plan.environment["ENABLE_GPU_SUPPORT"] == "0"
    assert "device_requests" not in plan.host_config


def test_a_profile_replaces_the_image_and_the_resources_it_sets():
    policy = effective_policy({"g": GroupPolicy(cpu_limit=1.0, mem_limit=GIB, profiles=TWO)})
    plan = plan_spawn(policy, policy.profile("big"), BASE)
    assert (plan.image, plan.profile) == ("lab:big", "big")
    assert (plan.cpu_limit, plan.mem_limit) == (8.0, 16 * GIB)
    small = plan_spawn(policy, policy.profile("small"), BASE)
    assert (small.cpu_limit, small.mem_limit) == (1.0, GIB)  # its CPU: the group's


@pytest.mark.parametrize(
    ("grant", "request_fields", "visible"),
    [
        (GpuGrant(all=True), {"Count": -1}, None),
        (GpuGrant(count=2), {"Count": 2}, None),
        (GpuGrant(devices=("0", "2")), {"DeviceIDs": ["0", "2"]}, "0,2"),
        (GpuGrant(devices=("GPU-4b2ad1f0-0c5c",)), {"DeviceIDs": ["GPU-4b2ad1f0-0c5c"]}, None),
    ],
)
def test_each_gpu_choice_becomes_a_device_request(grant, request_fields, visible):
    request = gpu_request(grant)
    assert request["Capabilities"] == [["gpu"]]
    for key, value in request_fields.items():
        assert request[key] == value
    policy = effective_policy({"g": GroupPolicy(gpus=grant.as_spec())})
    plan = plan_spawn(policy, None, BASE)
    assert plan.host_config["device_requests"] == [request]
    assert plan.environment["ENABLE_GPU_SUPPORT"] == "1"
    if visible:
        assert plan.environment["NVIDIA_VISIBLE_DEVICES"] == visible


def test_no_gpu_is_requested_from_an_engine_without_them():
    policy = effective_policy({"g": GroupPolicy(gpus="all")})
    base = SpawnBase(image="lab", gpus_available=False)
    plan = plan_spawn(policy, None, base)
    assert "device_requests" not in plan.host_config
    assert plan.environment["ENABLE_GPU_SUPPORT"] == "0"


SWARM_BASE = SpawnBase(image="lab", gpus_available=True, gpu_resource="NVIDIA-GPU")


@pytest.mark.parametrize(
    ("grant", "reserved"),
    [
        (GpuGrant(count=2), 2),
        # The swarm's scheduler picks which GPUs: two named devices are two GPUs.
        (GpuGrant(devices=("0", "2")), 2),
        (GpuGrant(devices=("GPU-4b2ad1f0-0c5c",)), 1),
    ],
)
def test_on_a_swarm_each_gpu_choice_becomes_a_reservation_of_that_many(grant, reserved):
    policy = effective_policy({"g": GroupPolicy(gpus=grant.as_spec())})
    plan = plan_spawn(policy, None, SWARM_BASE)
    assert plan.generic_resources == (("NVIDIA-GPU", reserved),)
    assert "device_requests" not in plan.host_config
    assert "NVIDIA_VISIBLE_DEVICES" not in plan.environment  # the node's runtime sets it
    assert plan.environment["ENABLE_GPU_SUPPORT"] == "1"


def test_on_a_swarm_no_gpus_reserve_nothing_and_all_gpus_are_refused_saying_why():
    none = plan_spawn(effective_policy({"g": GroupPolicy(gpus="none")}), None, SWARM_BASE)
    assert none.generic_resources == ()
    assert none.environment["ENABLE_GPU_SUPPORT"] == "0"
    with pytest.raises(SpawnRefusedError) as refused:
        plan_spawn(effective_policy({"g": GroupPolicy(gpus="all")}), None, SWARM_BASE)
    assert refused.value.status == HTTPStatus.CONFLICT
    assert "a number of GPUs" in str(refused.value)


def test_a_swarm_spawner_gets_the_reservation_and_keeps_the_operators_own_resources():
    spawner = SimpleNamespace(
        name="",
        extra_resources_spec={"generic_resources": [{"stale": 1}], "cpu_limit": 10**9},
    )
    policy = effective_policy({"g": GroupPolicy(gpus=1)})
    apply_plan(spawner, plan_spawn(policy, None, SWARM_BASE))
    assert spawner.extra_resources_spec == {
        "cpu_limit": 10**9,
        "generic_resources": [{"DiscreteResourceSpec": {"Kind": "NVIDIA-GPU", "Value": 1}}],
    }
    # A later start under a policy without GPUs reserves none.
    apply_plan(spawner, plan_spawn(effective_policy({}), None, SWARM_BASE))
    assert spawner.extra_resources_spec == {"cpu_limit": 10**9}


def test_docker_access_mounts_the_socket_or_sets_privileged():
    socket = effective_policy(
        {"s": GroupPolicy(docker_access=DockerAccess.SOCKET)}, docker_trusted={"s"}
    )
    plan = plan_spawn(socket, None, BASE)
    assert plan.volumes["/var/run/docker.sock"] == "/var/run/docker.sock"
    assert plan.host_config["privileged"] is False
    privileged = effective_policy(
        {"p": GroupPolicy(docker_access=DockerAccess.PRIVILEGED)}, docker_trusted={"p"}
    )
    assert plan_spawn(privileged, None, BASE).host_config["privileged"] is True


@pytest.mark.parametrize(
    "base",
    [
        {"volumes": {"/var/run/docker.sock": "/var/run/docker.sock"}},
        {"host_config": {"privileged": True}},
    ],
)
def test_a_base_that_grants_access_to_everyone_is_refused(base):
    with pytest.raises(ValueError, match="group policy's docker_access"):
        SpawnBase(image="lab", **base)


def test_applying_a_plan_replaces_what_an_earlier_start_left():
    spawner = SimpleNamespace(name="", user_options={"image": "evil", "profile": "big"})
    granted = effective_policy(
        {"p": GroupPolicy(docker_access=DockerAccess.PRIVILEGED, gpus="all", profiles=TWO)},
        docker_trusted={"p"},
    )
    apply_plan(spawner, plan_spawn(granted, granted.profile("big"), BASE))
    assert spawner.extra_host_config["privileged"] is True
    assert spawner.user_options == {"profile": "big"}
    apply_plan(spawner, plan_spawn(effective_policy({}), None, BASE))
    assert spawner.extra_host_config == {"init": True, "privileged": False}
    assert spawner.image == BASE.image
    assert spawner.user_options == {}
    assert spawner.cpu_limit is None
    assert spawner.mem_limit is None
    assert spawner.cpu_guarantee is None
    assert spawner.mem_guarantee is None


def test_applying_a_plan_sets_the_guarantees_a_swarm_reserves():
    spawner = SimpleNamespace(name="", user_options={})
    policy = effective_policy({"g": GroupPolicy(cpu_guarantee=1.5, mem_guarantee=2 * GIB)})
    apply_plan(spawner, plan_spawn(policy, None, BASE))
    assert (spawner.cpu_guarantee, spawner.mem_guarantee) == (1.5, 2 * GIB)


def test_a_named_server_gets_a_container_of_its_own():
    base = SpawnBase(image="lab", name_template="jupyterlab-{username}")
    plan = plan_spawn(effective_policy({}), None, base)
    default, named = SimpleNamespace(name=""), SimpleNamespace(name="gpu")
    apply_plan(default, plan, base)
    apply_plan(named, plan, base)
    assert default.name_template == "jupyterlab-{username}"
    assert named.name_template == "jupyterlab-{username}--{servername}"


def _spawner(active_others):
    user = SimpleNamespace(spawners={})
    this = SimpleNamespace(user=user, active=False)
    user.spawners[""] = this
    for name in active_others:
        user.spawners[name] = SimpleNamespace(active=True)
    user.spawners["idle"] = SimpleNamespace(active=False)
    return this


def test_the_server_cap_counts_the_other_servers_that_run():
    policy = effective_policy({"course": GroupPolicy(max_servers=2)})
    check_server_cap(policy, _spawner(["a"]))
    with pytest.raises(SpawnRefusedError) as refused:
        check_server_cap(policy, _spawner(["a", "b"]))
    assert refused.value.status == HTTPStatus.FORBIDDEN
    assert "allow 2 server(s) at a time (from course)" in str(refused.value)
    assert "Running now: a, b." in str(refused.value)
    check_server_cap(effective_policy({}), _spawner(["a", "b", "c"]))  # no cap
    with pytest.raises(SpawnRefusedError, match=r"allow no server \(from closed\)"):
        check_server_cap(effective_policy({"closed": GroupPolicy(max_servers=0)}), _spawner([]))


def test_a_start_over_the_quota_is_refused_with_the_sizes():
    policy = effective_policy({"course": GroupPolicy(volume_quota=GIB)})
    check_quota(policy, None)  # not measured yet: the start goes on
    check_quota(policy, GIB)
    with pytest.raises(SpawnRefusedError, match=r"hold 1\.50 GiB, over your quota of 1\.00 GiB"):
        check_quota(policy, 3 * GIB // 2)


def test_on_a_swarm_privileged_docker_access_is_refused_saying_why_and_the_socket_is_kept():
    privileged = effective_policy(
        {"p": GroupPolicy(docker_access=DockerAccess.PRIVILEGED)}, docker_trusted={"p"}
    )
    with pytest.raises(SpawnRefusedError) as refused:
        plan_spawn(privileged, None, SWARM_BASE)
    assert refused.value.status == HTTPStatus.CONFLICT
    assert "never privileged" in str(refused.value)
    socket = effective_policy(
        {"s": GroupPolicy(docker_access=DockerAccess.SOCKET)}, docker_trusted={"s"}
    )
    plan = plan_spawn(socket, None, SWARM_BASE)
    assert plan.volumes["/var/run/docker.sock"] == "/var/run/docker.sock"
    assert plan.host_config["privileged"] is False

"""Several groups, one effective policy: the documented rule, conflicts included."""

import pytest

from stellars_docker.policy import (
    DEFAULT_SOURCE,
    DockerAccess,
    EnvironmentVariable,
    GpuGrant,
    GroupPolicy,
    Profile,
    effective_policy,
)

GIB = 1024**3


def profile(name, **resources):
    return Profile(name=name, display_name=name.title(), image=f"lab-{name}:1", **resources)


def env(**values):
    return tuple(EnvironmentVariable(name=name, value=value) for name, value in values.items())


def test_a_user_in_no_group_gets_the_default_policy():
    default = GroupPolicy(cpu_limit=1.0, mem_limit=2 * GIB, gpus="none", environment=env(A="d"))
    policy = effective_policy({}, default)
    assert policy.values == {"cpu_limit": 1.0, "mem_limit": 2 * GIB}
    assert policy.sources == {
        "cpu_limit": DEFAULT_SOURCE,
        "mem_limit": DEFAULT_SOURCE,
        "environment.A": DEFAULT_SOURCE,
        "gpus": [DEFAULT_SOURCE],
    }
    assert policy.environment["A"].value == "d"
    assert policy.gpus == GpuGrant()
    assert policy.groups == ()


def test_limits_and_quotas_take_the_most_generous_value_and_say_from_where():
    policies = {
        "course": GroupPolicy(cpu_limit=0.5, mem_limit=1 * GIB, volume_quota=5 * GIB),
        "research": GroupPolicy(cpu_limit=4.0, volume_quota=50 * GIB, volume_warning_percent=75),
        "ops": GroupPolicy(max_servers=3),
    }
    policy = effective_policy(policies, GroupPolicy(mem_limit=8 * GIB, max_servers=1))
    assert policy.values == {
        "cpu_limit": 4.0,
        "mem_limit": 1 * GIB,  # a group that sets a field overrides the default's
        "max_servers": 3,
        "volume_quota": 50 * GIB,
    }
    assert policy.sources["cpu_limit"] == "research"
    assert policy.sources["mem_limit"] == "course"
    assert policy.sources["max_servers"] == "ops"
    # The warning threshold travels with the quota it belongs to.
    assert policy.volume_warning_percent == 75


def test_a_field_no_group_sets_comes_from_the_default():
    policy = effective_policy({"a": GroupPolicy(cpu_limit=2.0)}, GroupPolicy(mem_limit=GIB))
    assert policy.values == {"cpu_limit": 2.0, "mem_limit": GIB}
    assert policy.sources["mem_limit"] == DEFAULT_SOURCE


def test_a_tie_goes_to_the_group_that_ranks_first():
    policies = {"b": GroupPolicy(cpu_limit=2.0), "a": GroupPolicy(cpu_limit=2.0, priority=-1)}
    assert effective_policy(policies).sources["cpu_limit"] == "b"
    assert (
        effective_policy({"b": policies["b"], "c": GroupPolicy(cpu_limit=2.0)}).sources["cpu_limit"]
        == "b"
    )


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (["none", "none"], GpuGrant()),
        (["none", 2], GpuGrant(count=2)),
        ([("0",), ("1", "0")], GpuGrant(devices=("0", "1"))),
        ([("0",), 3], GpuGrant(count=3)),  # the count is larger than the union
        ([("0", "1"), 2], GpuGrant(devices=("0", "1"))),  # not larger: the devices
        ([("0",), "all", 1], GpuGrant(all=True)),
    ],
)
def test_gpus_are_the_union(specs, expected):
    policies = {f"g{i}": GroupPolicy(gpus=spec) for i, spec in enumerate(specs)}
    assert effective_policy(policies, GroupPolicy(gpus="all")).gpus == expected


def test_a_group_that_says_none_overrides_the_default_gpus():
    assert not effective_policy(
        {"course": GroupPolicy(gpus="none")}, GroupPolicy(gpus="all")
    ).gpus.any
    assert effective_policy({"course": GroupPolicy()}, GroupPolicy(gpus="all")).gpus.all


def test_environment_conflicts_go_to_the_higher_priority_then_the_name():
    policies = {
        "b": GroupPolicy(priority=10, environment=env(MODE="b", ONLY_B="1")),
        "a": GroupPolicy(priority=10, environment=env(MODE="a")),
        "z": GroupPolicy(priority=99, environment=env(LEVEL="z")),
        "low": GroupPolicy(priority=-5, environment=env(MODE="low", LEVEL="low")),
    }
    policy = effective_policy(policies, GroupPolicy(environment=env(MODE="d", BASE="d")))
    assert {name: v.value for name, v in policy.environment.items()} == {
        "LEVEL": "z",
        "MODE": "a",  # a and b tie on priority: a comes first by name
        "ONLY_B": "1",
        "BASE": "d",
    }
    assert policy.sources["environment.MODE"] == "a"
    assert policy.sources["environment.BASE"] == DEFAULT_SOURCE
    assert policy.groups == ("z", "a", "b", "low")


def test_profiles_are_the_union_and_a_shared_name_comes_from_the_first_ranked_group():
    policies = {
        "gpu-team": GroupPolicy(
            priority=5,
            profiles=(profile("gpu", gpus=1), profile("cpu", cpu_limit=8.0)),
            default_profile="gpu",
        ),
        "course": GroupPolicy(profiles=(profile("cpu", cpu_limit=1.0), profile("small"))),
    }
    policy = effective_policy(policies)
    assert [entry.profile.name for entry in policy.profiles] == ["gpu", "cpu", "small"]
    assert policy.profile("cpu").cpu_limit == 8.0
    assert policy.default_profile == "gpu"
    assert policy.sources["default_profile"] == "gpu-team"
    assert policy.sources["profiles"] == ["course", "gpu-team"]


def test_without_a_chosen_default_the_first_profile_is_offered_first():
    policy = effective_policy({"c": GroupPolicy(profiles=(profile("one"), profile("two")))})
    assert policy.default_profile == "one"


def test_the_default_policy_offers_profiles_only_when_no_group_does():
    default = GroupPolicy(profiles=(profile("standard"),))
    assert [e.profile.name for e in effective_policy({}, default).profiles] == ["standard"]
    grouped = effective_policy({"c": GroupPolicy(profiles=(profile("course"),))}, default)
    assert [e.profile.name for e in grouped.profiles] == ["course"]


def test_docker_access_counts_only_from_trusted_groups_and_the_strongest_wins():
    policies = {
        "sock": GroupPolicy(docker_access=DockerAccess.SOCKET),
        "priv": GroupPolicy(docker_access=DockerAccess.PRIVILEGED),
    }
    assert effective_policy(policies).docker_access is DockerAccess.NONE
    assert effective_policy(policies, docker_trusted={"sock"}).docker_access is DockerAccess.SOCKET
    both = effective_policy(policies, docker_trusted={"sock", "priv"})
    assert both.docker_access is DockerAccess.PRIVILEGED
    assert both.sources["docker_access"] == "priv"
    # The default policy never grants it.
    default = GroupPolicy(docker_access=DockerAccess.SOCKET)
    assert effective_policy({}, default).docker_access is DockerAccess.NONE


def test_the_fingerprint_changes_with_what_a_spawn_applies_and_only_with_it():
    a = effective_policy({"g": GroupPolicy(cpu_limit=1.0, priority=3)})
    same = effective_policy({"h": GroupPolicy(cpu_limit=1.0)})
    assert a.fingerprint() == same.fingerprint()  # group names and priority apply nothing
    assert a.fingerprint() != effective_policy({"g": GroupPolicy(cpu_limit=2.0)}).fingerprint()
    secret = EnvironmentVariable(name="KEY", value="one", secret=True)
    changed = secret.model_copy(update={"value": "two"})
    assert (
        effective_policy({"g": GroupPolicy(environment=(secret,))}).fingerprint()
        != effective_policy({"g": GroupPolicy(environment=(changed,))}).fingerprint()
    )

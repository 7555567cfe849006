"""Docker-access groups on a DockerSpawner object (no engine, no hub).

A real DockerSpawner with a stand-in user: the traits and ``volume_binds`` are
DockerSpawner's own. The same grants on a real hub and engine are pinned in
test_access_on_a_real_hub.py.
"""

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from dockerspawner import DockerSpawner
from jupyterhub import orm

from stellars_docker.access import (
    BUILTIN_GROUPS,
    DockerGrants,
    apply_docker_access,
    grants_for,
    make_pre_spawn_hook,
)
from stellars_docker.grants import DockerGrant
from stellars_docker.schema import HISTORY
from stellars_testing.schema import migrate

HOME = {"jupyterlab-{username}_home": "/home/jovyan"}
GPU_HOST_CONFIG = {"device_requests": [{"Count": -1, "Capabilities": [["gpu"]]}]}
SOCKET = {"bind": "/var/run/docker.sock", "mode": "rw"}


def _spawner(*groups, user_options=None):
    user = SimpleNamespace(name="ada", groups=[SimpleNamespace(name=name) for name in groups])
    return DockerSpawner(user=user, user_options=user_options or {})


def _granted(user, group, folder):
    """Return a hub database session where a full admin granted *group* to *user*, and its id."""
    url = f"sqlite:///{folder / 'jupyterhub.sqlite'}"
    migrate(url, HISTORY)
    session = orm.new_session_factory(url)()
    session.add(
        DockerGrant(
            group=group,
            user_id=1,
            username=user.name,
            granted_by="root",
            by_full_admin=True,
            granted_at=datetime.now(UTC),
        )
    )
    session.commit()
    return session, 1


def _join(spawner, *groups):
    spawner.user.groups = [SimpleNamespace(name=name) for name in groups]


def _apply(spawner, **options):
    # Every membership honoured: which ones a spawn honours is test_grants.py's.
    return apply_docker_access(
        spawner,
        groups=[group.name for group in spawner.user.groups],
        base_volumes=HOME,
        base_host_config=GPU_HOST_CONFIG,
        **options,
    )


def test_the_builtin_groups():
    assert BUILTIN_GROUPS == ("docker-sock", "docker-privileged")


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        pytest.param([], DockerGrants(socket=False, privileged=False), id="none"),
        pytest.param(["docker-sock"], DockerGrants(socket=True, privileged=False), id="sock"),
        pytest.param(
            ["docker-privileged"], DockerGrants(socket=False, privileged=True), id="privileged"
        ),
        pytest.param(
            ["docker-privileged", "staff", "docker-sock"],
            DockerGrants(socket=True, privileged=True),
            id="both",
        ),
        pytest.param(
            ["docker", "Docker-Sock", "docker-socket", "docker-privileged "],
            DockerGrants(socket=False, privileged=False),
            id="near-misses",
        ),
    ],
)
def test_grants_follow_exact_group_names(groups, expected):
    assert grants_for(groups) == expected
    assert grants_for(iter(groups)) == expected


def test_one_string_is_not_a_list_of_groups():
    with pytest.raises(TypeError):
        grants_for("docker-sock")


@pytest.mark.parametrize(
    ("groups", "binds", "privileged"),
    [
        pytest.param([], {}, False, id="none"),
        pytest.param(["docker-sock"], {"/var/run/docker.sock": SOCKET}, False, id="sock"),
        pytest.param(["docker-privileged"], {}, True, id="privileged"),
        pytest.param(
            ["docker-sock", "docker-privileged"],
            {"/var/run/docker.sock": SOCKET},
            True,
            id="both",
        ),
    ],
)
def test_the_spawner_gets_exactly_its_users_grants(groups, binds, privileged):
    spawner = _spawner(*groups)
    _apply(spawner)
    assert spawner.volume_binds == {
        "jupyterlab-ada_home": {"bind": "/home/jovyan", "mode": "rw"},
        **binds,
    }
    assert spawner.extra_host_config == {**GPU_HOST_CONFIG, "privileged": privileged}


def test_a_revoked_membership_is_gone_at_the_next_spawn_of_the_same_spawner():
    # DockerSpawner keeps one spawner per user: the second spawn reuses the object.
    spawner = _spawner("docker-sock", "docker-privileged")
    assert _apply(spawner) == DockerGrants(socket=True, privileged=True)
    _join(spawner)
    assert _apply(spawner) == DockerGrants(socket=False, privileged=False)
    assert spawner.volumes == HOME
    assert spawner.extra_host_config == {**GPU_HOST_CONFIG, "privileged": False}


def test_the_socket_path_is_configurable():
    spawner = _spawner("docker-sock")
    _apply(spawner, socket_path="/run/user/1000/docker.sock")
    assert spawner.volumes == {**HOME, "/run/user/1000/docker.sock": "/run/user/1000/docker.sock"}


def test_the_base_is_never_changed():
    volumes, host_config = dict(HOME), dict(GPU_HOST_CONFIG)
    apply_docker_access(
        _spawner("docker-sock", "docker-privileged"),
        groups=["docker-sock", "docker-privileged"],
        base_volumes=volumes,
        base_host_config=host_config,
    )
    assert (volumes, host_config) == (HOME, GPU_HOST_CONFIG)


@pytest.mark.parametrize(
    "user_options",
    [
        {"image": "attacker/root:latest"},
        {"volumes": {"/": "/host"}, "privileged": True, "extra_host_config": {"privileged": True}},
        {"image": ["attacker/root:latest"], "device_requests": [{"Count": -1}]},
    ],
)
def test_what_a_user_submits_is_dropped(user_options):
    spawner = _spawner(user_options=user_options)
    _apply(spawner)
    assert spawner.user_options == {}
    assert spawner.volumes == HOME
    assert spawner.extra_host_config["privileged"] is False


@pytest.mark.parametrize(
    ("volumes", "host_config", "message"),
    [
        pytest.param(
            {**HOME, "/var/run/docker.sock": "/var/run/docker.sock"}, {}, "docker-sock", id="sock"
        ),
        pytest.param(HOME, {"privileged": False}, "docker-privileged", id="privileged"),
    ],
)
def test_a_base_that_grants_access_to_everyone_is_refused(volumes, host_config, message):
    with pytest.raises(ValueError, match=message):
        make_pre_spawn_hook(volumes, host_config)
    with pytest.raises(ValueError, match=message):
        apply_docker_access(
            _spawner(), groups=[], base_volumes=volumes, base_host_config=host_config
        )


def test_the_hook_starts_every_spawn_from_the_base_it_was_made_with(tmp_path):
    volumes, host_config = dict(HOME), dict(GPU_HOST_CONFIG)
    hook = make_pre_spawn_hook(volumes, host_config)
    volumes["/"] = "/host"  # changed after the config was loaded: no effect
    host_config["cap_add"] = ["SYS_ADMIN"]
    spawner = _spawner("docker-privileged", user_options={"image": "other"})
    spawner.user.db, spawner.user.id = _granted(spawner.user, "docker-privileged", tmp_path)
    asyncio.run(hook(spawner))
    assert spawner.volumes == HOME
    assert spawner.extra_host_config == {**GPU_HOST_CONFIG, "privileged": True}
    assert spawner.user_options == {}

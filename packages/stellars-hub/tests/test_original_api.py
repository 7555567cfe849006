"""The original ``stellars_hub`` functions an original-style jupyterhub_config.py calls."""

import pytest
from jupyterhub import orm

import stellars_hub
from stellars_hub import ensure_groups, get_user_volume_suffixes, resolve_gpu_mode
from stellars_hub.groups import ensure_groups as ensure_groups_from_groups

# The original deployment's mapping, shared volume included.
ORIGINAL_VOLUMES = {
    "jupyterlab-{username}_home": "/home",
    "jupyterlab-{username}_workspace": "/home/lab/workspace",
    "jupyterlab-{username}_cache": "/home/lab/.cache",
    "jupyterhub_shared": "/mnt/shared",
}
BUILTIN_GROUPS = ["docker-sock", "docker-privileged"]


def test_the_original_names_are_importable_where_the_original_had_them():
    for name in ("StellarsNativeAuthenticator", "ensure_groups", "get_user_volume_suffixes"):
        assert hasattr(stellars_hub, name), name
    assert ensure_groups_from_groups is ensure_groups


def test_the_user_volume_suffixes_leave_shared_volumes_out():
    assert get_user_volume_suffixes(ORIGINAL_VOLUMES) == ["home", "workspace", "cache"]


def test_names_of_another_form_are_not_user_volumes():
    volumes = {
        "jupyterlab-{username}_": "/nothing",
        "jupyterlab-{username}_{servername}": "/per-server",
        "scratch-{username}_data": "/scratch",
        "jupyterlab-{username}_data.v2": "/data",
    }
    assert get_user_volume_suffixes(volumes) == ["data.v2"]
    assert get_user_volume_suffixes({}) == []


@pytest.mark.parametrize(("mode", "expected"), [(0, (0, 0)), (1, (1, 0))])
def test_gpu_modes_off_and_forced_need_no_probe(mode, expected):
    # No image exists by this name: a probe would not find GPUs, so (1, 0) shows none ran.
    assert resolve_gpu_mode(mode, "no-such-image:for-the-probe") == expected


def test_an_unknown_gpu_mode_is_an_error():
    with pytest.raises(ValueError, match="3"):
        resolve_gpu_mode(3, "any")


def test_auto_detection_on_an_engine_without_gpus_gives_none(docker_run, lab_image):
    # The probe runs on the real engine, which has no NVIDIA runtime here.
    assert resolve_gpu_mode(2, lab_image, timeout_s=30) == (0, 0)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.database)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


def _groups(db_url):
    session = orm.new_session_factory(db_url)()
    try:
        return {
            group.name: [user.name for user in group.users] for group in session.query(orm.Group)
        }
    finally:
        session.close()
        session.get_bind().dispose()


def test_ensure_groups_creates_the_missing_ones_once_and_keeps_members(db_url):
    assert ensure_groups(BUILTIN_GROUPS, db_url=db_url) == BUILTIN_GROUPS
    session = orm.new_session_factory(db_url)()
    ada = orm.User(name="ada")
    session.add(ada)
    docker_sock = session.query(orm.Group).filter_by(name="docker-sock").one()
    docker_sock.users.append(ada)
    session.commit()
    session.close()
    session.get_bind().dispose()

    assert ensure_groups([*BUILTIN_GROUPS, "gpu"], db_url=db_url) == ["gpu"]
    assert _groups(db_url) == {"docker-sock": ["ada"], "docker-privileged": [], "gpu": []}


def test_a_hub_starts_on_the_database_ensure_groups_made(platform_hub, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'original.sqlite'}"
    ensure_groups(BUILTIN_GROUPS, db_url=db_url)
    hub = platform_hub(
        {"JUPYTERHUB_SPAWNER": "local", "JUPYTERHUB_GPU_ENABLED": "0"}, db_url=db_url
    )
    names = {group["name"] for group in hub.api("GET", "groups").json()}
    assert set(BUILTIN_GROUPS) <= names

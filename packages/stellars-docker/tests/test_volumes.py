import pytest

from stellars_docker import (
    DEFAULT_SHARED_VOLUME,
    DEFAULT_USER_VOLUMES,
    DockerSettings,
    SharedVolume,
    UserVolume,
    spawner_config,
    volume_mounts,
)


def test_default_volumes_keep_the_original_deployments_names():
    mounts = volume_mounts(DEFAULT_USER_VOLUMES, DEFAULT_SHARED_VOLUME)
    assert mounts == {
        "jupyterlab-{username}_home": "/home/jovyan",
        "jupyterlab-{username}_workspace": "/home/jovyan/workspace",
        "jupyterlab-{username}_cache": "/home/jovyan/.cache",
        "jupyterhub_shared": "/mnt/shared",
    }


def test_a_user_volume_without_the_username_is_refused():
    shared_by_accident = UserVolume("home", "everyone_home", "/home/jovyan", "")
    with pytest.raises(ValueError, match="username"):
        volume_mounts((shared_by_accident,), None)


@pytest.mark.parametrize(
    ("volumes", "shared"),
    [
        pytest.param(
            (UserVolume("a", "x-{username}", "/a", ""), UserVolume("b", "x-{username}", "/b", "")),
            None,
            id="same-name",
        ),
        pytest.param(
            (UserVolume("a", "a-{username}", "/m", ""), UserVolume("b", "b-{username}", "/m", "")),
            None,
            id="same-mount-point",
        ),
        pytest.param(
            (UserVolume("a", "a-{username}", "/shared", ""),),
            SharedVolume("shared", "/shared"),
            id="user-over-shared",
        ),
    ],
)
def test_colliding_volumes_are_refused(volumes, shared):
    with pytest.raises(ValueError, match="distinct"):
        volume_mounts(volumes, shared)


def test_spawner_config_uses_the_local_image_and_never_pulls():
    config = spawner_config(DockerSettings(image="lab:1"))
    assert config["image"] == "lab:1"
    assert config["pull_policy"] == "never"
    assert config["name_template"] == "jupyterlab-{username}"
    assert config["notebook_dir"] == "/home/jovyan"
    assert "network_name" not in config


def test_a_network_makes_the_hub_use_container_addresses():
    config = spawner_config(DockerSettings(image="lab:1", network_name="jupyterhub_network"))
    assert config["network_name"] == "jupyterhub_network"
    assert config["use_internal_ip"] is True


def test_labels_are_put_on_created_containers():
    config = spawner_config(DockerSettings(image="lab:1", extra_labels={"team": "a"}))
    assert config["extra_create_kwargs"] == {
        "labels": {"org.stellars-hub.role": "lab", "team": "a"}
    }

import pytest
from traitlets.config import Config

from stellars_hub import StellarsNativeAuthenticator, configure, load_settings
from stellars_hub.configure import public_url


def _settings(environ):
    # GPU detection would start a probe container on whatever engine answers.
    return load_settings({"JUPYTERHUB_GPU_ENABLED": "0", **environ})


@pytest.fixture
def config():
    return Config()


def test_configure_sets_up_dockerspawner_with_the_local_image(config):
    configure(config, _settings({"JUPYTERHUB_NOTEBOOK_IMAGE": "lab:7"}))
    assert config.JupyterHub.spawner_class == "dockerspawner.DockerSpawner"
    assert config.DockerSpawner.image == "lab:7"
    assert config.DockerSpawner.pull_policy == "never"
    assert config.DockerSpawner.volumes == {
        "jupyterlab-{username}_home": "/home/jovyan",
        "jupyterlab-{username}_workspace": "/home/jovyan/workspace",
        "jupyterlab-{username}_cache": "/home/jovyan/.cache",
        "jupyterhub_shared": "/mnt/shared",
    }


def test_no_shared_volume_when_it_is_none(config):
    configure(config, _settings({"JUPYTERHUB_SHARED_VOLUME": "none"}))
    assert "jupyterhub_shared" not in config.DockerSpawner.volumes


def test_configure_uses_the_stellars_authenticator_and_lets_authorised_users_in(config):
    configure(config, _settings({"JUPYTERHUB_ADMIN": "boss", "JUPYTERHUB_ADMIN_PASSWORD": "pw"}))
    assert config.JupyterHub.authenticator_class is StellarsNativeAuthenticator
    assert config.Authenticator.admin_users == {"boss"}
    assert config.Authenticator.allow_all is True
    assert config.StellarsNativeAuthenticator.initial_admin_password == "pw"


def test_configure_keeps_handlers_and_settings_set_before_it(config):
    config.JupyterHub.extra_handlers = [("/mine", object)]
    config.JupyterHub.tornado_settings = {"mine": 1}
    configure(config, _settings({}))
    paths = [route[0] for route in config.JupyterHub.extra_handlers]
    assert paths[0] == "/mine"
    assert "/api/stellars/info" in paths
    assert config.JupyterHub.tornado_settings["mine"] == 1
    assert "stellars_ui" in config.JupyterHub.tornado_settings


def test_the_local_spawner_is_a_choice_for_machines_without_docker(config):
    configure(config, _settings({"JUPYTERHUB_SPAWNER": "local"}))
    assert config.JupyterHub.spawner_class == "jupyterhub.spawner.SimpleLocalProcessSpawner"


@pytest.mark.parametrize(
    ("bind_url", "base_url", "expected"),
    [
        ("http://:8000", "/", "http://:8000/"),
        ("http://127.0.0.1:8000", "/jupyterhub", "http://127.0.0.1:8000/jupyterhub/"),
        ("http://127.0.0.1:8000/", "/jupyterhub/", "http://127.0.0.1:8000/jupyterhub/"),
        ("https://hub.example:443", "//a//b/", "https://hub.example:443/a/b/"),
    ],
)
def test_the_base_url_becomes_the_path_of_the_public_url(bind_url, base_url, expected):
    assert public_url(bind_url, base_url) == expected

import copy

import pytest
from traitlets.config import Config

from stellars_docker import DockerRuntime, DockerSettings
from stellars_docker.errors import DockerUnavailableError


def test_a_runtime_survives_being_loaded_as_config_as_the_same_object():
    runtime = DockerRuntime(DockerSettings(image="lab"))
    config = Config()
    config.JupyterHub.tornado_settings = {"stellars_docker": runtime}
    assert copy.deepcopy(config).JupyterHub.tornado_settings["stellars_docker"] is runtime


def test_before_the_engine_answers_docker_work_is_unavailable_and_caches_are_empty():
    runtime = DockerRuntime(DockerSettings(image="lab"))
    assert runtime.volume_sizes() == {}
    assert runtime.container_stats() == {}
    with pytest.raises(DockerUnavailableError, match="has not answered"):
        _ = runtime.client

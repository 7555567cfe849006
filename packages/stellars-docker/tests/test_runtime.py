import pytest

from stellars_docker import DockerRuntime, DockerSettings
from stellars_docker.errors import DockerUnavailableError


def test_before_the_engine_answers_docker_work_is_unavailable_and_caches_are_empty():
    runtime = DockerRuntime(DockerSettings(image="lab"))
    assert runtime.volume_sizes() == {}
    assert runtime.container_stats() == {}
    with pytest.raises(DockerUnavailableError, match="has not answered"):
        _ = runtime.client

import pytest

from stellars_docker import DockerRuntime, DockerSettings, UserVolume
from stellars_docker.errors import DockerUnavailableError


def test_before_the_engine_answers_docker_work_is_unavailable_and_caches_are_empty():
    runtime = DockerRuntime(DockerSettings(image="lab"))
    assert runtime.volume_sizes() == {}
    assert runtime.container_stats() == {}
    with pytest.raises(DockerUnavailableError, match="has not answered"):
        _ = runtime.client


def test_an_original_config_files_volumes_and_image_replace_the_configured_ones():
    runtime = DockerRuntime(DockerSettings(image="lab"))
    home = UserVolume("home", "jupyterlab-{username}_home", "/home", "Files")
    runtime.use_spawner_config(user_volumes=(home,), image="the-files-lab")
    assert (runtime.settings.user_volumes, runtime.settings.image) == ((home,), "the-files-lab")
    runtime.use_spawner_config(user_volumes=(), image=None)  # nothing given: nothing changes
    assert (runtime.settings.user_volumes, runtime.settings.image) == ((home,), "the-files-lab")

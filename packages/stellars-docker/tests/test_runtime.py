import asyncio

import pytest

from stellars_docker import DockerRuntime, DockerSettings, UserVolume
from stellars_docker.errors import DockerUnavailableError, MoveInProgressError, NotOnASwarmError
from stellars_docker.node_work import EngineNodeWork
from stellars_docker.swarm.moves import FilesChoice


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


def test_a_users_volumes_are_neither_reset_nor_measured_while_they_are_being_moved():
    runtime = DockerRuntime(DockerSettings(image="lab"))

    async def scenario():
        with runtime.moves.preparing(7):
            with pytest.raises(MoveInProgressError):
                await runtime.delete_user_volumes(None, 7, ())
            with pytest.raises(MoveInProgressError):
                await runtime.measure_volumes(None, 7, "ada")
            with pytest.raises(MoveInProgressError):
                await runtime.move_user(None, 7, "ada", "node-b", FilesChoice.COPY)
        # Another user is not held: their work goes on (to the absent engine here).
        with pytest.raises(DockerUnavailableError):
            await runtime.delete_user_volumes(None, 8, ())

    asyncio.run(scenario())


def test_on_one_engine_there_is_no_node_to_move_a_user_to():
    # The one host's work, as made once its engine answered.
    runtime = DockerRuntime(
        DockerSettings(image="lab"), node_work=lambda _client: EngineNodeWork(object())
    )

    async def scenario():
        with pytest.raises(NotOnASwarmError, match="one Docker engine"):
            await runtime.move_user(None, 7, "ada", "node-b", FilesChoice.COPY)
        with pytest.raises(NotOnASwarmError):
            await runtime.user_node(None, 7)

    asyncio.run(scenario())

"""restart_server on the real engine, when the container disappears under it.

CI saw a restart answer an HTML 500: the container was gone by the time the
restart gave up waiting for JupyterLab, and the engine's 404 escaped.
"""

import asyncio

import pytest
from restart_spawners import RestartedSpawner

from stellars_docker.errors import RestartTimeoutError, ServerStateError
from stellars_docker.restart import restart_server


def _nothing():
    pass


def _spawner(container, while_waiting=None):
    async def answers(timeout, http):
        if while_waiting is not None:
            await asyncio.to_thread(while_waiting)
        raise TimeoutError

    return RestartedSpawner(container.id, answers)


@pytest.fixture
def container(docker_run, lab_image):
    # Each test removes it; docker_run's cleanup catches one a failed test left.
    return docker_run.client.containers.run(
        lab_image, ["sleep", "600"], labels=docker_run.labels, detach=True
    )


def test_a_container_removed_while_jupyterlab_is_awaited_is_reported_removed(docker_run, container):
    spawner = _spawner(container, while_waiting=lambda: container.remove(force=True))

    with pytest.raises(RestartTimeoutError, match=r"\(the container is removed\)"):
        asyncio.run(
            restart_server(
                docker_run.client, spawner, limit_s=30, ready_timeout_s=1, commit=_nothing
            )
        )


def test_a_container_removed_before_the_restart_is_a_state_error(docker_run, container):
    spawner = _spawner(container)
    container.remove(force=True)

    with pytest.raises(ServerStateError, match="no longer exists"):
        asyncio.run(
            restart_server(
                docker_run.client, spawner, limit_s=30, ready_timeout_s=1, commit=_nothing
            )
        )

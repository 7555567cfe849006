"""restart_container on the real engine, when the container disappears under it.

CI saw a restart answer an HTML 500: the container was gone by the time the
restart gave up waiting for JupyterLab, and the engine's 404 escaped.
"""

import asyncio

import pytest

from stellars_docker.errors import RestartTimeoutError, ServerStateError
from stellars_docker.restart import restart_container


class _Server:
    ip = "127.0.0.1"
    port = 1

    def __init__(self, while_waiting=None):
        self.while_waiting = while_waiting

    async def wait_up(self, timeout, http):
        if self.while_waiting is not None:
            await asyncio.to_thread(self.while_waiting)
        raise TimeoutError


class _Spawner:
    """A spawner's surface that restart_container uses, for one real container."""

    def __init__(self, container, while_waiting=None):
        self.object_id = container.id
        self.server = _Server(while_waiting)

    async def get_ip_and_port(self):
        return "127.0.0.1", 32999


@pytest.fixture
def container(docker_run, lab_image):
    # Each test removes it; docker_run's cleanup catches one a failed test left.
    return docker_run.client.containers.run(
        lab_image, ["sleep", "600"], labels=docker_run.labels, detach=True
    )


def test_a_container_removed_while_jupyterlab_is_awaited_is_reported_removed(docker_run, container):
    spawner = _Spawner(container, while_waiting=lambda: container.remove(force=True))

    with pytest.raises(RestartTimeoutError, match=r"\(the container is removed\)"):
        asyncio.run(restart_container(docker_run.client, spawner, limit_s=30, ready_timeout_s=1))


def test_a_container_removed_before_the_restart_is_a_state_error(docker_run, container):
    spawner = _Spawner(container)
    container.remove(force=True)

    with pytest.raises(ServerStateError, match="no longer exists"):
        asyncio.run(restart_container(docker_run.client, spawner, limit_s=30, ready_timeout_s=1))

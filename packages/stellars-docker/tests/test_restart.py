import asyncio
from types import SimpleNamespace

import pytest

from stellars_docker.errors import RestartInProgressError, RestartTimeoutError
from stellars_docker.restart import RestartTracker, restart_container


def test_a_second_claim_on_the_same_server_is_refused():
    tracker = RestartTracker()
    with tracker.claim("ada/"):
        assert tracker.is_restarting("ada/")
        with pytest.raises(RestartInProgressError), tracker.claim("ada/"):
            pass
        with tracker.claim("bob/"):
            pass
    assert not tracker.is_restarting("ada/")


def test_a_claim_is_released_when_the_restart_fails():
    tracker = RestartTracker()
    with pytest.raises(RuntimeError), tracker.claim("ada/"):
        raise RuntimeError
    with tracker.claim("ada/"):
        pass


class _Server:
    """Stands in for JupyterHub's Server: records the address, never comes up."""

    ip = "127.0.0.1"
    port = 1

    async def wait_up(self, timeout, http):
        raise TimeoutError


class _Spawner:
    object_id = "abc"
    server = _Server()

    async def get_ip_and_port(self):
        return "127.0.0.1", 32999


def _engine(status="running"):
    return SimpleNamespace(
        api=SimpleNamespace(
            restart=lambda container, timeout: None,
            inspect_container=lambda container: {"State": {"Status": status}},
        )
    )


def test_a_lab_that_does_not_answer_after_the_restart_is_a_timeout_error():
    client = _engine(status="exited")
    spawner = _Spawner()
    with pytest.raises(RestartTimeoutError, match=r"within 5s \(the container is exited\)"):
        asyncio.run(restart_container(client, spawner, limit_s=5, ready_timeout_s=5))
    # The new address is recorded even so: the container did restart.
    assert spawner.server.port == 32999


class _ExitedSpawner(_Spawner):
    """Its container reads as exited, as between the engine's stop and start of a restart."""

    def __init__(self):
        self.polled_during_restart = []

    async def poll(self):
        return "ExitCode=0"

    async def get_ip_and_port(self):
        # Called between the engine's restart and JupyterLab answering again.
        self.polled_during_restart.append(await self.poll())
        return await super().get_ip_and_port()


def test_polls_report_the_server_running_while_it_restarts_and_see_the_container_after():
    client = _engine()
    spawner = _ExitedSpawner()
    with pytest.raises(RestartTimeoutError):
        asyncio.run(restart_container(client, spawner, limit_s=5, ready_timeout_s=5))
    assert spawner.polled_during_restart == [None]
    # Once the restart is over, whatever it ended in, polls ask the engine again.
    assert asyncio.run(spawner.poll()) == "ExitCode=0"

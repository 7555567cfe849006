import asyncio
import time
from types import SimpleNamespace

import pytest
import sqlalchemy
from jupyterhub import orm
from jupyterhub.objects import Server
from restart_spawners import NEW_PORT, RestartedSpawner

from stellars_docker.errors import RestartInProgressError, RestartTimeoutError
from stellars_docker.restart import RestartTracker, restart_server


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


def _nothing():
    pass


def _engine(status="running"):
    return SimpleNamespace(
        api=SimpleNamespace(
            restart=lambda container, timeout: None,
            inspect_container=lambda container: {"State": {"Status": status}},
        )
    )


def test_a_lab_that_does_not_answer_after_the_restart_is_a_timeout_error():
    client = _engine(status="exited")
    spawner = RestartedSpawner()
    with pytest.raises(RestartTimeoutError, match=r"within 5s \(the container is exited\)"):
        asyncio.run(restart_server(client, spawner, limit_s=5, ready_timeout_s=5, commit=_nothing))
    # The new address is recorded even so: the container did restart.
    assert spawner.server.port == NEW_PORT


class _ExitedSpawner(RestartedSpawner):
    """Its container reads as exited, as between the engine's stop and start of a restart."""

    def __init__(self):
        super().__init__()
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
        asyncio.run(restart_server(client, spawner, limit_s=5, ready_timeout_s=5, commit=_nothing))
    assert spawner.polled_during_restart == [None]
    # Once the restart is over, whatever it ended in, polls ask the engine again.
    assert asyncio.run(spawner.poll()) == "ExitCode=0"


class _PolledSpawner(RestartedSpawner):
    """Polls an engine whose container a restart stops and starts.

    Its poll asks the engine only once *asked* is set: a poll already under
    way when the restart begins, whose answer comes from the stopped gap.
    """

    def __init__(self):
        super().__init__(answers=self._answers)
        self.state = "running"
        self.asked = asyncio.Event()

    async def poll(self):
        await self.asked.wait()
        return None if self.state == "running" else "ExitCode=0"

    async def _answers(self, timeout, http):
        return None


def test_a_poll_under_way_when_the_restart_begins_does_not_stop_the_server():
    # CI: a restart answered 504 "the container is removed". DockerSpawner runs
    # every engine call on one shared thread, so a poll begun just before the
    # restart can read the container in the restart's stopped gap; JupyterHub
    # then ran its "server stopped" callback, which removed the container.
    async def scenario():
        loop = asyncio.get_running_loop()
        spawner = _PolledSpawner()
        deaths = []
        spawner.add_poll_callback(lambda: deaths.append("stopped"))
        spawner.start_polling()
        poll_under_way = asyncio.ensure_future(spawner.poll_and_notify())
        await asyncio.sleep(0)

        def restart(container, timeout):
            # The engine's restart: stop, the poll reads the gap, start.
            spawner.state = "exited"
            loop.call_soon_threadsafe(spawner.asked.set)
            time.sleep(0.2)
            spawner.state = "running"

        client = SimpleNamespace(api=SimpleNamespace(restart=restart))
        await restart_server(client, spawner, limit_s=5, ready_timeout_s=5, commit=_nothing)
        await poll_under_way
        assert deaths == []
        # The hub goes on polling the server, and a real death is still noticed.
        assert spawner._poll_callback is not None
        spawner.state = "exited"
        await spawner.poll_and_notify()
        assert deaths == ["stopped"]

    asyncio.run(scenario())


def test_the_new_address_is_committed_before_jupyterlab_is_awaited(tmp_path):
    # CI: while a restart waited 150 s for JupyterLab, the activity store's
    # writes failed with "database is locked". The new address went into the
    # hub's session uncommitted; the first query of any request flushed it,
    # and SQLite's write lock stayed taken until the restart's end.
    url = f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    session = orm.new_session_factory(url)()
    orm_server = orm.Server(ip="127.0.0.1", port=1, base_url="/user/ada/")
    session.add(orm_server)
    session.commit()
    elsewhere = sqlalchemy.create_engine(url, connect_args={"timeout": 0.2})

    async def answers(timeout, http):
        session.query(orm.Server).all()  # another request, meanwhile
        with elsewhere.begin() as connection:  # another writer: the activity store
            connection.execute(sqlalchemy.text("CREATE TABLE samples (at INTEGER)"))

    spawner = RestartedSpawner()
    spawner.server = Server(orm_server=orm_server)
    spawner.server.wait_up = answers
    client = _engine()
    asyncio.run(
        restart_server(client, spawner, limit_s=5, ready_timeout_s=5, commit=session.commit)
    )
    session.rollback()  # what an uncommitted address would lose
    assert session.get(orm.Server, orm_server.id).port == NEW_PORT

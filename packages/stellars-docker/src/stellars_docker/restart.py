"""Restarting a user's running server in place: its container, or on a swarm its service's task.

A restart keeps the container: its files, its environment and its
volumes. What it does not keep, on the default bridge, is the host port
Docker published for it: an ephemeral port is given anew on every start.
So after the restart the server's address is read back from the engine and
returned, for the hub to update its records and its proxy route.

Between the engine stopping the container and starting it again, the
container is "exited". JupyterHub polls a running server every
``Spawner.poll_interval`` and whenever its owner opens the home page; a poll
that saw the container exited would make the hub stop the server, and
DockerSpawner (``remove=True``) delete the container under the restart. So
for as long as the restart lasts, the spawner's polls report the server
running, and a poll that was already under way cannot stop it.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import docker.errors

from stellars_docker.engine import call_engine
from stellars_docker.errors import (
    DockerUnavailableError,
    RestartInProgressError,
    RestartTimeoutError,
    ServerStateError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

# Seconds JupyterLab gets to shut down cleanly before Docker kills it.
STOP_GRACE_S = 10


class RestartTracker:
    """The restarts under way, so that a second one for the same server is refused."""

    def __init__(self) -> None:
        self._under_way: set[str] = set()

    def is_restarting(self, server_key: str) -> bool:
        """Return whether the server named *server_key* is being restarted."""
        return server_key in self._under_way

    @contextlib.contextmanager
    def claim(self, server_key: str) -> Iterator[None]:
        """Mark *server_key* as restarting for the duration of the ``with`` block.

        Raises:
            RestartInProgressError: it is already being restarted.
        """
        if server_key in self._under_way:
            raise RestartInProgressError(f"a restart of {server_key} is already in progress")
        self._under_way.add(server_key)
        try:
            yield
        finally:
            self._under_way.discard(server_key)


@contextlib.contextmanager
def _polls_report_running(spawner: Any) -> Iterator[None]:
    """Keep JupyterHub from concluding that *spawner*'s server died, for the ``with`` block.

    Two kinds of poll could see the restart's stopped gap:
    - a poll that starts during the restart: the spawner's ``poll`` answers
      "running" for the duration;
    - a poll already under way when the restart began. DockerSpawner runs
      every engine call of every user on one shared thread, so such a poll
      can wait behind other calls and read the container in the gap. Its
      answer cannot be changed, but what JupyterHub does with it can: the
      "server stopped" callbacks are held back for the duration, so the poll
      finds none to run. It does stop the periodic polling, which is started
      again at the end.
    """

    async def still_running() -> None:
        # JupyterHub's "still running" answer: the hub keeps the server and its callbacks.
        return None

    # An attribute of this one spawner shadows its class's poll, whatever the
    # class: DockerSpawner itself in an original-style configuration.
    spawner.poll = still_running
    # JupyterHub offers no public way to hold back the callbacks; these two
    # attributes are Spawner's on JupyterHub 5 and 6, and the tests run the
    # real Spawner class on both.
    was_polling = spawner._poll_callback is not None  # noqa: SLF001
    held, spawner._callbacks = spawner._callbacks, []  # noqa: SLF001
    try:
        yield
    finally:
        del spawner.poll
        spawner._callbacks = [*held, *spawner._callbacks]  # noqa: SLF001
        if was_polling and spawner._poll_callback is None:  # noqa: SLF001
            spawner.start_polling()


@runtime_checkable
class RestartsInPlace(Protocol):
    """A spawner that restarts its server itself: the swarm's, whose server is a service."""

    async def restart_in_place(self, timeout_s: float) -> None:
        """Return once the server's container runs again; raise when it will not."""

    async def state_after_restart(self) -> str:
        """Return the word for the server's state ("running", "exited", "removed")."""


async def restart_server(
    client: docker.DockerClient,
    spawner: Any,
    *,
    limit_s: float,
    ready_timeout_s: float,
    commit: Callable[[], None],
) -> tuple[str, int]:
    """Restart *spawner*'s server in place and wait until JupyterLab answers again.

    On one engine the container is restarted; a spawner that restarts its
    server itself (:class:`RestartsInPlace`: a swarm service's task is
    replaced) does it its way. Either keeps the server's volumes. Then sets
    ``spawner.server``'s address to the one the server has after the restart,
    has *commit* (the hub's database session's) write it at once, and returns
    it as (ip, port); the caller refreshes the proxy route. Until it returns
    or raises, the hub's polls of *spawner* report the server running.

    Raises:
        DockerUnavailableError: the engine did not answer or failed.
        ServerStateError: the container (or service) no longer exists, removed
            outside the hub; the server must be started again.
        SwarmSpawnError: the swarm cannot run the server's new task.
        RestartTimeoutError: JupyterLab did not answer within *ready_timeout_s*.
    """
    in_place = spawner if isinstance(spawner, RestartsInPlace) else None
    with _polls_report_running(spawner):
        if in_place is not None:
            await in_place.restart_in_place(ready_timeout_s)
        else:
            await _restart_container(client, spawner.object_id, limit_s)
        ip, port = await spawner.get_ip_and_port()
        spawner.server.ip = ip
        spawner.server.port = port
        # Written before the wait, not after: the hub's session flushes the
        # change at its next query, and on SQLite that takes the file's one
        # write lock until a commit, for as long as JupyterLab takes to answer.
        commit()
        try:
            await spawner.server.wait_up(timeout=ready_timeout_s, http=True)
        except TimeoutError as error:
            # Whether JupyterLab died or is only slow is the first thing an
            # admin (or a red CI run) needs to know.
            if in_place is not None:
                state = await in_place.state_after_restart()
            else:
                state = await _container_state(client, spawner.object_id, limit_s)
            log.warning(
                "JupyterLab did not answer at %s:%s within %ss of a restart; the container is %s",
                ip,
                port,
                ready_timeout_s,
                state,
            )
            raise RestartTimeoutError(
                f"the container restarted but JupyterLab did not answer within {ready_timeout_s}s"
                f" (the container is {state})"
            ) from error
    return ip, port


async def _restart_container(
    client: docker.DockerClient, container_id: str, limit_s: float
) -> None:
    try:
        await call_engine(
            limit_s + STOP_GRACE_S, client.api.restart, container_id, timeout=STOP_GRACE_S
        )
    except docker.errors.NotFound as error:
        raise ServerStateError(
            "the server's container no longer exists; stop and start the server again"
        ) from error


async def _container_state(client: docker.DockerClient, container_id: str, limit_s: float) -> str:
    """Return the engine's word for the container's state ("running", "exited"), or "unknown".

    "removed" when the container is gone: it can be, by the time a restart
    gives up waiting (removed by hand, or by an engine that cleans up).
    """
    try:
        details = await call_engine(limit_s, client.api.inspect_container, container_id)
    except DockerUnavailableError:
        return "unknown"
    except docker.errors.NotFound:
        return "removed"
    return str(details.get("State", {}).get("Status", "unknown"))

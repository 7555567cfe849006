"""Spawners for restart_server's tests: JupyterHub's own Spawner, with no hub behind it.

Built on the real base class, so a restart handles the poll machinery
(``poll_and_notify``, its callbacks, the periodic poll) that a hub's
spawner really has.
"""

from __future__ import annotations

from types import SimpleNamespace

from jupyterhub.spawner import Spawner

NEW_PORT = 32999  # the port a restarted container reports


async def _never_answers(timeout, http):
    raise TimeoutError


class RestartedSpawner(Spawner):
    """One container's server, as a restart sees it; JupyterLab answers when *answers* says."""

    server = None  # a plain attribute here: no hub database behind this spawner

    def __init__(self, object_id: str = "abc", answers=_never_answers, **kwargs) -> None:
        super().__init__(**kwargs)
        self.object_id = object_id
        self.server = SimpleNamespace(ip="127.0.0.1", port=1, wait_up=answers)

    async def start(self):
        raise AssertionError("a restart never starts a server")

    async def stop(self, now=False):
        raise AssertionError("a restart never stops a server")

    async def poll(self):
        return None

    async def get_ip_and_port(self):
        return "127.0.0.1", NEW_PORT

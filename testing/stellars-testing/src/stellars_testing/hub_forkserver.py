"""Hubs started by forking a process that has imported JupyterHub already.

A test hub's start costs about 3.3 s of CPU as a new interpreter, and
most of it is the same for every hub of a test run: importing JupyterHub,
SQLAlchemy, alembic, tornado, the authenticator, DockerSpawner and the
platform's packages, configuring SQLAlchemy's mappers, building the schemas
of the platform's OpenAPI document. :class:`HubForkserver` does that once,
in a server process of its own, and forks a copy of it for each hub: the
copy changes to the hub's folder and environment and runs ``python -m
jupyterhub`` with the hub's arguments, as a fresh interpreter would. A hub
then costs about 1.0 s (ten hubs one after the other on the 2-core CI
machine; 1.7 s when only the imports were shared). Each hub is still a
process of its own, reading its own configuration file, loading entry
points, starting its own proxy; nothing a hub does reaches the server or
another hub.

What the test holds is a :class:`subprocess.Popen` of a small launcher
(``_hub_launcher.py``, the standard library only): it hands its standard
streams and the hub's arguments, folder and environment to the server,
passes the signals it receives on to the hub, and exits as the hub exits, so
that ``poll``, ``wait``, ``send_signal`` and ``returncode`` mean what they
mean for a hub started directly. A launcher killed outright takes its hub
with it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import random
import runpy
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What every hub of a test run imports (a module a session has not installed
# is passed over): JupyterHub with its handlers and database, the
# authenticator and spawners the platform names, the platform itself, and the
# database drivers and migrations a start runs.
PRELOADED = (
    "jupyterhub.app",
    "jupyterhub.auth",
    "jupyterhub.spawner",
    "nativeauthenticator",
    "dockerspawner",
    "stellars_hub",
    "stellars_hub.docker_platform",
    "jupyterhub.authenticators.shared",
    "traitlets.config.argcomplete_config",
    "tornado.platform.asyncio",
    "pydantic.type_adapter",
    "sqlite3",
    "alembic.command",
    "alembic.runtime.migration",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
    "psycopg",
    "stellars_ui.routes",
    "stellars_ui.docker_api_routes",
)
LAUNCHER = Path(__file__).with_name("_hub_launcher.py")
# A request's header: its length, then JSON (arguments, folder, environment).
_LENGTH_BYTES = 4
_STREAMS = 3
READY = "ready"
# How long hubs still running when the server stops get to stop on SIGTERM
# (stop_hub's own wait), and the server itself to stop them.
STOP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class _Request:
    """What a forked copy runs: ``python -m MODULE *argv`` in *cwd* with *env*."""

    module: str
    argv: list[str]
    cwd: str
    env: dict[str, str]
    streams: list[int]


class HubForkserver:
    """The server process hubs are forked from, started at the first hub, for one test run."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._server: subprocess.Popen[str] | None = None
        # The interpreter options a hub's copy cannot change once forked.
        self._python_environment = _python_variables(os.environ)

    @property
    def socket_path(self) -> str:
        """Return the path of the server's socket, starting the server if it is not running."""
        if self._server is None or self._server.poll() is not None:
            self._start()
        assert self._folder is not None
        return str(Path(self._folder.name) / "hubs.sock")

    def serves(self, env: dict[str, str]) -> bool:
        """Return whether a hub with environment *env* can be forked from the server.

        Not when *env* sets interpreter options (``PYTHONPATH`` and the
        like) other than the server's: they act when an interpreter starts.
        """
        return _python_variables(env) == self._python_environment

    def command(self, arguments: list[str], module: str = "jupyterhub") -> list[str]:
        """Return the command that runs ``python -m MODULE *arguments*`` forked from the server."""
        # -S -E: the launcher imports the standard library alone and reads no
        # PYTHON* variable, so it starts in about 10 ms.
        return [sys.executable, "-S", "-E", str(LAUNCHER), self.socket_path, module, *arguments]

    def stop(self) -> None:
        """Stop the server and remove its socket; the hubs forked from it are the tests' to stop."""
        if self._server is not None:
            if self._server.stdin is not None:
                self._server.stdin.close()
            try:
                self._server.wait(STOP_TIMEOUT_S + 20)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
            self._server = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def _start(self) -> None:
        self.stop()
        self._folder = tempfile.TemporaryDirectory(prefix="stellars-hubs-")
        path = Path(self._folder.name) / "hubs.sock"
        self._server = subprocess.Popen(  # noqa: S603 - our interpreter, our module
            [sys.executable, "-m", "stellars_testing.hub_forkserver", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            # Not the tests' folder: the server's imports must not find modules there.
            cwd=self._folder.name,
        )
        assert self._server.stdout is not None
        line = self._server.stdout.readline().strip()
        if line != READY:
            self._server.kill()
            self._server.wait()
            raise RuntimeError(f"the hub forkserver did not start: {line!r}")


def _python_variables(env: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if name.startswith("PYTHON")}


# ------------------------------------------------------------------ the server


def main() -> None:
    """Serve hub starts on the socket named by the first argument until stdin closes."""
    for name in PRELOADED:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    _warm()
    # A fork copies only the thread that calls it: a lock another thread held
    # would stay locked in every hub.
    if threading.active_count() != 1:
        sys.exit(f"threads running after the imports: {threading.enumerate()}")
    request = _Server(sys.argv[1]).serve()
    if request is not None:
        _run_hub(request)


def _warm() -> None:
    """Do once, before any fork, the work every hub's start would repeat the same.

    - SQLAlchemy configures its mappers at a process's first query: here,
      JupyterHub's (the platform's tables are SQLAlchemy Core).
    - The platform's OpenAPI document builds each model's schema, which
      pydantic does not keep; stellars_ui.openapi keeps them once made.
    - ``gc.freeze()`` leaves everything imported so far out of the hubs'
      garbage collections, which would otherwise walk the objects and write
      to their pages, so that each hub copied the server's memory it shares.
    """
    with contextlib.suppress(ImportError):
        import sqlalchemy.orm  # noqa: PLC0415

        sqlalchemy.orm.configure_mappers()
    # By name, as PRELOADED: the harness starts the platform, it does not
    # depend on it (the import contracts, pyproject.toml).
    with contextlib.suppress(ImportError):
        importlib.import_module("stellars_ui.openapi").load_openapi()
    gc.collect()
    gc.freeze()


class _Server:
    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = os.getpid()
        self.selector = selectors.DefaultSelector()
        self.hubs: dict[int, socket.socket] = {}

    def serve(self) -> _Request | None:
        """Serve until stdin closes (None), or return the request a forked copy is to run."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        listener.listen(64)
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        # A handler, so that SIGCHLD is delivered and written to the wake-up pipe.
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.selector.register(listener, selectors.EVENT_READ, "accept")
        self.selector.register(wake_read, selectors.EVENT_READ, "reap")
        self.selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
        sys.stdout.write(f"{READY}\n")
        sys.stdout.flush()
        try:
            while True:
                for key, _ in self.selector.select():
                    request = self._handle(key)
                    if request == "stop":
                        self._stop_hubs()
                        return None
                    if isinstance(request, _Request):
                        return request
        finally:
            if os.getpid() == self.pid:
                listener.close()
                with contextlib.suppress(FileNotFoundError):
                    Path(self.path).unlink()
            else:  # a forked copy: none of the server's files are its own
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for fd in (wake_read, wake_write):
                    os.close(fd)
                listener.close()
                for connection in self.hubs.values():
                    connection.close()
                self.selector.close()

    def _handle(self, key: selectors.SelectorKey) -> _Request | str | None:
        action = key.data
        if action == "accept":
            connection, _ = key.fileobj.accept()  # type: ignore[union-attr]
            self.selector.register(connection, selectors.EVENT_READ, "request")
        elif action == "reap":
            os.read(key.fd, 4096)
            self._reap()
        elif action == "stdin":
            if not os.read(key.fd, 4096):
                return "stop"
        elif action == "request":
            return self._fork(key.fileobj)  # type: ignore[arg-type]
        else:  # a running hub's launcher: it only ever closes its end
            connection = key.fileobj
            if not connection.recv(1):  # type: ignore[union-attr]
                self.selector.unregister(connection)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(action, signal.SIGKILL)
        return None

    def _stop_hubs(self) -> None:
        # The tests are done (stdin closed) with hubs still running, as when a
        # run is interrupted while a hub starts: stopped as stop_hub stops one,
        # and their launchers told how, rather than left with no one to stop them.
        for signum, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 10.0)):
            for pid in self.hubs:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signum)
            deadline = time.monotonic() + wait_s
            while self.hubs and time.monotonic() < deadline:
                self._reap()
                time.sleep(0.1)

    def _fork(self, connection: socket.socket) -> _Request | None:
        self.selector.unregister(connection)
        try:
            request = _receive(connection)
        except (OSError, ValueError):
            connection.close()
            return None
        pid = os.fork()
        if pid == 0:
            connection.close()
            return request
        for fd in request.streams:
            os.close(fd)
        self.hubs[pid] = connection
        connection.sendall(f"{pid}\n".encode())
        self.selector.register(connection, selectors.EVENT_READ, pid)
        return None

    def _reap(self) -> None:
        while self.hubs:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            connection = self.hubs.pop(pid, None)
            if connection is None:
                continue
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(connection)
            with contextlib.suppress(OSError):
                connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
            connection.close()


def _receive(connection: socket.socket) -> _Request:
    message, fds, _, _ = socket.recv_fds(connection, 1 << 16, _STREAMS)
    if len(fds) != _STREAMS or len(message) < _LENGTH_BYTES:
        for fd in fds:
            os.close(fd)
        raise ValueError("a request without its streams")
    length = int.from_bytes(message[:_LENGTH_BYTES], "big")
    body = bytearray(message[_LENGTH_BYTES:])
    while len(body) < length:
        chunk = connection.recv(length - len(body))
        if not chunk:
            raise ValueError("a request cut short")
        body += chunk
    fields: dict[str, Any] = json.loads(body)
    return _Request(fields["module"], fields["argv"], fields["cwd"], fields["env"], fds)


def _run_hub(request: _Request) -> None:
    """Become ``python -m MODULE``, as started in the request's folder and environment."""
    for target, fd in enumerate(request.streams):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request.cwd)
    os.environ.clear()
    os.environ.update(request.env)
    # As ``python -m`` puts it: the folder it was started in first.
    sys.path[0] = request.cwd
    # Each copy would otherwise draw the same "random" numbers as the others.
    random.seed()
    sys.argv = [request.module, *request.argv]
    # SystemExit from JupyterHub ends this process as it ends a hub's own
    # interpreter: threads joined, exit handlers run, streams flushed.
    runpy.run_module(request.module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

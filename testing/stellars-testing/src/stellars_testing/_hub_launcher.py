"""``python -m MODULE ARGS`` as a copy of the hub forkserver (``stellars_testing.hub_forkserver``).

``python -S -E _hub_launcher.py SOCKET MODULE ARGS...`` hands this process's
standard streams, folder, environment, MODULE and ARGS to the server on
SOCKET, passes the signals it receives on to the process the server forked,
and exits with that process's status (by the same signal, where a signal
ended it). The standard library only, so that it starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1)


def _lines(connection: socket.socket) -> Iterator[str]:
    buffered = b""
    while True:
        chunk = connection.recv(64)
        if not chunk:
            sys.exit("the hub forkserver went away")
        buffered += chunk
        while b"\n" in buffered:
            line, buffered = buffered.split(b"\n", 1)
            yield line.decode()


def main() -> None:
    """Run the forked process and end as it ends."""
    path, module, arguments = sys.argv[1], sys.argv[2], sys.argv[3:]
    # Handled from the start: a signal that comes before the process is
    # forked is passed on once it is.
    forked: list[int] = []
    pending: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        if not forked:
            pending.append(signum)
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(forked[0], signum)

    for handled in FORWARDED:
        signal.signal(handled, forward)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    folder = os.getcwd()  # noqa: PTH109 - the string is what is sent
    request = {"module": module, "argv": arguments, "cwd": folder, "env": dict(os.environ)}
    body = json.dumps(request).encode()
    message = len(body).to_bytes(4, "big") + body
    sent = socket.send_fds(connection, [message], [0, 1, 2])
    connection.sendall(message[sent:])
    lines = _lines(connection)
    forked.append(int(next(lines)))
    for waiting in pending:
        forward(waiting, None)
    code = int(next(lines))
    if code < 0:  # ended by a signal: end the same way, as Popen.returncode reports it
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


if __name__ == "__main__":
    main()

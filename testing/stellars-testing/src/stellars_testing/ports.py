"""Free TCP ports on loopback for the components a test starts."""

from __future__ import annotations

import contextlib
import socket


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on *host* that nothing listens on right now."""
    return free_ports([host])[0]


def free_ports(hosts: list[str], *, besides: tuple[int, ...] = ()) -> list[int]:
    """Return one free port per host of *hosts*, all different.

    The probe sockets stay bound until every port is chosen: probed one at a
    time, the system may hand the same port out twice (a hub once bound to
    the port its proxy's API had just taken). None is one of *besides*:
    ports a test means to reuse, free for now.
    """
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for host in hosts:
            port = None
            while port is None or port in besides:
                sock = stack.enter_context(socket.socket())
                sock.bind((host, 0))
                port = int(sock.getsockname()[1])
            ports.append(port)
        return ports

"""Free TCP ports on loopback for the components a test starts."""

from __future__ import annotations

import contextlib
import socket


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on *host* that nothing listens on right now."""
    return free_ports([host])[0]


def free_ports(hosts: list[str]) -> list[int]:
    """Return one free port per host of *hosts*, all different.

    The probe sockets stay bound until every port is chosen: probed one at a
    time, the system may hand the same port out twice (a hub once bound to
    the port its proxy's API had just taken).
    """
    with contextlib.ExitStack() as stack:
        ports = []
        for host in hosts:
            sock = stack.enter_context(socket.socket())
            sock.bind((host, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports

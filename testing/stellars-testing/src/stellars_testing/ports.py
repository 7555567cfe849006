"""Free TCP ports on loopback for the components a test starts.

A port is chosen here and bound later by another process (a hub, its proxy),
a second or more after. Ports are chosen *below* the kernel's ephemeral
range (``net.ipv4.ip_local_port_range``, 32768-60999 by default): that range
is where the kernel takes a port for every socket bound to port 0 or
connecting out, and where Docker takes the published ports of containers, so
a port chosen inside it could be taken by them in the meantime. CI saw it:
a hub's proxy API port answered 404 because another process had it first.
Below the range only other test processes choose, at random among thousands.
"""

from __future__ import annotations

import contextlib
import random
import socket
from pathlib import Path

# The lowest port chosen: above the ports services are usually given.
LOWEST = 20000
DEFAULT_EPHEMERAL_START = 32768
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on *host* that nothing listens on right now."""
    return free_ports([host])[0]


def free_ports(hosts: list[str], *, besides: tuple[int, ...] = ()) -> list[int]:
    """Return one free port per host of *hosts*, all different, below the ephemeral range.

    The probe sockets stay bound until every port is chosen, so no two are
    the same. None is one of *besides*: ports a test means to reuse, free
    for now.
    """
    highest = _ephemeral_start() - 1
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for host in hosts:
            while True:
                port = random.randint(LOWEST, highest)  # noqa: S311 - not a secret
                if port in besides or port in ports:
                    continue
                sock = stack.enter_context(socket.socket())
                try:
                    sock.bind((host, port))
                except OSError:
                    continue  # in use: another
                break
            ports.append(port)
        return ports


def _ephemeral_start() -> int:
    try:
        start = int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return DEFAULT_EPHEMERAL_START
    # A machine whose ephemeral range starts low leaves no room below it.
    return start if start > LOWEST + 1000 else DEFAULT_EPHEMERAL_START

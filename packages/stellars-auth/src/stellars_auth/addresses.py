"""Which address a login really came from, believing ``X-Forwarded-For`` only from proxies.

The hub's own port (``hub_bind_url``) is reachable from every lab container,
so a header a client sets proves nothing. JupyterHub starts its server with
tornado's ``xheaders=True``, which rewrites ``request.remote_ip`` from that
header whoever sent it: the real peer is read from the connection instead.

A peer is a trusted proxy when it is a loopback address, the very address the
connection arrived on (a proxy in the same container or host reaching the hub
by the host's own name, as deploy/compose.yml's proxy does), or inside one of
the networks an operator lists. Only then does ``X-Forwarded-For`` count, and
the client is its right-most entry that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from tornado.httputil import HTTPServerRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# What a connection over a Unix socket is called: only local processes that
# may open the socket file reach it, so it counts as a trusted hop.
UNIX_PEER = "unix"


class TrustedProxyError(ValueError):
    """A trusted-proxy entry is not an IP address or network; ``entry`` is the bad one."""

    def __init__(self, entry: str) -> None:
        self.entry = entry
        super().__init__(f"{entry!r} is not an IP address or CIDR network")


def parse_trusted_proxies(entries: Iterable[str]) -> tuple[Network, ...]:
    """Return the networks of *entries* (addresses or CIDRs; blanks skipped).

    Raises:
        TrustedProxyError: an entry is neither; it names the entry.
    """
    networks = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise TrustedProxyError(entry) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    # CHP on a dual-stack socket writes IPv4 clients as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(text: str, local: str | None, networks: Sequence[Network]) -> bool:
    if text == UNIX_PEER:
        return True
    address = _address(text)
    if address is None:
        return False
    if address.is_loopback:
        return True
    if local is not None and address == _address(local):
        return True
    return any(address in network for network in networks)


def resolve_client(
    peer: str, local: str | None, forwarded_for: Sequence[str], networks: Sequence[Network]
) -> str:
    """Return the client's address for a connection from *peer* to *local*.

    *forwarded_for* are the ``X-Forwarded-For`` entries, left to right. They
    count only when *peer* is a trusted proxy; the client is then the
    right-most entry that is not one (an entry that is not an address stops
    the walk at the hop before it). All trusted: the left-most entry.
    """
    client = peer
    if not _trusted(peer, local, networks):
        return peer
    for entry in reversed(forwarded_for):
        address = _address(entry)
        if address is None:
            return client
        client = str(address)
        if not _trusted(client, local, networks):
            return client
    return client


def _socket_addresses(request: HTTPServerRequest) -> tuple[str, str | None]:
    # The connection's context keeps the socket's own peer; remote_ip may
    # have been rewritten from headers by xheaders=True.
    connection = request.connection
    context = getattr(connection, "context", None)
    address = getattr(context, "address", None)
    peer = str(address[0]) if isinstance(address, tuple) and address else UNIX_PEER
    local = None
    stream = getattr(connection, "stream", None)
    sock = getattr(stream, "socket", None)
    if sock is not None:
        try:
            name = sock.getsockname()
        except OSError:  # closed meanwhile
            name = None
        if isinstance(name, tuple) and name:
            local = str(name[0])
    return peer, local


def client_address(request: HTTPServerRequest | None, networks: Sequence[Network] = ()) -> str:
    """Return the address a login came from: the socket peer, or behind trusted proxies the client.

    *networks* are the operator's trusted proxies on top of loopback and the
    hub's own address. Without a request (a login not over HTTP), ``""``.
    """
    if request is None:
        return ""
    peer, local = _socket_addresses(request)
    forwarded = [
        entry
        for header in request.headers.get_list("X-Forwarded-For")
        for entry in header.split(",")
        if entry.strip()
    ]
    return resolve_client(peer, local, forwarded, networks)

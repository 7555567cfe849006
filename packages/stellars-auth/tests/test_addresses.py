"""Which address a login came from: X-Forwarded-For only from trusted proxies."""

import ipaddress

import pytest

from stellars_auth.addresses import TrustedProxyError, parse_trusted_proxies, resolve_client

OPERATOR = (ipaddress.ip_network("10.8.0.0/16"),)


@pytest.mark.parametrize(
    ("peer", "local", "forwarded", "client"),
    [
        pytest.param("172.18.0.5", "172.18.0.2", [], "172.18.0.5", id="direct-peer"),
        pytest.param(
            "172.18.0.5", "172.18.0.2", ["203.0.113.9"], "172.18.0.5", id="lab-forges-header"
        ),
        pytest.param(
            "127.0.0.1", "127.0.0.1", ["198.51.100.4"], "198.51.100.4", id="loopback-proxy"
        ),
        pytest.param(
            "127.0.0.1",
            "127.0.0.1",
            ["1.2.3.4", "198.51.100.4"],
            "198.51.100.4",
            id="proxy-appended-real-client-after-a-forged-entry",
        ),
        pytest.param(
            "172.18.0.2", "172.18.0.2", ["198.51.100.4"], "198.51.100.4", id="proxy-on-own-address"
        ),
        pytest.param(
            "10.8.3.3",
            "10.9.0.1",
            ["198.51.100.4", "10.8.1.1"],
            "198.51.100.4",
            id="chain-of-operator-proxies",
        ),
        pytest.param("::1", "::1", ["::ffff:192.0.2.2"], "192.0.2.2", id="ipv4-mapped-entry"),
        pytest.param("127.0.0.1", "127.0.0.1", ["10.8.0.1"], "10.8.0.1", id="all-trusted-leftmost"),
        pytest.param("127.0.0.1", "127.0.0.1", ["junk"], "127.0.0.1", id="junk-stops-the-walk"),
        pytest.param("unix", None, ["198.51.100.4"], "198.51.100.4", id="unix-socket-proxy"),
    ],
)
def test_the_client_address(peer, local, forwarded, client):
    assert resolve_client(peer, local, forwarded, OPERATOR) == client


def test_trusted_proxies_parse_addresses_and_networks_and_name_a_bad_entry():
    assert parse_trusted_proxies(["10.0.0.1", " 192.168.0.0/24 ", ""]) == (
        ipaddress.ip_network("10.0.0.1/32"),
        ipaddress.ip_network("192.168.0.0/24"),
    )
    with pytest.raises(TrustedProxyError, match=r"'proxy\.example'"):
        parse_trusted_proxies(["10.0.0.1", "proxy.example"])

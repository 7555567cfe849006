"""The assembled platform on a real hub, on SQLite and on PostgreSQL, over http and https."""

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from stellars_testing import HubSession
from stellars_testing.hub import platform_config, start_hub, stop_hub

ADMIN_PASSWORD = "platform-admin-password"
SETTINGS = {"JUPYTERHUB_ADMIN": "admin", "JUPYTERHUB_ADMIN_PASSWORD": ADMIN_PASSWORD}


def _check_platform(hub):
    admin = HubSession(hub)
    home = admin.log_in("admin", ADMIN_PASSWORD)
    assert home.status_code == 200
    assert "/hub/home" in home.url
    info = hub.api("GET", "stellars/info").json()
    assert all(info["packages"][name] for name in info["packages"])


def test_the_platform_runs_on_sqlite(platform_hub):
    _check_platform(platform_hub(SETTINGS))


def test_the_platform_runs_on_postgresql(platform_hub, postgres_db_url):
    hub = platform_hub(SETTINGS, db_url=postgres_db_url)
    _check_platform(hub)
    assert "postgresql" in hub.log_since_start()


@pytest.mark.parametrize(
    ("base_url", "served_under"),
    [("/team", "/team/"), ("/team/", "/team/"), ("//data//science", "/data/science/"), ("/", "/")],
)
def test_the_hub_is_served_under_its_base_url_with_or_without_a_slash(
    platform_hub, base_url, served_under
):
    # The harness keeps the path configure() gave the public URL, so the hub
    # answering under served_under is configure's doing.
    hub = platform_hub({**SETTINGS, "JUPYTERHUB_BASE_URL": base_url}, base_url=served_under)
    assert urlsplit(hub.url).path == served_under
    login = requests.get(hub.hub_url("login"), timeout=30)
    assert login.status_code == 200
    assert f'action="{served_under}hub/login' in login.text
    assert hub.api("GET", "stellars/info").status_code == 200
    # The bare prefix, slash or not, leads into the hub.
    bare = requests.get(hub.url.rstrip("/") or hub.url, timeout=30)
    assert bare.status_code == 200
    assert urlsplit(bare.url).path.startswith(f"{served_under}hub/")


# ------------------------------------------------------------------ TLS

SSL_ON = {**SETTINGS, "JUPYTERHUB_SSL_ENABLED": "1"}


def _presented_certificate(hub):
    """Return the certificate the proxy presents on the hub's public port (DER)."""
    address = urlsplit(hub.url)
    return ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate((address.hostname, address.port)))


def _der(pem_path):
    return x509.load_pem_x509_certificate(pem_path.read_bytes()).public_bytes(
        serialization.Encoding.DER
    )


def test_with_ssl_on_and_no_certificate_the_hub_makes_one_and_keeps_it(platform_hub):
    # The default folder, relative to the hub's working folder, as in the hub image.
    hub = platform_hub(SSL_ON, ca_cert="ssl/cert.pem")
    cert_path = hub.workdir / "ssl" / "cert.pem"
    assert hub.url.startswith("https://")
    login = requests.get(hub.hub_url("login"), verify=cert_path, timeout=30)
    assert login.status_code == 200
    _check_platform(hub)  # a person logs in through the form, over https
    assert _presented_certificate(hub) == _der(cert_path)
    with pytest.raises(requests.ConnectionError):
        requests.get(hub.hub_url("login").replace("https://", "http://", 1), timeout=10)
    issued = cert_path.read_bytes()

    # A restart of the same installation (same working folder) presents the same certificate.
    stop_hub(hub)
    restarted = start_hub(hub.workdir, platform_config(SSL_ON), ca_cert="ssl/cert.pem")
    try:
        assert requests.get(restarted.hub_url("login"), verify=cert_path, timeout=30).ok
        assert cert_path.read_bytes() == issued
        assert _presented_certificate(restarted) == _der(cert_path)
    finally:
        stop_hub(restarted)


def _certificate_pair(directory):
    """Write a certificate for 127.0.0.1 and its key, as an operator's CA would issue them."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "operator-issued")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "operator.crt", directory / "operator.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_a_given_certificate_is_the_one_the_proxy_presents(platform_hub, tmp_path):
    cert_path, key_path = _certificate_pair(tmp_path)
    environ = {**SSL_ON, "JUPYTERHUB_SSL_CERT": str(cert_path), "JUPYTERHUB_SSL_KEY": str(key_path)}
    hub = platform_hub(environ, ca_cert=cert_path)
    assert _presented_certificate(hub) == _der(cert_path)
    assert requests.get(hub.hub_url("login"), verify=cert_path, timeout=30).status_code == 200
    assert not (hub.workdir / "ssl").exists()  # nothing generated next to it


def test_a_config_that_drops_the_platform_context_stops_the_hub_at_start(platform_hub):
    # The file replaces the Tornado settings after configure() instead of adding
    # to them: the platform's routes are there, the context they need is not.
    with pytest.raises(AssertionError, match="the hub exited with 1") as refused:
        platform_hub(
            {**SETTINGS, "JUPYTERHUB_SPAWNER": "local"},
            extra_config='c.JupyterHub.tornado_settings = {"slow_spawn_timeout": 0}\n',
        )
    log = str(refused.value)
    assert "PlatformContextMissingError" in log
    assert "configure(c) puts one there" in log

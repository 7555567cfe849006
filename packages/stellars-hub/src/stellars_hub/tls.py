"""A self-signed certificate for the proxy, for a hub started with SSL on and none given.

Generated once, on the first start, into a folder on the hub's persistent
state, and reused on every later start: a certificate that changed with each
restart would have every browser that accepted it warn again.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if TYPE_CHECKING:
    from pathlib import Path

CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
# Apple's limit for a TLS server certificate; browsers refuse longer ones.
VALIDITY = timedelta(days=825)
# Issued a little in the past, so that a client whose clock lags still accepts it.
CLOCK_SKEW = timedelta(minutes=5)
KEY_MODE = 0o600
CERT_MODE = 0o644


class CertificatePairError(ValueError):
    """The folder holds one half of a certificate and key pair."""


def self_signed_pair(directory: Path, hostname: str | None = None) -> tuple[Path, Path]:
    """Return the paths of the certificate and key in *directory*, generated if absent.

    A pair already there is reused as it is, never overwritten. The
    certificate names ``localhost``, ``127.0.0.1``, ``::1`` and *hostname*
    (the machine's name when not given).

    Raises:
        CertificatePairError: only one of the two files exists.
    """
    cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    if cert_path.exists() or key_path.exists():
        present, absent = (cert_path, key_path) if cert_path.exists() else (key_path, cert_path)
        # Generating a new pair here would throw away whatever the operator meant to keep.
        raise CertificatePairError(
            f"{present} exists but {absent} does not: put the missing file back, or delete "
            f"{present} to have a new self-signed pair generated"
        )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(key, hostname or socket.gethostname())
    directory.mkdir(parents=True, exist_ok=True)
    # The key first: a start cut short between the two leaves a key alone,
    # which the next start reports rather than pairing it with nothing.
    _write_new(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        KEY_MODE,
    )
    _write_new(cert_path, cert.public_bytes(serialization.Encoding.PEM), CERT_MODE)
    return cert_path, key_path


def _certificate(key: ec.EllipticCurvePrivateKey, hostname: str) -> x509.Certificate:
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    if hostname and hostname != "localhost":
        names.insert(0, x509.DNSName(hostname))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname or "localhost")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    # Created with its final mode (never readable by others, not even for a
    # moment) and only if absent: O_EXCL refuses to overwrite a file that
    # appeared in the meantime.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)

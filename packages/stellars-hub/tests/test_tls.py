"""The self-signed pair: a valid certificate, a private key, made once and kept."""

import ipaddress
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from stellars_hub.tls import CertificatePairError, self_signed_pair


def test_the_pair_is_a_certificate_for_this_machine_and_its_key(tmp_path):
    cert_path, key_path = self_signed_pair(tmp_path / "ssl", hostname="hub.internal")
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert cert.public_key() == key.public_key()
    assert cert.issuer == cert.subject  # self-signed
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "hub.internal"} <= set(names.get_values_for_type(x509.DNSName))
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=820) < lifetime < timedelta(days=830)
    assert cert.not_valid_before_utc <= datetime.now(UTC) < cert.not_valid_after_utc


def test_the_key_is_readable_by_its_owner_only_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        _, key_path = self_signed_pair(tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_a_second_call_reuses_the_pair(tmp_path):
    first = self_signed_pair(tmp_path)
    contents = [path.read_bytes() for path in first]
    second = self_signed_pair(tmp_path)
    assert second == first
    assert [path.read_bytes() for path in second] == contents


@pytest.mark.parametrize(("present", "absent"), [("cert.pem", "key.pem"), ("key.pem", "cert.pem")])
def test_half_a_pair_is_an_error_not_a_new_pair(tmp_path, present, absent):
    (tmp_path / present).write_text("kept")
    with pytest.raises(CertificatePairError, match=f"{absent} does not"):
        self_signed_pair(tmp_path)
    assert (tmp_path / present).read_text() == "kept"
    assert not (tmp_path / absent).exists()

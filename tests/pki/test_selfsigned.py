"""Self-signed certificates and generated keys, judged by openssl (SPEC R6.1, R1.1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from certauthority.pki.chain import verify_chain
from certauthority.pki.csr import parse_csr_arguments
from certauthority.pki.errors import PKIError
from certauthority.pki.keys import KeyType, generate_private_key, private_key_to_pem
from certauthority.pki.selfsigned import build_self_signed


def test_a_self_signed_certificate_serves_tls_servers_and_clients(ec_key, now) -> None:
    request = parse_csr_arguments(["CN:lab.example.com", "subjectAltName:10.0.0.9"])
    cert = build_self_signed(ec_key, request, days=100, now=now)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(n.value) for n in san] == ["lab.example.com", "10.0.0.9"]
    assert cert.not_valid_after_utc - now == dt.timedelta(days=100)
    assert cert.signature_hash_algorithm.name == "sha256"
    assert cert.issuer == cert.subject


def test_a_self_signed_certificate_without_san_list_carries_its_cn(ec_key, now) -> None:
    cert = build_self_signed(ec_key, parse_csr_arguments(["CN:lab.example.com"]), now=now)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["lab.example.com"]


def test_two_self_signed_certificates_get_different_serials(ec_key) -> None:
    request = parse_csr_arguments(["CN:lab.example.com"])
    assert (
        build_self_signed(ec_key, request).serial_number
        != build_self_signed(ec_key, request).serial_number
    )


def test_openssl_accepts_our_self_signed_certificate_as_its_own_trust_anchor(
    rsa_key, openssl, tmp_path: Path, now
) -> None:
    cert = build_self_signed(rsa_key, parse_csr_arguments(["CN:lab.example.com"]), now=now)
    path = tmp_path / "lab.crt"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    assert openssl("x509", "-in", path, "-noout").returncode == 0
    result = openssl("verify", "-no-CApath", "-no-CAstore", "-CAfile", path, path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert verify_chain(cert, [], [cert], now).ok


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_it_refuses_a_lifetime_out_of_range(ec_key, days: int) -> None:
    with pytest.raises(PKIError, match="--days"):
        build_self_signed(ec_key, parse_csr_arguments(["CN:a.example.com"]), days=days)


@pytest.mark.parametrize("key_type", [KeyType.EC256, KeyType.EC384, KeyType.RSA2048])
def test_openssl_reads_the_keys_we_generate(key_type: KeyType, openssl, tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    path.write_bytes(private_key_to_pem(generate_private_key(key_type)))
    result = openssl("pkey", "-in", path, "-noout", "-check")
    assert result.returncode == 0, result.stderr

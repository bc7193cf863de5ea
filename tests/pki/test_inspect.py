"""Detecting what a file holds by its content, PEM or DER (SPEC Appendix B, C `pki inspect`)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from certauthority.pki.errors import PKIError
from certauthority.pki.inspect import (
    MAX_INPUT_BYTES,
    Kind,
    describe_certificate,
    describe_detected,
    detect,
)

from .chains import DAY, make_cert

PEM = serialization.Encoding.PEM
DER = serialization.Encoding.DER


def _key_bytes(key, encoding, password: bytes | None = None) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(encoding, serialization.PrivateFormat.PKCS8, encryption)


def test_it_detects_a_plain_pem_key_with_algorithm_and_size(rsa_key) -> None:
    found = detect(_key_bytes(rsa_key, PEM))
    assert (found.kind, found.encoding, found.key_description) == (
        Kind.PRIVATE_KEY,
        "PEM",
        "RSA 2048 bits",
    )


def test_it_detects_a_der_ec_key(ec_key) -> None:
    found = detect(_key_bytes(ec_key, DER))
    assert (found.kind, found.encoding, found.key_description) == (
        Kind.PRIVATE_KEY,
        "DER",
        "EC P-256",
    )


@pytest.mark.parametrize("encoding", [PEM, DER])
def test_it_detects_an_encrypted_pkcs8_key(ec_key, encoding) -> None:
    assert detect(_key_bytes(ec_key, encoding, b"secret")).kind is Kind.ENCRYPTED_PRIVATE_KEY


def test_it_detects_a_traditionally_encrypted_rsa_key_made_by_openssl(
    openssl, tmp_path: Path
) -> None:
    openssl("genrsa", "-out", tmp_path / "plain.key", "2048", check=True)
    openssl(
        "rsa",
        "-in",
        tmp_path / "plain.key",
        "-aes256",
        "-traditional",
        "-passout",
        "pass:pw",
        "-out",
        tmp_path / "enc.key",
        check=True,
    )
    found = detect((tmp_path / "enc.key").read_bytes())
    assert found.kind is Kind.ENCRYPTED_PRIVATE_KEY
    assert found.key_description == "RSA"


@pytest.mark.parametrize("encoding", [PEM, DER])
def test_it_detects_a_certificate_in_pem_and_der(pki, encoding) -> None:
    found = detect(pki.leaf.cert.public_bytes(encoding))
    assert found.kind is Kind.CERTIFICATE
    assert found.certificates == [pki.leaf.cert]


def test_it_detects_a_bundle_of_several_certificates(pki) -> None:
    found = detect(pki.inter.pem + pki.root.pem)
    assert found.kind is Kind.BUNDLE
    assert found.certificates == [pki.inter.cert, pki.root.cert]


@pytest.mark.parametrize("encoding", [PEM, DER])
def test_it_detects_a_pkcs7_bundle(pki, encoding) -> None:
    data = pkcs7.serialize_certificates([pki.inter.cert, pki.root.cert], encoding)
    found = detect(data)
    assert found.kind is Kind.BUNDLE
    assert len(found.certificates) == 2


@pytest.mark.parametrize("encoding", [PEM, DER])
def test_it_detects_a_csr(ec_key, encoding) -> None:
    from certauthority.pki.csr import build_csr, parse_csr_arguments

    csr = build_csr(ec_key, parse_csr_arguments(["CN:a.example.com"]))
    found = detect(csr.public_bytes(encoding))
    assert found.kind is Kind.CSR
    assert "CN=a.example.com" in found.summary


def test_it_detects_a_pkcs12_file_with_and_without_password(pki) -> None:
    protected = pkcs12.serialize_key_and_certificates(
        b"x",
        pki.leaf.key,
        pki.leaf.cert,
        [pki.inter.cert],
        serialization.BestAvailableEncryption(b"pw"),
    )
    assert detect(protected).kind is Kind.PKCS12
    assert "password" in detect(protected).summary
    open_file = pkcs12.serialize_key_and_certificates(
        b"x", pki.leaf.key, pki.leaf.cert, None, serialization.NoEncryption()
    )
    assert detect(open_file).kind is Kind.PKCS12


def test_it_detects_an_ssh_public_key(ec_key) -> None:
    line = ec_key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    found = detect(line + b" admin\n")
    assert (found.kind, found.key_description) == (Kind.SSH_PUBLIC_KEY, "EC P-256")


def test_it_detects_a_public_key(ec_key) -> None:
    data = ec_key.public_key().public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert detect(data).kind is Kind.PUBLIC_KEY


def test_it_reports_a_key_and_certificate_in_one_pem_file_as_mixed(pki) -> None:
    found = detect(_key_bytes(pki.leaf.key, PEM) + pki.leaf.pem)
    assert found.kind is Kind.MIXED
    assert [item.kind for item in found.items] == [Kind.PRIVATE_KEY, Kind.CERTIFICATE]


def test_it_ignores_the_file_extension_and_text_around_pem_blocks(pki) -> None:
    found = detect(b"Subject: whatever\nsome notes\n" + pki.leaf.pem + b"\ntrailing words\n")
    assert found.kind is Kind.CERTIFICATE


BAD_INPUTS = {
    "empty file": b"",
    "blank lines": b"\n\n  \n",
    "random bytes": os.urandom(2048),
    "plain text": b"hello, this is not a certificate\n",
    "unknown PEM header": b"-----BEGIN FOO BAR-----\nAAAA\n-----END FOO BAR-----\n",
    "PEM certificate with broken base64": b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    "DER of another type (an INTEGER)": bytes.fromhex("020101"),
    "DER of another type (a bare SEQUENCE)": bytes.fromhex("3006020101020102"),
}


@pytest.mark.parametrize("data", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_it_reports_unreadable_input_as_unknown_with_a_reason(data: bytes) -> None:
    found = detect(data)
    assert found.kind is Kind.UNKNOWN
    assert found.reason
    assert "\n" not in found.reason


def test_it_reports_truncated_pem_as_unknown_and_says_it_is_cut_short(pki) -> None:
    found = detect(pki.leaf.pem[: len(pki.leaf.pem) // 2])
    assert found.kind is Kind.UNKNOWN
    assert "cut short" in found.reason


def test_it_reports_a_bundle_with_one_truncated_certificate_as_unknown(pki) -> None:
    assert detect(pki.inter.pem + pki.root.pem[:200]).kind is Kind.UNKNOWN


def test_it_refuses_input_above_the_size_limit() -> None:
    with pytest.raises(PKIError, match="larger than 1024 KiB"):
        detect(b"A" * (MAX_INPUT_BYTES + 1))


def test_it_describes_a_certificate_as_openssl_does(pki, openssl, tmp_path: Path) -> None:
    info = describe_certificate(pki.leaf.cert, pki.now)
    (tmp_path / "leaf.pem").write_bytes(pki.leaf.pem)
    fingerprint = openssl("x509", "-in", tmp_path / "leaf.pem", "-noout", "-fingerprint", "-sha256")
    assert fingerprint.stdout.strip().endswith(info.fingerprint_sha256)
    serial = openssl("x509", "-in", tmp_path / "leaf.pem", "-noout", "-serial").stdout
    assert int(serial.strip().split("=")[1], 16) == int(info.serial, 16)
    assert info.subject == "CN=webbridge.example.com, O=Example Inc., C=GB"
    assert info.issuer == "CN=Example Issuing CA, O=Example Inc., C=GB"
    assert info.signature_algorithm == "ecdsa-with-SHA256"
    assert info.subject_alt_names == ["DNS:webbridge.example.com"]
    assert info.key_usage == ["Digital Signature"]
    assert info.extended_key_usage == ["serverAuth"]
    assert info.basic_constraints == "CA:FALSE"
    assert info.status == "valid, 365 days left"
    assert info.key == "EC P-256"


def test_it_describes_a_ca_certificate_with_its_path_length(pki) -> None:
    info = describe_certificate(pki.inter.cert, pki.now)
    assert info.basic_constraints == "CA:TRUE, pathlen:0"
    assert "Certificate Sign" in info.key_usage


def test_it_says_expired_and_not_yet_valid(pki) -> None:
    later = pki.now + 400 * DAY
    assert describe_certificate(pki.leaf.cert, later).status == "expired"
    earlier = pki.now - 2 * DAY
    assert describe_certificate(pki.leaf.cert, earlier).status == "not yet valid"


def test_it_counts_one_day_left_in_the_singular(pki) -> None:
    leaf = make_cert(
        "short.example.com", pki.inter, pki.now, not_after=pki.now + dt.timedelta(hours=30)
    )
    assert describe_certificate(leaf.cert, pki.now).status == "valid, 1 day left"


def test_describe_detected_lists_each_element_of_a_bundle(pki) -> None:
    lines = describe_detected(detect(pki.inter.pem + pki.root.pem), pki.now)
    assert lines[0] == "Type: certificate bundle (PEM)"
    assert "Certificate 1 of 2:" in lines
    assert "Certificate 2 of 2:" in lines
    assert "  Subject: CN=Example Root CA, O=Example Inc., C=GB" in lines


def test_describe_detected_advises_unlock_for_an_encrypted_key(ec_key) -> None:
    lines = describe_detected(detect(_key_bytes(ec_key, PEM, b"pw")), dt.datetime.now(dt.UTC))
    assert any("pki unlock" in line for line in lines)


def test_the_certificate_object_survives_a_der_round_trip(pki) -> None:
    der = pki.leaf.cert.public_bytes(DER)
    assert x509.load_der_x509_certificate(der) == detect(der).certificates[0]


def test_it_reads_pem_saved_with_windows_line_endings(pki) -> None:
    found = detect((pki.inter.pem + pki.root.pem).replace(b"\n", b"\r\n"))
    assert found.kind is Kind.BUNDLE
    assert found.certificates == [pki.inter.cert, pki.root.cert]

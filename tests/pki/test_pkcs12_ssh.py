"""PKCS#12 files and OpenSSH public keys (SPEC Appendix C `pki pkcs12-to-ssh`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from certauthority.pki.errors import PasswordRequired, PKIError, WrongPassword
from certauthority.pki.pkcs12 import is_pkcs12, load_pkcs12
from certauthority.pki.ssh import load_ssh_public_key, pkcs12_to_ssh, ssh_public_key_line


@pytest.fixture(scope="module")
def p12_by_openssl(pki, openssl, tmp_path_factory) -> bytes:
    """A PKCS#12 as an administrator exports it with openssl, password 'Secret-1'."""
    tmp: Path = tmp_path_factory.mktemp("p12")
    key_pem = pki.leaf.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp / "k.pem").write_bytes(key_pem)
    (tmp / "c.pem").write_bytes(pki.leaf.pem)
    (tmp / "chain.pem").write_bytes(pki.inter.pem)
    result = openssl(
        "pkcs12",
        "-export",
        "-inkey",
        tmp / "k.pem",
        "-in",
        tmp / "c.pem",
        "-certfile",
        tmp / "chain.pem",
        "-passout",
        "pass:Secret-1",
        "-out",
        tmp / "x.p12",
    )
    assert result.returncode == 0, result.stderr
    return (tmp / "x.p12").read_bytes()


def test_it_opens_a_pkcs12_made_by_openssl_with_its_password(p12_by_openssl, pki) -> None:
    assert is_pkcs12(p12_by_openssl)
    contents = load_pkcs12(p12_by_openssl, b"Secret-1")
    assert contents.certificate == pki.leaf.cert
    assert contents.additional_certificates == [pki.inter.cert]


def test_a_wrong_password_is_reported_as_such(p12_by_openssl) -> None:
    with pytest.raises(WrongPassword):
        load_pkcs12(p12_by_openssl, b"wrong")


def test_a_missing_password_is_asked_for(p12_by_openssl) -> None:
    with pytest.raises(PasswordRequired):
        load_pkcs12(p12_by_openssl, None)


def test_a_pkcs12_without_password_opens_without_one(pki) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"x", pki.leaf.key, pki.leaf.cert, None, serialization.NoEncryption()
    )
    assert load_pkcs12(data, None).certificate == pki.leaf.cert


@pytest.mark.parametrize("data", [b"", b"junk", b"\x30\x03\x02\x01\x03", bytes(100)])
def test_it_refuses_what_is_not_a_pkcs12_file(data: bytes) -> None:
    assert not is_pkcs12(data)
    with pytest.raises(PKIError, match="not a PKCS#12"):
        load_pkcs12(data, b"pw")


def test_it_turns_a_pkcs12_into_one_ssh_public_key_line(p12_by_openssl, pki) -> None:
    line = pkcs12_to_ssh(p12_by_openssl, b"Secret-1", comment="admin")
    algorithm, _blob, comment = line.split(" ")
    assert algorithm == "ecdsa-sha2-nistp256"
    assert comment == "admin"
    assert "\n" not in line
    loaded = load_ssh_public_key(line.encode())
    assert loaded.public_numbers() == pki.leaf.key.public_key().public_numbers()


def test_the_ssh_line_of_a_key_matches_ssh_keygens_format(rsa_key) -> None:
    line = ssh_public_key_line(rsa_key)
    assert line.startswith("ssh-rsa AAAAB3NzaC1yc2E")
    assert (
        line
        == rsa_key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )


def test_it_refuses_an_odd_comment(ec_key) -> None:
    with pytest.raises(PKIError):
        ssh_public_key_line(ec_key, comment="two words")


def test_it_refuses_a_broken_ssh_key() -> None:
    with pytest.raises(PKIError):
        load_ssh_public_key(b"ssh-rsa AAAA-not-base64 x")

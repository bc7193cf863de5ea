"""Fixtures for the CA: EC CAs (fast), CSR factories and files for the openssl judge."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from certauthority import services
from certauthority.pki.names import classify_name, parse_dn
from tests.conftest import issue_server_certificate


@pytest.fixture(scope="session")
def rsa2048_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_csr(
    cn: str | None = "www.example.com",
    san: list[str] | None = None,
    key=None,
    hash_algorithm: hashes.HashAlgorithm | None = None,
) -> x509.CertificateSigningRequest:
    key = key or ec.generate_private_key(ec.SECP256R1())
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        parse_dn(f"CN={cn},O=Example Inc.") if cn else x509.Name([])
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([classify_name(s) for s in san]), critical=False
        )
    return builder.sign(key, hash_algorithm or hashes.SHA256())


def pem(obj) -> bytes:
    return obj.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def issuing_ca(root_ca):
    return services.ca_create_intermediate(
        name="Example Issuing CA",
        parent=root_ca,
        subject="CN=Example Issuing CA,O=Example Inc.,C=GB",
        key_type="ec256",
        actor=None,
    )


@pytest.fixture
def write(tmp_path: Path):
    """write(name, bytes|str) -> path in tmp_path."""

    def _write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    return _write


@pytest.fixture
def chain_files(issuing_ca, write):
    """(root.pem, intermediate.pem) of the fixture CAs, for openssl verify."""
    chain = services.ca_chain(ca=issuing_ca)
    return write("root.pem", pem(chain[-1])), write("intermediate.pem", pem(chain[0]))


def openssl_sha1_csr(tmp_path: Path) -> bytes:
    """A CSR signed with SHA-1, made by openssl itself (req -sha1)."""
    key = tmp_path / "sha1.key"
    out = tmp_path / "sha1.csr"
    subprocess.run(
        [
            "openssl",
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(out),
            "-subj",
            "/CN=old.example.com",
            "-sha1",
        ],
        check=True,
        capture_output=True,
    )
    return out.read_bytes()


@pytest.fixture
def issued(issuing_ca):
    """A server certificate for cb1.example.com from the issuing CA; CertDesk holds its key."""
    return issue_server_certificate(issuing_ca)

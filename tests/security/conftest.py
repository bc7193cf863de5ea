"""Fixtures for the security tests: a small CA, an issued certificate with its key, a
deployment, and hostile files of every kind a user could upload by mistake or on purpose."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

from certauthority.pki.names import classify_name, parse_dn
from tests.conftest import issue_server_certificate


def make_csr(cn: str = "www.example.com", san: tuple[str, ...] = ()) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = x509.CertificateSigningRequestBuilder().subject_name(parse_dn(f"CN={cn}"))
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([classify_name(s) for s in san]), critical=False
        )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Hostile:
    """Files that are not what the form asks for."""

    csr_pem: bytes
    truncated_pem: bytes
    garbage: bytes
    certificate_pem: bytes
    certificate_der: bytes
    key_pem: bytes
    key_der: bytes
    encrypted_key_pem: bytes
    pkcs12: bytes


@pytest.fixture(scope="session")
def hostile() -> Hostile:
    import datetime as dt

    key = ec.generate_private_key(ec.SECP256R1())
    name = parse_dn("CN=hostile.example.com")
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    csr = make_csr("hostile.example.com")
    return Hostile(
        csr_pem=csr,
        truncated_pem=csr[: len(csr) // 2],
        garbage=bytes(range(256)) * 4,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM),
        certificate_der=cert.public_bytes(serialization.Encoding.DER),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        key_der=key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        encrypted_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret-pass"),
        ),
        pkcs12=pkcs12.serialize_key_and_certificates(
            b"hostile", key, cert, None, serialization.BestAvailableEncryption(b"p12-pass")
        ),
    )


@pytest.fixture
def issued(root_ca):
    """A server certificate whose private key CertDesk holds."""
    return issue_server_certificate(root_ca)


@pytest.fixture
def split(db):
    from deployments import services as deployment_services
    from tests.deployments.helpers import EXAMPLES

    text = (EXAMPLES / "single-split.yaml").read_text(encoding="utf-8")
    return deployment_services.deployment_load(text=text, actor="test")[0]

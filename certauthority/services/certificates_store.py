"""Turning a parsed certificate into a Certificate row (shared by issuing and importing)."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from ..models import Certificate, CertificateAuthority, KeyPair, SigningRequest
from ..pki import extensions
from ..pki.names import common_name, describe_general_name, format_name, openssl_general_name
from ..pki.sign import serial_to_hex
from .audit import Actor, actor_user


def san_strings(names: list[x509.GeneralName]) -> list[str]:
    """``DNS:x``, ``IP:y``, ``email:z`` (other kinds in OpenSSL's display form)."""
    result = []
    for name in names:
        try:
            result.append(openssl_general_name(name))
        except Exception:
            result.append(describe_general_name(name))
    return result


def certificate_san(cert: x509.Certificate) -> list[x509.GeneralName]:
    return extensions.san_names(cert)


def certificate_is_ca(cert: x509.Certificate) -> bool:
    return extensions.is_ca(cert)


def certificate_instance(
    *,
    cert: x509.Certificate,
    source: str,
    issuer_ca: CertificateAuthority | None = None,
    key: KeyPair | None = None,
    signing_request: SigningRequest | None = None,
    profile: str = "",
    actor: Actor,
    san: list[x509.GeneralName] | None = None,
) -> Certificate:
    """An unsaved Certificate for ``cert`` with every searchable field filled in.

    ``san``: the names the signer just wrote (saves reading the extension back).
    """
    return Certificate(
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        serial_number=serial_to_hex(cert.serial_number),
        subject=format_name(cert.subject),
        common_name=(common_name(cert.subject) or "")[:255],
        san=san_strings(certificate_san(cert) if san is None else san),
        issuer=format_name(cert.issuer),
        issuer_ca=issuer_ca,
        key=key,
        signing_request=signing_request,
        profile=profile,
        is_ca=certificate_is_ca(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        source=source,
        created_by=actor_user(actor),
    )


def certificate_row(
    *,
    cert: x509.Certificate,
    source: str,
    issuer_ca: CertificateAuthority | None = None,
    key: KeyPair | None = None,
    signing_request: SigningRequest | None = None,
    profile: str = "",
    actor: Actor,
    san: list[x509.GeneralName] | None = None,
) -> Certificate:
    """Insert ``cert`` (see :func:`certificate_instance`)."""
    row = certificate_instance(
        cert=cert,
        source=source,
        issuer_ca=issuer_ca,
        key=key,
        signing_request=signing_request,
        profile=profile,
        actor=actor,
        san=san,
    )
    row.save(force_insert=True)
    return row

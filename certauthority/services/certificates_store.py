"""Turning a parsed certificate into a Certificate row (shared by issuing and importing)."""

from __future__ import annotations

from typing import Any

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
    certificates_mark_replaced([row])
    return row


def certificates_mark_replaced(rows: list[Certificate], *, model: Any = None) -> int:
    """Mark what the new ``rows`` replace: for each CN, from the same issuer, every stored
    certificate that ends sooner (a renewal, issue 12); a new row that ends sooner than one
    already stored is itself marked. A certificate without a CN replaces nothing.

    Looked up by CN alone (indexed), the issuer compared here: with one CA issuing most of
    the inventory, an issuer lookup in SQL is no filter at all. ``model``: the historical
    model, for the migration that fills this in.
    """
    from django.utils import timezone

    manager: Any = (model or Certificate)._default_manager
    names = {row.common_name for row in rows if row.common_name}
    if not names:
        return 0
    now = timezone.now()
    latest: dict[tuple[str, str], tuple[Any, int]] = {}
    candidates = list(
        manager.filter(common_name__in=names, revoked_at__isnull=True)
        .order_by()
        .values_list("pk", "common_name", "issuer", "not_after", "replaced_at")
    )
    for pk, cn, issuer, not_after, _replaced in candidates:
        key = (cn, issuer)
        if key not in latest or (not_after, pk) > latest[key]:
            latest[key] = (not_after, pk)
    replaced = [
        pk
        for pk, cn, issuer, not_after, was in candidates
        if was is None and latest[(cn, issuer)][1] != pk
    ]
    if replaced:
        manager.filter(pk__in=replaced).update(replaced_at=now)
    return len(replaced)

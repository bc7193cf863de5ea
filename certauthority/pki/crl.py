"""Certificate revocation lists (RFC 5280 §5; SPEC R1.5: revoked certificates leave trust)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .sign import Issuer, authority_key_identifier, signature_hash_for

# Relying parties fetch a fresh CRL when nextUpdate passes; a week tolerates an outage.
DEFAULT_CRL_LIFETIME = dt.timedelta(days=7)


@dataclass(frozen=True)
class RevokedEntry:
    serial_number: int
    revoked_at: dt.datetime
    reason: str = "unspecified"  # an x509.ReasonFlags value


def reason_flag(reason: str) -> x509.ReasonFlags | None:
    """The ReasonFlags for a reason name; None for 'unspecified' (RFC 5280: leave it out)."""
    if not reason or reason == "unspecified":
        return None
    return x509.ReasonFlags(reason)


def build_crl(
    *,
    issuer: Issuer,
    revoked: Iterable[RevokedEntry],
    crl_number: int,
    now: dt.datetime | None = None,
    lifetime: dt.timedelta = DEFAULT_CRL_LIFETIME,
) -> x509.CertificateRevocationList:
    """A CRL signed by the CA itself listing ``revoked``, numbered ``crl_number``."""
    now = now or dt.datetime.now(dt.UTC)
    next_update = min(now + lifetime, issuer.certificate.not_valid_after_utc)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now)
        .next_update(max(next_update, now + dt.timedelta(minutes=1)))
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(authority_key_identifier(issuer.certificate), critical=False)
    )
    for entry in revoked:
        item = (
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial_number)
            .revocation_date(entry.revoked_at)
        )
        flag = reason_flag(entry.reason)
        if flag is not None:
            item = item.add_extension(x509.CRLReason(flag), critical=False)
        builder = builder.add_revoked_certificate(item.build())
    return builder.sign(issuer.private_key, signature_hash_for(issuer.private_key))


def crl_to_der(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.DER)


def crl_der_to_pem(der: bytes) -> bytes:
    return x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM)

"""Reading actual certificates into the facts the checks need."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certauthority.pki import extensions
from certauthority.pki.load import certificate_from_pem

from .specs import CertificateFacts

_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
}


def certificate_facts(pem: str | bytes) -> CertificateFacts:
    """Read the first certificate of a PEM text into the facts the checks need."""
    data = pem.encode() if isinstance(pem, str) else pem
    cert = certificate_from_pem(data)  # the one loader: duplicated extensions refused
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    dns = tuple(n.value for n in extensions.san_names(cert) if isinstance(n, x509.DNSName))
    purposes = extensions.eku(cert)
    eku: frozenset[str] | None = (
        None
        if purposes is None
        else frozenset(_EKU_NAMES.get(o, o.dotted_string) for o in purposes)
    )
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return CertificateFacts(
        common_name=str(cns[-1].value) if cns else "",
        dns_names=dns,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        self_signed=cert.issuer == cert.subject,
        eku=eku,
        not_after=cert.not_valid_after_utc,
        public_key_sha256=hashlib.sha256(spki).hexdigest(),
        pem=data.decode(),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )

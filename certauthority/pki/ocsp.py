"""OCSP responses (RFC 6960) signed by the CA itself: good, revoked or unknown.

The caller looks the serial up; this module parses requests, checks that they are meant for
this CA and builds the signed response.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp

from .crl import reason_flag
from .errors import PKIError
from .sign import Issuer, signature_hash_for

RESPONSE_LIFETIME = dt.timedelta(hours=1)


class OcspStatus(enum.StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CertStatus:
    status: OcspStatus
    revoked_at: dt.datetime | None = None
    reason: str = ""


def load_request(data: bytes) -> ocsp.OCSPRequest:
    """Parse a DER OCSP request; PKIError when it is not one (the caller answers malformedRequest)."""
    try:
        return ocsp.load_der_ocsp_request(data)
    except (ValueError, TypeError):
        raise PKIError("The body is not a DER OCSP request (RFC 6960).") from None


def decode_get_path(text: str) -> bytes:
    """The DER request from the last part of a GET URL: URL-encoded base64 (RFC 6960 A.1)."""
    value = unquote(text).strip().replace(" ", "+")
    value = value.replace("-", "+").replace("_", "/")
    value += "=" * (-len(value) % 4)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise PKIError("The OCSP request in the URL is not base64.") from None


def _public_key_bits(cert: x509.Certificate) -> bytes:
    """The contents of subjectPublicKey's BIT STRING, hashed in a CertID (RFC 6960 4.1.1)."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    raise PKIError("Unsupported CA key type for OCSP.")


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


def request_is_for(request: ocsp.OCSPRequest, issuer_cert: x509.Certificate) -> bool:
    """Whether the request's CertID names this CA (issuer name hash and key hash)."""
    algorithm = request.hash_algorithm
    name_hash = _digest(algorithm, issuer_cert.subject.public_bytes())
    key_hash = _digest(algorithm, _public_key_bits(issuer_cert))
    return request.issuer_name_hash == name_hash and request.issuer_key_hash == key_hash


def unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )


def build_response(
    *,
    request: ocsp.OCSPRequest,
    issuer: Issuer,
    status: CertStatus,
    now: dt.datetime | None = None,
) -> bytes:
    """A signed, DER OCSP response for the one certificate the request asks about."""
    now = now or dt.datetime.now(dt.UTC)
    cert_status = {
        OcspStatus.GOOD: ocsp.OCSPCertStatus.GOOD,
        OcspStatus.REVOKED: ocsp.OCSPCertStatus.REVOKED,
        OcspStatus.UNKNOWN: ocsp.OCSPCertStatus.UNKNOWN,
    }[status.status]
    revoked = status.status is OcspStatus.REVOKED
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=request.hash_algorithm,
            cert_status=cert_status,
            this_update=now,
            next_update=now + RESPONSE_LIFETIME,
            revocation_time=status.revoked_at if revoked else None,
            revocation_reason=reason_flag(status.reason) if revoked else None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.certificate)
        # The signer's certificate travels with the response so clients need only the root.
        .certificates([issuer.certificate])
    )
    try:
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce)
    except x509.ExtensionNotFound:
        nonce = None
    if nonce is not None:
        builder = builder.add_extension(nonce.value, critical=False)
    response = builder.sign(issuer.private_key, signature_hash_for(issuer.private_key))
    return response.public_bytes(serialization.Encoding.DER)

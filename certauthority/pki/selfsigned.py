"""Self-signed certificates for test labs (SPEC R6.1, Appendix C ``pki selfsigned``)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from .csr import CsrRequest
from .errors import PKIError
from .keys import PrivateKey, check_key_strength
from .names import classify_name

DEFAULT_DAYS = 365
MAX_DAYS = 3650
# Backdate a little so that peers whose clocks run slow accept the certificate at once.
BACKDATE = dt.timedelta(minutes=5)


def build_self_signed(
    key: PrivateKey,
    request: CsrRequest,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """A self-signed end-entity certificate usable as TLS server and client (SPEC R6.1).

    Signed with SHA-256, random serial, serverAuth + clientAuth, and a SAN list: the
    request's, or the CN alone when the request has none and the CN is a host name.
    Self-signed certificates cannot serve the database cluster or Lync (SPEC R6.1).
    """
    if not 1 <= days <= MAX_DAYS:
        raise PKIError(f"--days must be between 1 and {MAX_DAYS}, not {days}.")
    check_key_strength(key)
    now = now or dt.datetime.now(dt.UTC)
    subject = request.subject()
    alt_names = list(request.alt_names)
    if not alt_names:
        try:
            alt_names = [classify_name(request.common_name)]
        except PKIError:
            alt_names = []
    key_usage_encipherment = isinstance(key, rsa.RSAPrivateKey)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=key_usage_encipherment,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        # RFC 5280 4.2.1.1 excuses only self-signed CA certificates from the AKI; this is a
        # leaf, so it names its own key as the issuer's (pkilint flagged it, issue 14).
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
    )
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    return builder.sign(key, hashes.SHA256())

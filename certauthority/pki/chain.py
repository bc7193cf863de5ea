"""Building and verifying certificate chains the way OpenSSL does (SPEC R1.3, R1.5, R4.3, R4.4).

The Meeting Server's ``pki verify`` is OpenSSL's ``X509_verify_cert`` underneath, so this
module follows OpenSSL 3.0's order of work and wording closely: the verdict and the
first error (depth, reason) agree with ``openssl verify -CAfile CA -untrusted BUNDLE CERT``.

1. Build the chain, trusted store first (OpenSSL's default "trusted first"): for the top
   certificate look for an issuer among the trusted certificates, otherwise among the
   untrusted ones. A candidate issuer has the child's issuer name as subject, an SKID
   matching the child's AKID, and a key of the kind that signed the child. Among several
   candidates the one valid now wins, else the one expiring last.
2. The chain is trusted only when it reaches a self-signed certificate from the trusted
   list. Otherwise: "self-signed certificate" / "self-signed certificate in certificate
   chain" when the top is self-signed, else "unable to get local issuer certificate"
   (nothing trusted in the chain) or "unable to get issuer certificate" (a trusted but
   not self-signed certificate whose issuer is missing).
3. Extensions, leaf to root: unhandled critical extensions, every issuer a CA
   (basicConstraints CA:TRUE, keyUsage with keyCertSign if present; a v1 or keyUsage-only
   root is tolerated at the top), path length constraints.
4. Signatures and validity periods, root to leaf (so an expired intermediate is reported
   before an expired leaf). The self-signed anchor's own signature is not checked.

Not covered (not needed by the Meeting Server's checks): name constraints, policies,
revocation, DANE, partial chains, purpose checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import ExtensionOID, SignatureAlgorithmOID

from .extensions import (
    authority_key_identifier,
    basic_constraints,
    extension_list,
    extensions_readable,
    key_usage,
    subject_key_identifier,
)
from .names import format_name

# OpenSSL's X509_V_ERR_* numbers and their X509_verify_cert_error_string() wording (3.0).
UNABLE_TO_GET_ISSUER_CERT = 2
UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY = 6
CERT_SIGNATURE_FAILURE = 7
CERT_NOT_YET_VALID = 9
CERT_HAS_EXPIRED = 10
DEPTH_ZERO_SELF_SIGNED_CERT = 18
SELF_SIGNED_CERT_IN_CHAIN = 19
UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21
CERT_CHAIN_TOO_LONG = 22
INVALID_CA = 24
PATH_LENGTH_EXCEEDED = 25
KEYUSAGE_NO_CERTSIGN = 32
UNHANDLED_CRITICAL_EXTENSION = 34
INVALID_EXTENSION = 85

REASONS: dict[int, str] = {
    UNABLE_TO_GET_ISSUER_CERT: "unable to get issuer certificate",
    UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: "unable to decode issuer public key",
    CERT_SIGNATURE_FAILURE: "certificate signature failure",
    CERT_NOT_YET_VALID: "certificate is not yet valid",
    CERT_HAS_EXPIRED: "certificate has expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
    SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in certificate chain",
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unable to get local issuer certificate",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unable to verify the first certificate",
    CERT_CHAIN_TOO_LONG: "certificate chain too long",
    INVALID_CA: "invalid CA certificate",
    PATH_LENGTH_EXCEEDED: "path length constraint exceeded",
    KEYUSAGE_NO_CERTSIGN: "key usage does not include certificate signing",
    UNHANDLED_CRITICAL_EXTENSION: "unhandled critical extension",
    INVALID_EXTENSION: "invalid or inconsistent certificate extension",
}

# OpenSSL's default verify depth is 100; it builds one further to detect the overrun.
MAX_DEPTH = 100 + 1

# Critical extensions OpenSSL understands (X509_supported_extension); any other critical
# extension makes it fail with "unhandled critical extension".
_SUPPORTED_CRITICAL = {
    x509.ObjectIdentifier("2.16.840.1.113730.1.1"),  # Netscape certificate type
    ExtensionOID.KEY_USAGE,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.CERTIFICATE_POLICIES,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.POLICY_CONSTRAINTS,
    ExtensionOID.NAME_CONSTRAINTS,
    ExtensionOID.POLICY_MAPPINGS,
    ExtensionOID.INHIBIT_ANY_POLICY,
    x509.ObjectIdentifier("1.3.6.1.5.5.7.1.14"),  # proxyCertInfo
    x509.ObjectIdentifier("1.3.6.1.5.5.7.1.7"),  # RFC 3779 IP address blocks
    x509.ObjectIdentifier("1.3.6.1.5.5.7.1.8"),  # RFC 3779 AS identifiers
}

_RSA_SIGNATURES = {
    SignatureAlgorithmOID.RSA_WITH_MD5,
    SignatureAlgorithmOID.RSA_WITH_SHA1,
    SignatureAlgorithmOID._RSA_WITH_SHA1,
    SignatureAlgorithmOID.RSA_WITH_SHA224,
    SignatureAlgorithmOID.RSA_WITH_SHA256,
    SignatureAlgorithmOID.RSA_WITH_SHA384,
    SignatureAlgorithmOID.RSA_WITH_SHA512,
    SignatureAlgorithmOID.RSA_WITH_SHA3_224,
    SignatureAlgorithmOID.RSA_WITH_SHA3_256,
    SignatureAlgorithmOID.RSA_WITH_SHA3_384,
    SignatureAlgorithmOID.RSA_WITH_SHA3_512,
    SignatureAlgorithmOID.RSASSA_PSS,
}
_EC_SIGNATURES = {
    SignatureAlgorithmOID.ECDSA_WITH_SHA1,
    SignatureAlgorithmOID.ECDSA_WITH_SHA224,
    SignatureAlgorithmOID.ECDSA_WITH_SHA256,
    SignatureAlgorithmOID.ECDSA_WITH_SHA384,
    SignatureAlgorithmOID.ECDSA_WITH_SHA512,
    SignatureAlgorithmOID.ECDSA_WITH_SHA3_224,
    SignatureAlgorithmOID.ECDSA_WITH_SHA3_256,
    SignatureAlgorithmOID.ECDSA_WITH_SHA3_384,
    SignatureAlgorithmOID.ECDSA_WITH_SHA3_512,
}


@dataclass
class VerifyResult:
    """The outcome of :func:`verify_chain`.

    ``depth`` follows OpenSSL: 0 is the leaf, 1 its issuer, and so on. ``certificate`` is
    the certificate the error is about; ``reason`` is OpenSSL's wording of ``code``.
    """

    ok: bool
    chain: list[x509.Certificate] = field(default_factory=list)
    depth: int | None = None
    code: int | None = None
    reason: str | None = None
    certificate: x509.Certificate | None = None

    @property
    def issuer(self) -> x509.Name | None:
        return self.certificate.issuer if self.certificate is not None else None

    @property
    def subject(self) -> x509.Name | None:
        return self.certificate.subject if self.certificate is not None else None

    def error_line(self) -> str:
        """``certificate verification error: depth=N issuer=<DN> Verification error: <reason>``
        in the Meeting Server's words (SPEC R4.4); empty when the chain verified."""
        if self.ok or self.issuer is None:
            return ""
        return (
            f"certificate verification error: depth={self.depth} "
            f"issuer={format_name(self.issuer)} Verification error: {self.reason}"
        )


class _Failure(Exception):
    def __init__(self, code: int, depth: int, certificate: x509.Certificate) -> None:
        super().__init__(REASONS[code])
        self.code = code
        self.depth = depth
        self.certificate = certificate


# --- relations between certificates --------------------------------------------------


def _canonical_value(value: object) -> object:
    if not isinstance(value, str):
        return value
    ascii_lower = "".join(c.lower() if c.isascii() else c for c in value)
    return " ".join(ascii_lower.split())


def canonical_name(name: x509.Name) -> tuple[tuple[tuple[str, object], ...], ...]:
    """A comparison key that treats names as OpenSSL's X509_NAME_cmp does: ASCII case and
    runs of white space do not matter."""
    return tuple(
        tuple(sorted((a.oid.dotted_string, _canonical_value(a.value)) for a in rdn))
        for rdn in name.rdns
    )


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _public_key(cert: x509.Certificate) -> object | None:
    try:
        return cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return None


def _signature_fits_key(issuer_key: object, child: x509.Certificate) -> bool:
    oid = child.signature_algorithm_oid
    if oid in _RSA_SIGNATURES:
        return isinstance(issuer_key, rsa.RSAPublicKey)
    if oid in _EC_SIGNATURES:
        return isinstance(issuer_key, ec.EllipticCurvePublicKey)
    if oid == SignatureAlgorithmOID.ED25519:
        return isinstance(issuer_key, ed25519.Ed25519PublicKey)
    if oid == SignatureAlgorithmOID.ED448:
        return isinstance(issuer_key, ed448.Ed448PublicKey)
    if oid in (SignatureAlgorithmOID.DSA_WITH_SHA1, SignatureAlgorithmOID.DSA_WITH_SHA256):
        return isinstance(issuer_key, dsa.DSAPublicKey)
    return issuer_key is not None


def _akid_fits(issuer: x509.Certificate, child: x509.Certificate) -> bool:
    akid = authority_key_identifier(child)
    if not isinstance(akid, x509.AuthorityKeyIdentifier):
        return True
    if akid.key_identifier is not None:
        skid = subject_key_identifier(issuer)
        if isinstance(skid, x509.SubjectKeyIdentifier) and skid.digest != akid.key_identifier:
            return False
    if (
        akid.authority_cert_serial_number is not None
        and akid.authority_cert_serial_number != issuer.serial_number
    ):
        return False
    if akid.authority_cert_issuer:
        directory_names = [
            name.value
            for name in akid.authority_cert_issuer
            if isinstance(name, x509.DirectoryName)
        ]
        wanted = canonical_name(issuer.issuer)
        if directory_names and all(canonical_name(n) != wanted for n in directory_names):
            return False
    return True


def likely_issued(issuer: x509.Certificate, child: x509.Certificate) -> bool:
    """Whether ``issuer`` may have issued ``child`` (names, key identifiers, key kind);
    the signature itself is checked later, as OpenSSL does."""
    if canonical_name(issuer.subject) != canonical_name(child.issuer):
        return False
    if not _akid_fits(issuer, child):
        return False
    return _signature_fits_key(_public_key(issuer), child)


def is_self_issued(cert: x509.Certificate) -> bool:
    """Subject and issuer names are equal (a root, or a CA's key rollover certificate)."""
    return canonical_name(cert.subject) == canonical_name(cert.issuer)


def is_self_signed(cert: x509.Certificate) -> bool:
    """Self-issued with a matching key identifier and key kind (OpenSSL's EXFLAG_SS);
    the signature itself is not checked."""
    return likely_issued(cert, cert)


def signature_is_valid(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s key verifies ``cert``'s signature."""
    key = _public_key(issuer)
    try:
        algorithm = cert.signature_hash_algorithm
        if isinstance(key, rsa.RSAPublicKey):
            pad = cert.signature_algorithm_parameters
            if not isinstance(pad, (padding.PKCS1v15, padding.PSS)) or algorithm is None:
                return False
            key.verify(cert.signature, cert.tbs_certificate_bytes, pad, algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            if algorithm is None:
                return False
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(algorithm))
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(cert.signature, cert.tbs_certificate_bytes)
        elif isinstance(key, dsa.DSAPublicKey):
            if algorithm is None:
                return False
            key.verify(cert.signature, cert.tbs_certificate_bytes, algorithm)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _time_error(cert: x509.Certificate, at: dt.datetime) -> int | None:
    # OpenSSL: valid when notBefore <= now < notAfter.
    if cert.not_valid_before_utc > at:
        return CERT_NOT_YET_VALID
    if cert.not_valid_after_utc <= at:
        return CERT_HAS_EXPIRED
    return None


def is_time_valid(cert: x509.Certificate, at: dt.datetime) -> bool:
    return _time_error(cert, at) is None


def _check_ca(cert: x509.Certificate) -> int:
    """OpenSSL's X509_check_ca: 0 not a CA, 1 a proper CA, 3 a v1 root, 4 keyUsage-only."""
    usage = key_usage(cert)
    if isinstance(usage, x509.KeyUsage) and not usage.key_cert_sign:
        return 0
    constraints = basic_constraints(cert)
    if isinstance(constraints, x509.BasicConstraints):
        return 1 if constraints.ca else 0
    if cert.version == x509.Version.v1 and is_self_signed(cert):
        return 3
    if isinstance(usage, x509.KeyUsage):
        return 4
    return 0


def _path_length(cert: x509.Certificate) -> int | None:
    constraints = basic_constraints(cert)
    if isinstance(constraints, x509.BasicConstraints) and constraints.ca:
        return constraints.path_length
    return None


def _has_unhandled_critical_extension(cert: x509.Certificate) -> bool:
    return any(ext.critical and ext.oid not in _SUPPORTED_CRITICAL for ext in extension_list(cert))


# --- chain building ------------------------------------------------------------------


def _pick(candidates: list[x509.Certificate], at: dt.datetime) -> x509.Certificate | None:
    """The first candidate valid at ``at``; else the one expiring last (OpenSSL's choice)."""
    best: x509.Certificate | None = None
    for candidate in candidates:
        if is_time_valid(candidate, at):
            return candidate
        if best is None or candidate.not_valid_after_utc > best.not_valid_after_utc:
            best = candidate
    return best


def _trusted_issuer(
    cert: x509.Certificate, trusted: list[x509.Certificate], at: dt.datetime
) -> x509.Certificate | None:
    return _pick([t for t in trusted if likely_issued(t, cert)], at)


def _untrusted_issuer(
    cert: x509.Certificate,
    pool: list[x509.Certificate],
    chain: list[x509.Certificate],
    at: dt.datetime,
) -> x509.Certificate | None:
    chain_ders = {_der(c) for c in chain}
    candidates = [
        c
        for c in pool
        if likely_issued(c, cert)
        and ((is_self_issued(cert) and len(chain) == 1) or _der(c) not in chain_ders)
    ]
    return _pick(candidates, at)


def unique_certificates(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """``certs`` without repeats, first occurrence kept."""
    seen: set[bytes] = set()
    result = []
    for cert in certs:
        der = _der(cert)
        if der not in seen:
            seen.add(der)
            result.append(cert)
    return result


def _build(
    leaf: x509.Certificate,
    untrusted: list[x509.Certificate],
    trusted: list[x509.Certificate],
    at: dt.datetime,
) -> tuple[list[x509.Certificate], _Failure | None]:
    """OpenSSL 3.0's build_chain with trusted-first search; returns the chain and the
    trust error, if any."""
    chain = [leaf]
    num_untrusted = 1
    pool = unique_certificates(untrusted)
    trusted = unique_certificates(trusted)
    trusted_ders = {_der(c) for c in trusted}
    search_trusted = True
    search_untrusted = bool(pool)
    is_trusted = False

    def anchored() -> bool:
        return any(_der(c) in trusted_ders and is_self_signed(c) for c in chain[num_untrusted:])

    while search_trusted or search_untrusted:
        if search_trusted:
            num = len(chain)
            current = chain[-1]
            issuer = None if num > MAX_DEPTH else _trusted_issuer(current, trusted, at)
            found = issuer is not None
            if issuer is not None:
                self_signed = is_self_signed(current)
                if not self_signed:
                    chain.append(issuer)
                    self_signed = is_self_signed(issuer)
                elif _der(current) != _der(issuer):
                    found = False  # an untrusted look-alike of a trust anchor
                elif num == num_untrusted:
                    num_untrusted -= 1  # the certificate itself is a trust anchor
            if found:
                search_untrusted = False
                if anchored():
                    is_trusted = True
                    break
                if not self_signed:
                    continue
            if not search_untrusted:
                break
        if search_untrusted:
            current = chain[-1]
            issuer = (
                None
                if is_self_signed(current) or len(chain) > MAX_DEPTH
                else _untrusted_issuer(current, pool, chain, at)
            )
            if issuer is None:
                search_untrusted = False
                search_trusted = True
                continue
            pool = [c for c in pool if c is not issuer]
            chain.append(issuer)
            num_untrusted += 1

    if is_trusted:
        return chain, None
    num = len(chain)
    top = chain[-1]
    if num > MAX_DEPTH:
        return chain, _Failure(CERT_CHAIN_TOO_LONG, num - 1, top)
    if is_self_signed(top):
        code = DEPTH_ZERO_SELF_SIGNED_CERT if num == 1 else SELF_SIGNED_CERT_IN_CHAIN
        return chain, _Failure(code, num - 1, top)
    code = UNABLE_TO_GET_ISSUER_CERT if num_untrusted < num else UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    return chain, _Failure(code, num - 1, top)


def _check_extensions(chain: list[x509.Certificate]) -> None:
    """OpenSSL's check_extensions: critical extensions, CA flags, path lengths (leaf up)."""
    num = len(chain)
    plen = 0
    for depth, cert in enumerate(chain):
        if not extensions_readable(cert):
            raise _Failure(INVALID_EXTENSION, depth, cert)
        if _has_unhandled_critical_extension(cert):
            raise _Failure(UNHANDLED_CRITICAL_EXTENSION, depth, cert)
        if depth > 0:
            ca = _check_ca(cert)
            if ca == 0 or (depth + 1 < num and ca != 1):
                raise _Failure(INVALID_CA, depth, cert)
        limit = _path_length(cert)
        if depth > 1 and limit is not None and plen > limit:
            raise _Failure(PATH_LENGTH_EXCEEDED, depth, cert)
        if depth > 0 and not is_self_issued(cert):
            plen += 1


def _check_signatures_and_times(chain: list[x509.Certificate], at: dt.datetime) -> None:
    """OpenSSL's internal_verify: from the anchor down, each signature then each period."""
    n = len(chain) - 1
    issuer = chain[n]
    if likely_issued(issuer, issuer):
        subject = issuer
    else:
        if n <= 0:
            raise _Failure(UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0, issuer)
        n -= 1
        subject = chain[n]
    while n >= 0:
        if subject is not issuer:
            usage = key_usage(issuer)
            if isinstance(usage, x509.KeyUsage) and not usage.key_cert_sign:
                raise _Failure(KEYUSAGE_NO_CERTSIGN, n + 1, issuer)
            if _public_key(issuer) is None:
                raise _Failure(UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, n + 1, issuer)
            if not signature_is_valid(subject, issuer):
                raise _Failure(CERT_SIGNATURE_FAILURE, n, subject)
        time_error = _time_error(subject, at)
        if time_error is not None:
            raise _Failure(time_error, n, subject)
        n -= 1
        if n >= 0:
            issuer = subject
            subject = chain[n]


def build_chain(
    leaf: x509.Certificate,
    untrusted: list[x509.Certificate],
    trusted: list[x509.Certificate],
    at: dt.datetime | None = None,
) -> list[x509.Certificate]:
    """The chain OpenSSL would build from ``leaf`` upwards (leaf first), complete or not."""
    chain, _ = _build(leaf, untrusted, trusted, at or dt.datetime.now(dt.UTC))
    return chain


def verify_chain(
    leaf: x509.Certificate,
    untrusted: list[x509.Certificate],
    trusted: list[x509.Certificate] | None,
    at: dt.datetime | None = None,
) -> VerifyResult:
    """Verify ``leaf`` through ``untrusted`` up to a self-signed certificate in ``trusted``.

    Agrees with ``openssl verify -CAfile TRUSTED -untrusted UNTRUSTED LEAF`` (first error).
    With no trusted list, the bundle itself is the trust store, as the Meeting Server's
    ``pki verify <cert> <bundle>`` does (SPEC R4.3): its self-signed root is the anchor,
    and a bundle without its root fails with "unable to get issuer certificate" (R4.4).
    This equals ``openssl verify -CAfile BUNDLE LEAF``.
    """
    at = at or dt.datetime.now(dt.UTC)
    if not trusted:
        trusted, untrusted = list(untrusted), []
    chain, failure = _build(leaf, untrusted, trusted, at)
    try:
        if failure is not None:
            raise failure
        _check_extensions(chain)
        _check_signatures_and_times(chain, at)
    except _Failure as exc:
        return VerifyResult(
            ok=False,
            chain=chain,
            depth=exc.depth,
            code=exc.code,
            reason=REASONS[exc.code],
            certificate=exc.certificate,
        )
    return VerifyResult(ok=True, chain=chain)

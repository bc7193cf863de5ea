"""Issuing certificates: CA certificates and CSR-based leaves with a profile (SPEC R2.5, R3.9).

Pure functions over ``cryptography`` objects; no Django. The services layer decides what
to sign; this module decides how a certificate of each profile looks.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import extensions
from .errors import PKIError
from .keys import PrivateKey, PublicKey, check_key_strength
from .names import MAX_LENGTHS, attribute_label

# Backdate so that peers whose clocks run a little slow accept a new certificate at once.
BACKDATE = dt.timedelta(minutes=5)
MAX_DAYS = 3650 * 3

# TLS server certificates (the server and server-client profiles).
# Warn above 398 days: the CA/Browser Forum Baseline Requirements 6.3.2 (since 2020-09-01)
# and Apple, Google and Mozilla root programmes refuse longer ones from public CAs.
TLS_SERVER_WARN_DAYS = 398
# Refuse above 825 days unless forced: Apple's "Requirements for trusted certificates in
# iOS 13 and macOS 10.15" (support.apple.com HT210176) make iOS/macOS refuse TLS server
# certificates valid longer than 825 days even when they chain to a private root.
TLS_SERVER_MAX_DAYS = 825
# The largest RSA key the CA signs for: bigger ones only cost every peer CPU time (and some
# TLS stacks, among them Windows' and Java's defaults, refuse them).
MAX_RSA_BITS = 8192


class SignError(PKIError):
    """The CA cannot or must not sign what was asked."""


class CertProfile(enum.StrEnum):
    """What a certificate is for. SPEC R3.9: DB server needs serverAuth, DB client clientAuth.

    The one definition of the profile: certauthority.models and deployments.rules use it.
    """

    SERVER = "server"
    CLIENT = "client"
    SERVER_CLIENT = "server-client"
    CA = "ca"

    @classmethod
    def parse(cls, value: str) -> CertProfile:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(p.value for p in cls if p is not cls.CA)
            raise SignError(f"Unknown profile '{value}': choose one of {choices}.") from None

    @property
    def is_tls_server(self) -> bool:
        """Whether certificates of this profile are TLS server certificates (validity limits)."""
        return ExtendedKeyUsageOID.SERVER_AUTH in PROFILE_SPECS.get(self, _NO_SPEC).eku


@dataclass(frozen=True)
class ProfileSpec:
    """How a leaf of one profile looks beyond what every leaf has.

    ``ec_key_agreement``: add keyAgreement to an EC leaf's keyUsage. Off for every profile:
    TLS 1.2 ECDHE and TLS 1.3 sign with the key and never use it for static ECDH, and
    step-ca's and the CA/Browser Forum's profiles give EC leaves digitalSignature only.
    """

    eku: tuple[x509.ObjectIdentifier, ...]
    ec_key_agreement: bool = False


PROFILE_SPECS: dict[CertProfile, ProfileSpec] = {
    CertProfile.SERVER: ProfileSpec(eku=(ExtendedKeyUsageOID.SERVER_AUTH,)),
    CertProfile.CLIENT: ProfileSpec(eku=(ExtendedKeyUsageOID.CLIENT_AUTH,)),
    CertProfile.SERVER_CLIENT: ProfileSpec(
        eku=(ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH)
    ),
}
_NO_SPEC = ProfileSpec(eku=())


@dataclass(frozen=True)
class Issuer:
    """The signing side: the CA's certificate and its unlocked private key."""

    certificate: x509.Certificate
    private_key: PrivateKey


@dataclass
class IssueOptions:
    """Where relying parties find revocation information and the issuer's certificate.

    ``force``: sign a TLS server certificate valid longer than TLS_SERVER_MAX_DAYS.
    """

    crl_url: str = ""
    ocsp_url: str = ""
    ca_issuers_url: str = ""
    force: bool = False
    warnings: list[str] = field(default_factory=list)


def serial_to_hex(serial: int) -> str:
    """Upper-case hex with an even number of digits, as ``openssl x509 -serial`` prints it."""
    text = f"{serial:X}"
    return text if len(text) % 2 == 0 else "0" + text


def normalise_serial(text: str) -> str:
    """Accept ``0a:1b``, ``0A1B``, ``0x0a1b`` or spaced forms; return :func:`serial_to_hex`."""
    cleaned = text.strip().lower().removeprefix("0x").replace(":", "").replace(" ", "")
    if not cleaned or any(c not in "0123456789abcdef" for c in cleaned):
        raise PKIError(f"'{text}' is not a hexadecimal serial number such as 3F:A2:…:01.")
    return serial_to_hex(int(cleaned, 16))


def signature_hash_for(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384:
    """SHA-256 for RSA and P-256, SHA-384 for P-384 and larger curves (RFC 5480 pairing)."""
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size > 256:
        return hashes.SHA384()
    return hashes.SHA256()


def _key_usage(public_key: PublicKey, profile: CertProfile) -> x509.KeyUsage:
    is_ca = profile is CertProfile.CA
    is_rsa = isinstance(public_key, rsa.RSAPublicKey)
    spec = PROFILE_SPECS.get(profile, _NO_SPEC)
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        # RSA key transport (TLS 1.2 RSA key exchange) still needs keyEncipherment.
        key_encipherment=is_rsa and not is_ca,
        data_encipherment=False,
        key_agreement=not is_rsa and not is_ca and spec.ec_key_agreement,
        key_cert_sign=is_ca,
        crl_sign=is_ca,
        encipher_only=False,
        decipher_only=False,
    )


def authority_key_identifier(issuer_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = extensions.subject_key_identifier(issuer_cert)
    if ski is not None:
        return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key())  # type: ignore[arg-type]


def _revocation_extensions(
    builder: x509.CertificateBuilder, options: IssueOptions
) -> x509.CertificateBuilder:
    if options.crl_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(options.crl_url)],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    access = [
        x509.AccessDescription(method, x509.UniformResourceIdentifier(url))
        for method, url in (
            (x509.oid.AuthorityInformationAccessOID.OCSP, options.ocsp_url),
            # RFC 5280 4.2.2.1: where a client without the intermediate fetches it.
            (x509.oid.AuthorityInformationAccessOID.CA_ISSUERS, options.ca_issuers_url),
        )
        if url
    ]
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
    return builder


def has_control_character(text: str) -> bool:
    """C0 controls (NUL included), DEL and C1 controls: nothing a name or a database holds."""
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text)


def check_signable(
    *, public_key: PublicKey, subject: x509.Name, san: list[x509.GeneralName]
) -> None:
    """Refuse, before anything is signed, what the CA must not sign or could not record.

    RSA keys above MAX_RSA_BITS; subject attributes above RFC 5280's upper bounds
    (ub-common-name is 64); control characters (a NUL cannot even be stored) in the subject
    or the subjectAltName.
    """
    if isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size > MAX_RSA_BITS:
        raise SignError(
            f"The RSA key has {public_key.key_size} bits; the CA signs keys of at most "
            f"{MAX_RSA_BITS} bits: generate a 2048, 3072 or 4096-bit key."
        )
    for attribute in subject:
        label = attribute_label(attribute.oid)
        value = attribute.value
        if not isinstance(value, str):
            continue
        if has_control_character(value):
            raise SignError(
                f"The subject's {label} contains a control character (such as NUL or a line "
                "break): generate the CSR again with plain text."
            )
        limit = MAX_LENGTHS.get(attribute.oid)
        if limit is not None and len(value) > limit:
            raise SignError(
                f"The subject's {label} is {len(value)} characters long; RFC 5280 allows "
                f"{limit}: generate the CSR again with a shorter {label} (put long host "
                "names in the subjectAltName)."
            )
    for name in san:
        values = (
            [str(a.value) for a in name.value]
            if isinstance(name, x509.DirectoryName)
            else [name.value]
            if isinstance(name.value, str)
            else []
        )
        if any(has_control_character(v) for v in values):
            raise SignError(
                "A subjectAltName entry contains a control character (such as NUL or a line "
                "break): correct the subjectAltName list."
            )


def check_issuer_usable(issuer_cert: x509.Certificate, now: dt.datetime) -> None:
    """Refuse to sign with a CA certificate that is expired or not yet valid."""
    if issuer_cert.not_valid_after_utc <= now:
        raise SignError(
            f"The CA certificate expired on {issuer_cert.not_valid_after_utc:%Y-%m-%d}: "
            "create a new CA (or renew this one) before signing."
        )
    if issuer_cert.not_valid_before_utc > now + BACKDATE:
        raise SignError("The CA certificate is not valid yet: check the server's clock.")


def validity(
    *, days: int, now: dt.datetime, issuer_cert: x509.Certificate | None, warnings: list[str]
) -> tuple[dt.datetime, dt.datetime]:
    """(not_before, not_after) for ``days`` days, capped by the issuer's own not_after."""
    if not 1 <= days <= MAX_DAYS:
        raise SignError(f"The validity must be between 1 and {MAX_DAYS} days, not {days}.")
    not_before = now - BACKDATE
    if issuer_cert is not None:
        not_before = max(not_before, issuer_cert.not_valid_before_utc)
    # Counted from notBefore, so the certificate spans exactly ``days`` (Apple counts so).
    not_after = not_before + dt.timedelta(days=days)
    if issuer_cert is not None:
        limit = issuer_cert.not_valid_after_utc
        if not_after > limit:
            not_after = limit
            warnings.append(
                f"The validity was shortened to end with the CA's own on {limit:%Y-%m-%d}."
            )
    return not_before, not_after


def check_server_validity(*, days: int, force: bool, warnings: list[str]) -> None:
    """Apple's 825-day limit for TLS server certificates (refused unless forced), 398 warned."""
    if days > TLS_SERVER_MAX_DAYS:
        if not force:
            raise SignError(
                f"A TLS server certificate valid for {days} days is refused by Apple platforms "
                f"(iOS, macOS) even from a private CA: choose at most {TLS_SERVER_MAX_DAYS} "
                f"days (better {TLS_SERVER_WARN_DAYS}), or force it if no Apple device connects."
            )
        warnings.append(
            f"Signed for {days} days although Apple platforms refuse TLS server certificates "
            f"valid for more than {TLS_SERVER_MAX_DAYS} days."
        )
    elif days > TLS_SERVER_WARN_DAYS:
        warnings.append(
            f"{days} days is longer than the {TLS_SERVER_WARN_DAYS} days browsers accept from "
            "public CAs; some clients may refuse it: renew yearly if you can."
        )


def _san_extension(
    builder: x509.CertificateBuilder, subject: x509.Name, san: list[x509.GeneralName]
) -> x509.CertificateBuilder:
    if not san:
        return builder
    # RFC 5280 4.2.1.6: with an empty subject the SAN extension must be critical.
    return builder.add_extension(x509.SubjectAlternativeName(san), critical=len(subject) == 0)


def build_ca_certificate(
    *,
    private_key: PrivateKey,
    subject: x509.Name,
    days: int,
    issuer: Issuer | None = None,
    path_length: int | None = None,
    options: IssueOptions | None = None,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """A root CA certificate (``issuer`` None: self-signed) or an intermediate signed by ``issuer``."""
    check_key_strength(private_key)
    options = options or IssueOptions()
    now = now or dt.datetime.now(dt.UTC)
    if not subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        raise SignError("A CA's subject needs a CN: write it as CN=Example Root CA,O=Example,C=GB.")
    issuer_cert = issuer.certificate if issuer else None
    if issuer_cert is not None:
        check_issuer_usable(issuer_cert, now)
        parent_length = _path_length(issuer_cert)
        if parent_length == 0:
            raise SignError(
                "The parent CA's path length is 0: it may sign only end-entity certificates, "
                "not another CA."
            )
        if parent_length is not None and (path_length is None or path_length >= parent_length):
            path_length = parent_length - 1
    not_before, not_after = validity(
        days=days, now=now, issuer_cert=issuer_cert, warnings=options.warnings
    )
    public_key = private_key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(public_key, CertProfile.CA), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(authority_key_identifier(issuer_cert), critical=False)
        builder = _revocation_extensions(builder, options)
        signer = issuer.private_key  # type: ignore[union-attr]
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        signer = private_key
    return builder.sign(signer, signature_hash_for(signer))


def _path_length(cert: x509.Certificate) -> int | None:
    return extensions.path_length(cert)


def issue_certificate(
    *,
    issuer: Issuer,
    public_key: PublicKey,
    subject: x509.Name,
    san: list[x509.GeneralName],
    profile: CertProfile,
    days: int,
    options: IssueOptions | None = None,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """An end-entity certificate for ``public_key`` (checked CSR data) with ``profile``.

    SHA-256 (SHA-384 from a P-384 CA), a random 159-bit serial, SKI/AKI, key usage fitting
    the subject's key type, the profile's EKU, CDP and OCSP AIA when configured, and a
    validity capped by the CA's own.
    """
    if profile is CertProfile.CA:
        raise SignError("Use build_ca_certificate for CA certificates.")
    options = options or IssueOptions()
    now = now or dt.datetime.now(dt.UTC)
    check_key_strength(public_key)
    check_signable(public_key=public_key, subject=subject, san=san)
    if not subject.get_attributes_for_oid(NameOID.COMMON_NAME) and not san:
        raise SignError(
            "The request has neither a CN nor a subjectAltName: add the host name to one of them."
        )
    check_issuer_usable(issuer.certificate, now)
    if profile.is_tls_server:
        check_server_validity(days=days, force=options.force, warnings=options.warnings)
    not_before, not_after = validity(
        days=days, now=now, issuer_cert=issuer.certificate, warnings=options.warnings
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(public_key, profile), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(PROFILE_SPECS[profile].eku)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(authority_key_identifier(issuer.certificate), critical=False)
    )
    builder = _san_extension(builder, subject, san)
    builder = _revocation_extensions(builder, options)
    return builder.sign(issuer.private_key, signature_hash_for(issuer.private_key))


def build_request(
    *, private_key: PrivateKey, subject: x509.Name, san: list[x509.GeneralName]
) -> x509.CertificateSigningRequest:
    """A SHA-256 signed CSR for ``subject`` with ``san`` (SPEC R3.2)."""
    check_key_strength(private_key)
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(private_key, hashes.SHA256())

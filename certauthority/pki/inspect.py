"""What is in a file? Detection by content, never by extension (SPEC Appendix B, C ``pki inspect``)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from . import extensions
from .bundle import CERTIFICATE_LABELS
from .errors import MalformedMaterial, PKIError, WorkFactorTooHigh, as_clause
from .files import MAX_INPUT_BYTES, check_input_size
from .keys import describe_key
from .load import certificate_from_der, certificate_from_pem, csr_from_der, csr_from_pem
from .names import describe_general_name, format_name
from .pem import PemBlock, looks_like_pem, pem_blocks, pem_body
from .pkcs7 import is_pkcs7, pkcs7_certificates
from .pkcs12 import is_pkcs12, load_pkcs12
from .ssh import load_ssh_public_key, looks_like_ssh_public_key

__all__ = [
    "MAX_INPUT_BYTES",
    "CertificateInfo",
    "Detected",
    "Kind",
    "describe_certificate",
    "describe_detected",
    "detect",
]


class Kind(enum.StrEnum):
    PRIVATE_KEY = "private key"
    ENCRYPTED_PRIVATE_KEY = "encrypted private key"
    CERTIFICATE = "certificate"
    BUNDLE = "certificate bundle"
    CSR = "certificate signing request"
    PKCS12 = "PKCS#12"
    SSH_PUBLIC_KEY = "SSH public key"
    PUBLIC_KEY = "public key"
    CRL = "certificate revocation list"
    MIXED = "mixed"
    UNKNOWN = "unknown"


@dataclass
class Detected:
    """What :func:`detect` found.

    ``encoding`` is "PEM", "DER" or "OpenSSH". ``summary`` is one line for a file list;
    ``reason`` says why a file is "unknown". A PEM file holding several kinds (a key and
    its certificate) is MIXED, with one entry per block in ``items``.
    """

    kind: Kind
    encoding: str = ""
    summary: str = ""
    reason: str = ""
    certificates: list[x509.Certificate] = field(default_factory=list)
    csr: x509.CertificateSigningRequest | None = None
    key_description: str = ""
    items: list[Detected] = field(default_factory=list)


def _unknown(reason: str, encoding: str = "") -> Detected:
    return Detected(kind=Kind.UNKNOWN, encoding=encoding, summary="unknown", reason=reason)


def _key(description: str, encoding: str, encrypted: bool = False) -> Detected:
    if encrypted:
        text = "encrypted private key" + (f" ({description})" if description else "")
        return Detected(
            kind=Kind.ENCRYPTED_PRIVATE_KEY,
            encoding=encoding,
            summary=text,
            key_description=description,
        )
    return Detected(
        kind=Kind.PRIVATE_KEY,
        encoding=encoding,
        summary=f"private key ({description})",
        key_description=description,
    )


def _certificates(certs: list[x509.Certificate], encoding: str) -> Detected:
    if len(certs) == 1:
        cert = certs[0]
        summary = (
            f"certificate: {format_name(cert.subject)}, expires {cert.not_valid_after_utc:%Y-%m-%d}"
        )
        return Detected(Kind.CERTIFICATE, encoding, summary, certificates=certs)
    return Detected(
        Kind.BUNDLE, encoding, f"certificate bundle of {len(certs)}", certificates=certs
    )


def _csr(csr: x509.CertificateSigningRequest, encoding: str) -> Detected:
    return Detected(
        Kind.CSR,
        encoding,
        f"certificate signing request: {format_name(csr.subject)}",
        csr=csr,
        key_description=_describe_public(csr),
    )


def _describe_public(obj: x509.Certificate | x509.CertificateSigningRequest) -> str:
    try:
        return describe_key(obj.public_key())  # type: ignore[arg-type]
    except (ValueError, UnsupportedAlgorithm):
        return "unsupported key"


def _detect_block(block: PemBlock) -> Detected:
    label = block.label
    text = block.text
    try:
        if label in CERTIFICATE_LABELS:
            return _certificates([certificate_from_pem(text)], "PEM")
        if label in {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"}:
            return _csr(csr_from_pem(text), "PEM")
        if label == "ENCRYPTED PRIVATE KEY":
            return _key("", "PEM", encrypted=True)
        if label in {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"}:
            if "ENCRYPTED" in block.headers.get("Proc-Type", ""):
                algorithm = {"RSA PRIVATE KEY": "RSA", "EC PRIVATE KEY": "EC"}.get(label, "")
                return _key(algorithm, "PEM", encrypted=True)
            key = serialization.load_pem_private_key(text, password=None)
            return _key(describe_key(key), "PEM")  # type: ignore[arg-type]
        if label == "OPENSSH PRIVATE KEY":
            try:
                key = serialization.load_ssh_private_key(text, password=None)
            except TypeError:
                return _key("OpenSSH", "PEM", encrypted=True)
            return _key(f"OpenSSH, {describe_key(key)}", "PEM")  # type: ignore[arg-type]
        if label in {"PUBLIC KEY", "RSA PUBLIC KEY"}:
            loaded = serialization.load_pem_public_key(text)
            description = describe_key(loaded)  # type: ignore[arg-type]
            return Detected(
                Kind.PUBLIC_KEY, "PEM", f"public key ({description})", key_description=description
            )
        if label == "PKCS7":
            certs = pkcs7_certificates(pem_body(block))
            if not certs:
                return _unknown("the PKCS#7 block holds no certificate", "PEM")
            return _certificates(certs, "PEM")
        if label == "X509 CRL":
            crl = x509.load_pem_x509_crl(text)
            return Detected(
                Kind.CRL, "PEM", f"certificate revocation list: {format_name(crl.issuer)}"
            )
    except MalformedMaterial as exc:
        return _unknown(exc.reason, "PEM")
    except TypeError:
        return _key("", "PEM", encrypted=True)
    except UnsupportedAlgorithm:
        return _unknown(
            f"the PEM block '{label}' uses an algorithm or curve CertDesk does not support", "PEM"
        )
    except (ValueError, IndexError, PKIError):
        return _unknown(f"the PEM block '{label}' is damaged and does not decode", "PEM")
    return _unknown(f"a PEM block of a type CertDesk does not know: '{label}'", "PEM")


def _detect_pem(data: bytes) -> Detected:
    try:
        blocks = pem_blocks(data)
    except PKIError as exc:
        return _unknown(as_clause(str(exc)), "PEM")
    if not blocks:
        return _unknown("the file has a '-----BEGIN' line but no complete PEM block", "PEM")
    items = [_detect_block(block) for block in blocks]
    for item in items:
        if item.kind is Kind.UNKNOWN:
            return item
    if len(items) == 1:
        return items[0]
    if all(item.kind in (Kind.CERTIFICATE, Kind.BUNDLE) for item in items):
        return _certificates([c for item in items for c in item.certificates], "PEM")
    kinds = ", ".join(item.kind.value for item in items)
    return Detected(Kind.MIXED, "PEM", f"mixed PEM: {kinds}", items=items)


def _detect_der(data: bytes) -> Detected:
    try:
        return _certificates([certificate_from_der(data)], "DER")
    except MalformedMaterial as exc:
        return _unknown(exc.reason, "DER")
    except PKIError:
        pass
    try:
        return _csr(csr_from_der(data), "DER")
    except MalformedMaterial as exc:
        return _unknown(exc.reason, "DER")
    except PKIError:
        pass
    if is_pkcs12(data):
        try:
            contents = load_pkcs12(data, None)
        except WorkFactorTooHigh as exc:
            return _unknown(as_clause(exc.message), "DER")
        except PKIError:
            return Detected(Kind.PKCS12, "DER", "PKCS#12 (password protected)")
        parts = []
        if contents.key is not None:
            parts.append(f"key {describe_key(contents.key)}")  # type: ignore[arg-type]
        certs = [c for c in [contents.certificate] if c] + contents.additional_certificates
        parts.append(f"{len(certs)} certificate(s)")
        return Detected(Kind.PKCS12, "DER", f"PKCS#12 ({', '.join(parts)})", certificates=certs)
    try:
        key = serialization.load_der_private_key(data, password=None)
        return _key(describe_key(key), "DER")  # type: ignore[arg-type]
    except TypeError:
        return _key("", "DER", encrypted=True)
    except (ValueError, UnsupportedAlgorithm):
        pass
    if is_pkcs7(data):
        try:
            certs = pkcs7_certificates(data)
        except MalformedMaterial as exc:
            return _unknown(exc.reason, "DER")
        except PKIError as exc:
            return _unknown(as_clause(str(exc)), "DER")
        if certs:
            return _certificates(certs, "DER")
    try:
        public = serialization.load_der_public_key(data)
        description = describe_key(public)  # type: ignore[arg-type]
        return Detected(
            Kind.PUBLIC_KEY, "DER", f"public key ({description})", key_description=description
        )
    except (ValueError, UnsupportedAlgorithm):
        pass
    try:
        crl = x509.load_der_x509_crl(data)
        return Detected(Kind.CRL, "DER", f"certificate revocation list: {format_name(crl.issuer)}")
    except ValueError:
        pass
    return _unknown(
        "not a private key, certificate, CSR, bundle, PKCS#12 file or SSH public key "
        "(neither in PEM nor in DER)"
    )


def detect(data: bytes) -> Detected:
    """Say what ``data`` holds, PEM or DER, whatever the file is called.

    Raise PKIError only for input above MAX_INPUT_BYTES; anything else unreadable is
    reported as ``Kind.UNKNOWN`` with a reason.
    """
    check_input_size(data)
    if not data.strip():
        return _unknown("the file is empty")
    try:
        if looks_like_pem(data):
            return _detect_pem(data)
        if looks_like_ssh_public_key(data):
            try:
                key = load_ssh_public_key(data)
            except PKIError as exc:
                return _unknown(str(exc), "OpenSSH")
            description = describe_key(key)  # type: ignore[arg-type]
            return Detected(
                Kind.SSH_PUBLIC_KEY,
                "OpenSSH",
                f"SSH public key ({description})",
                key_description=description,
            )
        return _detect_der(data)
    except Exception:
        return _unknown("the content could not be parsed")


# --- certificate details -----------------------------------------------------------

_KEY_USAGES = (
    ("digital_signature", "Digital Signature"),
    ("content_commitment", "Non Repudiation"),
    ("key_encipherment", "Key Encipherment"),
    ("data_encipherment", "Data Encipherment"),
    ("key_agreement", "Key Agreement"),
    ("key_cert_sign", "Certificate Sign"),
    ("crl_sign", "CRL Sign"),
)
_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "anyExtendedKeyUsage",
}


@dataclass
class CertificateInfo:
    """The facts ``pki inspect`` shows for one certificate."""

    subject: str
    issuer: str
    serial: str
    signature_algorithm: str
    not_before: dt.datetime
    not_after: dt.datetime
    status: str  # "valid, 89 days left", "expired", "not yet valid"
    days_left: int | None
    key: str
    subject_alt_names: list[str]
    key_usage: list[str]
    extended_key_usage: list[str]
    basic_constraints: str
    fingerprint_sha256: str
    self_signed: bool

    def lines(self) -> list[str]:
        """``Label: value`` lines for a terminal."""
        when = "%Y-%m-%d %H:%M:%S UTC"
        rows = [
            ("Subject", self.subject),
            ("Issuer", self.issuer),
            ("Serial", self.serial),
            ("Signature algorithm", self.signature_algorithm),
            ("Not before", self.not_before.strftime(when)),
            ("Not after", self.not_after.strftime(when)),
            ("Validity", self.status),
            ("Public key", self.key),
            ("Subject alternative names", ", ".join(self.subject_alt_names) or "none"),
            ("Key usage", ", ".join(self.key_usage) or "none"),
            ("Extended key usage", ", ".join(self.extended_key_usage) or "none"),
            ("Basic constraints", self.basic_constraints or "none"),
            ("SHA-256 fingerprint", self.fingerprint_sha256),
        ]
        if self.self_signed:
            rows.append(("Self-signed", "yes"))
        return [f"{label}: {value}" for label, value in rows]


def _signature_algorithm_name(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    name = getattr(oid, "_name", None)
    return name if name and name != "Unknown OID" else oid.dotted_string


def describe_certificate(cert: x509.Certificate, now: dt.datetime) -> CertificateInfo:
    """Subject, issuer, validity (days left or "expired"), SAN, usages, fingerprint."""
    from .chain import is_self_signed

    not_before = cert.not_valid_before_utc
    not_after = cert.not_valid_after_utc
    days_left: int | None
    if now >= not_after:
        status, days_left = "expired", None
    elif now < not_before:
        status, days_left = "not yet valid", None
    else:
        days_left = (not_after - now).days
        status = f"valid, {days_left} day{'s' if days_left != 1 else ''} left"

    alt_names = [describe_general_name(n) for n in extensions.san_names(cert)]
    key_usage: list[str] = []
    usage = extensions.key_usage(cert)
    if usage is not None:
        key_usage = [label for attr, label in _KEY_USAGES if getattr(usage, attr)]
        if usage.key_agreement:
            if usage.encipher_only:
                key_usage.append("Encipher Only")
            if usage.decipher_only:
                key_usage.append("Decipher Only")
    extended = [_EKU_NAMES.get(oid, oid.dotted_string) for oid in extensions.eku(cert) or []]
    constraints = ""
    value = extensions.basic_constraints(cert)
    if value is not None:
        constraints = "CA:TRUE" if value.ca else "CA:FALSE"
        if value.path_length is not None:
            constraints += f", pathlen:{value.path_length}"
    if not extensions.extensions_readable(cert):
        constraints = "unreadable extensions"

    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return CertificateInfo(
        subject=format_name(cert.subject),
        issuer=format_name(cert.issuer),
        serial=f"{cert.serial_number:X}",
        signature_algorithm=_signature_algorithm_name(cert),
        not_before=not_before,
        not_after=not_after,
        status=status,
        days_left=days_left,
        key=_describe_public(cert),
        subject_alt_names=alt_names,
        key_usage=key_usage,
        extended_key_usage=extended,
        basic_constraints=constraints,
        fingerprint_sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        self_signed=is_self_signed(cert),
    )


def describe_detected(detected: Detected, now: dt.datetime) -> list[str]:
    """The lines ``pki inspect`` prints for a detected file."""
    if detected.kind is Kind.UNKNOWN:
        return [f"Type: unknown ({detected.reason})"]
    lines = [
        f"Type: {detected.kind.value}" + (f" ({detected.encoding})" if detected.encoding else "")
    ]
    if detected.kind in (
        Kind.PRIVATE_KEY,
        Kind.ENCRYPTED_PRIVATE_KEY,
        Kind.PUBLIC_KEY,
        Kind.SSH_PUBLIC_KEY,
    ):
        if detected.key_description:
            lines.append(f"Key: {detected.key_description}")
        if detected.kind is Kind.ENCRYPTED_PRIVATE_KEY:
            lines.append("The key is protected by a password: 'pki unlock' removes it.")
    elif detected.kind is Kind.CSR and detected.csr is not None:
        from .csr import csr_subject_and_san

        subject, alt_names = csr_subject_and_san(detected.csr)
        lines.append(f"Subject: {format_name(subject)}")
        lines.append(
            "Subject alternative names: "
            + (", ".join(describe_general_name(n) for n in alt_names) or "none")
        )
        lines.append(f"Public key: {detected.key_description}")
    elif detected.kind is Kind.MIXED:
        for number, item in enumerate(detected.items, start=1):
            lines.append(f"Item {number}:")
            lines.extend("  " + line for line in describe_detected(item, now))
        return lines
    else:
        lines.append(detected.summary)
    certs = detected.certificates
    for number, cert in enumerate(certs, start=1):
        if len(certs) > 1:
            lines.append(f"Certificate {number} of {len(certs)}:")
        prefix = "  " if len(certs) > 1 else ""
        lines.extend(prefix + line for line in describe_certificate(cert, now).lines())
    return lines

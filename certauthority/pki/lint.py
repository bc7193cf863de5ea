"""Lint certificates and CRLs with pkilint (issue 14): RFC 5280 for every one, and the CA/Browser
Forum's TLS server rules only for certificates that a public CA issued.

Pure: DER in, findings out; no Django. pkilint is imported on first use, so the ``pki``
command's other verbs start without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Severities worth showing, worst first; pkilint's INFO reports facts (e.g. how the SKI was
# computed), not problems.
SEVERITIES = ("FATAL", "ERROR", "WARNING", "NOTICE")
ERRORS = ("FATAL", "ERROR")


class LintError(ValueError):
    """The input is not a certificate or CRL pkilint can decode."""


@dataclass(frozen=True)
class LintFinding:
    severity: str  # FATAL, ERROR, WARNING, NOTICE
    code: str  # pkilint's code, e.g. pkix.certificate_skid_not_present
    path: str  # where in the ASN.1 structure
    standard: str  # "RFC 5280" or "CA/B Forum"
    message: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity in ERRORS

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        text = f": {self.message}" if self.message else ""
        return f"{self.severity} {self.code}{where} ({self.standard}){text}"


def _collect(results: Any, standard: str) -> list[LintFinding]:
    from pkilint.validation import ValidationFindingSeverity

    worst = ValidationFindingSeverity.NOTICE
    found = [
        LintFinding(
            severity=description.finding.severity.name,
            code=description.finding.code,
            path=str(result.node.path),
            standard=standard,
            message=description.message or "",
        )
        for result in results
        for description in result.finding_descriptions
        if description.finding.severity <= worst
    ]
    return sorted(found, key=lambda f: (SEVERITIES.index(f.severity), f.code, f.path))


def _load_certificate(der: bytes) -> Any:
    from pkilint import loader

    try:
        return loader.RFC5280CertificateDocumentLoader().load_der_document(der, "certificate")
    except Exception as exc:  # pyasn1's errors are many; each means "not a certificate"
        raise LintError(
            f"not a DER certificate pkilint can decode ({type(exc).__name__})"
        ) from None


def lint_certificate(der: bytes, *, public: bool = False) -> list[LintFinding]:
    """RFC 5280 findings; with ``public``, the CA/B Forum TLS server rules as well."""
    from pkilint.pkix import certificate, extension, name

    document = _load_certificate(der)
    rfc5280 = certificate.create_pkix_certificate_validator_container(
        certificate.create_decoding_validators(
            name.ATTRIBUTE_TYPE_MAPPINGS, extension.EXTENSION_MAPPINGS
        ),
        [
            certificate.create_issuer_validator_container([]),
            certificate.create_validity_validator_container(),
            certificate.create_subject_validator_container([]),
            certificate.create_extensions_validator_container([]),
            certificate.create_spki_validator_container([]),
        ],
    )
    findings = _collect(rfc5280.validate(document.root), "RFC 5280")
    if public:
        findings += _lint_cabf(document)
    return findings


def _lint_cabf(document: Any) -> list[LintFinding]:
    from pkilint import finding_filter
    from pkilint.cabf import serverauth
    from pkilint.pkix import certificate

    try:
        kind = serverauth.determine_certificate_type(document)
    except Exception:  # a certificate the Forum's rules have no type for (e.g. client-only)
        return []
    validator = certificate.create_pkix_certificate_validator_container(
        serverauth.create_decoding_validators(), serverauth.create_validators(kind)
    )
    results, _ = finding_filter.filter_results(
        serverauth.create_serverauth_finding_filters(kind), validator.validate(document.root)
    )
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in _collect(results, "CA/B Forum"):
        if finding.code.startswith("pkix."):
            continue  # the Forum's validators run RFC 5280's too: reported once, above
        if (finding.code, finding.path) not in seen:
            seen.add((finding.code, finding.path))
            unique.append(finding)
    return unique


def lint_crl(der: bytes) -> list[LintFinding]:
    """RFC 5280 findings for a CRL."""
    from pkilint import loader, pkix
    from pkilint.pkix import crl, extension, name

    try:
        document = loader.RFC5280CertificateListDocumentLoader().load_der_document(der, "crl")
    except Exception as exc:
        raise LintError(f"not a DER CRL pkilint can decode ({type(exc).__name__})") from None
    validator = crl.create_pkix_crl_validator_container(
        [
            pkix.create_attribute_decoder(name.ATTRIBUTE_TYPE_MAPPINGS),
            pkix.create_extension_decoder(extension.EXTENSION_MAPPINGS),
        ],
        [
            crl.create_issuer_validator_container([]),
            crl.create_validity_validator_container([]),
            crl.create_extensions_validator_container([]),
        ],
    )
    return _collect(validator.validate(document.root), "RFC 5280")


@dataclass(frozen=True)
class LintedItem:
    """One certificate or CRL of a file, and what lint found in it."""

    label: str  # "certificate CN=…" or "CRL of CN=…"
    findings: list[LintFinding]


def lint_material(data: bytes, name: str, *, public: bool = False) -> list[LintedItem]:
    """Lint every certificate of a file (PEM, DER, PKCS#7, a bundle), or the CRL it holds."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from .errors import PKIError
    from .material import certificates_from_bytes
    from .names import format_name

    try:
        certs = certificates_from_bytes(data, name)
    except PKIError as not_certificates:
        crl = None
        for load in (x509.load_der_x509_crl, x509.load_pem_x509_crl):
            try:
                crl = load(data)
                break
            except ValueError:
                continue
        if crl is None:
            raise not_certificates from None
        label = f"CRL of {format_name(crl.issuer)}"
        return [LintedItem(label, lint_crl(crl.public_bytes(Encoding.DER)))]
    return [
        LintedItem(
            f"certificate {format_name(cert.subject) or '(empty subject)'}",
            lint_certificate(cert.public_bytes(Encoding.DER), public=public),
        )
        for cert in certs
    ]

"""The one place where certificates and CSRs are turned from bytes into objects.

``cryptography`` parses extensions lazily and raises, on hostile or damaged input, several
exception types that are not ``ValueError`` (``DuplicateExtension``, ``InvalidVersion``,
``UnsupportedGeneralNameType`` …). Every loader here reads the parts that can fail at once
and turns each failure into a :class:`PKIError` whose message says what is wrong and what
to do, so that no caller (sign preview, sign, attach, Tools, ``pki``) answers a 500.
Issue 9, finding 10.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from .errors import MalformedMaterial, PKIError

# What cryptography raises on bytes that are not (valid) X.509 / PKCS#10.
_NOT_PARSEABLE: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    IndexError,
    UnsupportedAlgorithm,
    x509.InvalidVersion,
)

# Display names for the extensions a duplicate is most often found in.
_EXTENSION_NAMES = {
    "2.5.29.14": "subjectKeyIdentifier",
    "2.5.29.15": "keyUsage",
    "2.5.29.17": "subjectAltName",
    "2.5.29.18": "issuerAltName",
    "2.5.29.19": "basicConstraints",
    "2.5.29.30": "nameConstraints",
    "2.5.29.31": "cRLDistributionPoints",
    "2.5.29.32": "certificatePolicies",
    "2.5.29.35": "authorityKeyIdentifier",
    "2.5.29.37": "extendedKeyUsage",
    "1.3.6.1.5.5.7.1.1": "authorityInfoAccess",
}

_CERT_FIX = "it is damaged or was made by a faulty tool: ask its issuer for a new one."
_CSR_FIX = "generate the CSR again, with each extension once."


def extension_name(oid: x509.ObjectIdentifier) -> str:
    """``subjectAltName`` for 2.5.29.17, the dotted string for extensions without a name."""
    return _EXTENSION_NAMES.get(oid.dotted_string, oid.dotted_string)


def _check_parts(
    obj: x509.Certificate | x509.CertificateSigningRequest, what: str, fix: str
) -> None:
    """Read the lazily parsed parts now; raise MalformedMaterial when one cannot be read."""
    try:
        obj.extensions  # noqa: B018 - parsing them is the point
    except x509.DuplicateExtension as exc:
        raise MalformedMaterial(
            f"The {what} carries the {extension_name(exc.oid)} extension twice; RFC 5280 "
            f"allows each extension once, so CertDesk cannot tell which one counts: {fix}"
        ) from None
    except x509.UnsupportedGeneralNameType:
        raise MalformedMaterial(
            f"The {what} holds a name of a type X.509 does not define in one of its "
            f"extensions: {fix}"
        ) from None
    except ValueError:
        pass  # an unreadable extension: reported where it is read ("unreadable extensions")
    try:
        obj.subject  # noqa: B018
        if isinstance(obj, x509.Certificate):
            obj.issuer  # noqa: B018
    except _NOT_PARSEABLE:
        raise MalformedMaterial(f"The {what}'s subject or issuer name does not decode: {fix}")


def _certificate(loader: Callable[[bytes], x509.Certificate], data: bytes) -> x509.Certificate:
    try:
        cert = loader(data)
    except x509.InvalidVersion:
        raise MalformedMaterial(
            "The certificate has a version number X.509 does not define (only v1 to v3 "
            f"exist): {_CERT_FIX}"
        ) from None
    except _NOT_PARSEABLE:
        raise PKIError("The data is not a readable certificate (PEM or DER).") from None
    _check_parts(cert, "certificate", _CERT_FIX)
    return cert


def certificate_from_pem(data: bytes) -> x509.Certificate:
    """One PEM certificate block; PKIError (MalformedMaterial when broken) otherwise."""
    return _certificate(x509.load_pem_x509_certificate, data)


def certificate_from_der(data: bytes) -> x509.Certificate:
    """One DER certificate; PKIError (MalformedMaterial when broken) otherwise."""
    return _certificate(x509.load_der_x509_certificate, data)


def load_certificate(data: bytes) -> x509.Certificate:
    """One certificate, PEM or DER."""
    if b"-----BEGIN" in data:
        return certificate_from_pem(data)
    return certificate_from_der(data)


def _csr(
    loader: Callable[[bytes], x509.CertificateSigningRequest], data: bytes
) -> x509.CertificateSigningRequest:
    try:
        csr = loader(data)
    except _NOT_PARSEABLE:
        raise PKIError(
            "The file is not a readable certificate signing request (PEM or DER)."
        ) from None
    _check_parts(csr, "CSR", _CSR_FIX)
    return csr


def csr_from_pem(data: bytes) -> x509.CertificateSigningRequest:
    return _csr(x509.load_pem_x509_csr, data)


def csr_from_der(data: bytes) -> x509.CertificateSigningRequest:
    return _csr(x509.load_der_x509_csr, data)


def load_csr(data: bytes) -> x509.CertificateSigningRequest:
    """One CSR, PEM or DER; PKIError (MalformedMaterial when broken) otherwise."""
    if b"-----BEGIN" in data:
        return csr_from_pem(data)
    return csr_from_der(data)

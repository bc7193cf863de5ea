"""One reader per X.509 extension, for certificates and CSRs alike (issue 8: "pki/ keeps one
reader per extension"; SPEC R1.2, R1.3, R3.4).

Every function answers "absent" the same way (None, or an empty list) and treats
extensions that cannot be read as absent, unless ``strict=True`` asks for an
:class:`UnreadableExtensions` error instead. The loaders of ``load.py`` already refuse
duplicated extensions, so what is read here is the one value the file carries.
"""

from __future__ import annotations

from typing import TypeVar

from cryptography import x509

from .errors import PKIError

Extensible = x509.Certificate | x509.CertificateSigningRequest
E = TypeVar("E", bound=x509.ExtensionType)

# What reading the extensions of hostile or damaged input raises in cryptography.
_UNREADABLE = (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType)


class UnreadableExtensions(PKIError):
    """The extensions of a certificate or CSR do not decode."""


def _unreadable() -> UnreadableExtensions:
    return UnreadableExtensions("The extensions cannot be read: the file is damaged.")


def extensions_readable(obj: Extensible) -> bool:
    """Whether every extension decodes (OpenSSL: "invalid or inconsistent … extension")."""
    try:
        obj.extensions  # noqa: B018 - decoding them is the question
    except _UNREADABLE:
        return False
    return True


def extension_list(obj: Extensible, *, strict: bool = False) -> list[x509.Extension]:
    """All extensions in file order; empty when they cannot be read (unless strict)."""
    try:
        return list(obj.extensions)
    except _UNREADABLE:
        if strict:
            raise _unreadable() from None
        return []


def extension_value(obj: Extensible, kind: type[E], *, strict: bool = False) -> E | None:
    """The value of the extension of class ``kind``, or None when it is absent."""
    try:
        return obj.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except _UNREADABLE:
        if strict:
            raise _unreadable() from None
        return None


def san_names(obj: Extensible, *, strict: bool = False) -> list[x509.GeneralName]:
    """The subjectAltName entries, in order; [] when there is none (SPEC R3.4)."""
    value = extension_value(obj, x509.SubjectAlternativeName, strict=strict)
    return list(value) if value is not None else []


def basic_constraints(obj: Extensible, *, strict: bool = False) -> x509.BasicConstraints | None:
    return extension_value(obj, x509.BasicConstraints, strict=strict)


def is_ca(obj: Extensible) -> bool:
    """basicConstraints CA:TRUE (SPEC R1.3); False when absent or unreadable."""
    constraints = basic_constraints(obj)
    return constraints is not None and constraints.ca


def path_length(obj: Extensible) -> int | None:
    """basicConstraints pathlen, None when unlimited, absent or unreadable."""
    constraints = basic_constraints(obj)
    return constraints.path_length if constraints is not None else None


def key_usage(obj: Extensible, *, strict: bool = False) -> x509.KeyUsage | None:
    return extension_value(obj, x509.KeyUsage, strict=strict)


def eku(obj: Extensible, *, strict: bool = False) -> list[x509.ObjectIdentifier] | None:
    """The extendedKeyUsage purposes; None when absent (any purpose), as RFC 5280 reads it."""
    value = extension_value(obj, x509.ExtendedKeyUsage, strict=strict)
    return list(value) if value is not None else None


def subject_key_identifier(obj: Extensible) -> x509.SubjectKeyIdentifier | None:
    return extension_value(obj, x509.SubjectKeyIdentifier)


def authority_key_identifier(obj: Extensible) -> x509.AuthorityKeyIdentifier | None:
    return extension_value(obj, x509.AuthorityKeyIdentifier)

"""Certificate signing requests: the ``pki csr`` grammar, building, loading and checking.

SPEC R1.2 (attributes), R3.2 (SHA-256), R3.3 (grammar, basename), R3.4 (SAN list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from .errors import PKIError
from .extensions import UnreadableExtensions, san_names
from .keys import PrivateKey, check_key_strength
from .load import load_csr as _load_csr
from .names import (
    classify_name,
    general_name_value,
    make_attribute,
)

# SPEC R3.3: letters, digits, '-' and '_' only; the extension is added by the tool.
_BASENAME = re.compile(r"[A-Za-z0-9_-]+")
MAX_BASENAME_LENGTH = 100

# The attributes of SPEC R1.2, keyed by their lower-case spelling (names are
# case-insensitive on the command line). The order is the subject's order, most general
# first, as OpenSSL writes it: C, ST, L, O, OU, CN, emailAddress.
_SUBJECT_ORDER: tuple[tuple[str, x509.ObjectIdentifier], ...] = (
    ("c", NameOID.COUNTRY_NAME),
    ("st", NameOID.STATE_OR_PROVINCE_NAME),
    ("l", NameOID.LOCALITY_NAME),
    ("o", NameOID.ORGANIZATION_NAME),
    ("ou", NameOID.ORGANIZATIONAL_UNIT_NAME),
    ("cn", NameOID.COMMON_NAME),
    ("emailaddress", NameOID.EMAIL_ADDRESS),
)
_SPELLING = {
    "cn": "CN",
    "ou": "OU",
    "o": "O",
    "l": "L",
    "st": "ST",
    "c": "C",
    "emailaddress": "emailAddress",
    "subjectaltname": "subjectAltName",
}
ATTRIBUTE_NAMES = tuple(_SPELLING.values())

_WEAK_HASHES = {"md5", "sha1"}


@dataclass
class CsrRequest:
    """What the user asked for with ``pki csr``: subject attributes and SAN items.

    ``attributes`` maps the lower-case attribute name (``cn``, ``o`` …) to its value.
    ``alt_names`` is the final SAN list (the CN included once, SPEC R3.4), empty when the
    user gave none. ``warnings`` holds one-line notes for the user (input was repaired).
    """

    attributes: dict[str, str]
    alt_names: list[x509.GeneralName] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def common_name(self) -> str:
        return self.attributes["cn"]

    def subject(self) -> x509.Name:
        """The subject Name, most general attribute first (C, ST, L, O, OU, CN, emailAddress)."""
        return x509.Name(
            [
                make_attribute(oid, self.attributes[key])
                for key, oid in _SUBJECT_ORDER
                if key in self.attributes
            ]
        )

    def alt_name_values(self) -> list[str]:
        return [general_name_value(name) for name in self.alt_names]


def validate_basename(basename: str) -> str:
    """Check a file basename per SPEC R3.3/R4.2 and return it; raise PKIError otherwise."""
    if not basename:
        raise PKIError("The basename is empty: give a name such as webbridge.")
    if "." in basename:
        raise PKIError(
            f"The basename '{basename}' contains '.': leave out the extension, CertDesk adds "
            ".key, .csr and .crt itself."
        )
    if not _BASENAME.fullmatch(basename):
        raise PKIError(f"The basename '{basename}' may contain only letters, digits, '-' and '_'.")
    if len(basename) > MAX_BASENAME_LENGTH:
        raise PKIError(f"The basename is longer than {MAX_BASENAME_LENGTH} characters.")
    return basename


def _strip_quotes(value: str) -> str:
    """Remove one pair of surrounding quotes a user typed inside the shell's own quoting."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _split_attribute(arg: str) -> tuple[str, str] | None:
    """``'O:Example Inc.'`` → ``('o', 'Example Inc.')``, or None when not NAME:value."""
    name, sep, value = arg.partition(":")
    key = _strip_quotes(name.strip()).lower()
    if not sep or key not in _SPELLING:
        return None
    return key, value


def _parse_alt_names(value: str, warnings: list[str]) -> list[str]:
    items = value.split(",")
    stripped = [item.strip() for item in items]
    if any(item != s for item, s in zip(items, stripped, strict=True)):
        warnings.append(
            "Removed spaces around commas in subjectAltName: the list is written without "
            "spaces (SPEC R3.4)."
        )
    if any(not item for item in stripped):
        raise PKIError(
            "The subjectAltName list has an empty entry: remove the doubled or trailing comma."
        )
    return [_strip_quotes(item) for item in stripped]


def parse_csr_arguments(args: list[str]) -> CsrRequest:
    """Parse ``CN:<v> [OU:<v>] [O:<v>] … [subjectAltName:<a,b,c>]`` (SPEC R3.3 to R3.4).

    Names are case-insensitive; values may still carry the quotes the user typed
    (``O:"Example Inc."``). When a SAN list is given, the CN is added to it once.
    """
    attributes: dict[str, str] = {}
    raw_alt_names: str | None = None
    warnings: list[str] = []
    for arg in args:
        arg = _strip_quotes(arg.strip())
        parsed = _split_attribute(arg)
        if parsed is None:
            if raw_alt_names is not None and raw_alt_names.rstrip().endswith(","):
                # `subjectAltName:a.example.com, b.example.com` split by the shell.
                raw_alt_names += " " + arg
                continue
            known = ", ".join(ATTRIBUTE_NAMES)
            raise PKIError(f"'{arg}' is not of the form NAME:value with NAME one of {known}.")
        key, value = parsed
        if key in attributes or (key == "subjectaltname" and raw_alt_names is not None):
            raise PKIError(f"{_SPELLING[key]} is given twice: give it once.")
        value = _strip_quotes(value.strip())
        if not value:
            raise PKIError(f"{_SPELLING[key]} has no value: write {_SPELLING[key]}:<value>.")
        if key == "subjectaltname":
            raw_alt_names = value
        else:
            attributes[key] = value
    if "cn" not in attributes:
        raise PKIError("CN is required: add CN:<fully qualified domain name>.")

    if "c" in attributes:
        attributes["c"] = attributes["c"].upper()
    request = CsrRequest(attributes=attributes, warnings=warnings)
    request.subject()  # validates every attribute (country code, lengths, e-mail)

    state = attributes.get("st", "")
    if len(state) == 2 and state.isalpha():
        warnings.append(
            f"ST:{state} looks abbreviated: public CAs expect the state or province written "
            "out in full (SPEC R1.2)."
        )
    if raw_alt_names is not None:
        request.alt_names = _alt_names_with_cn(
            attributes["cn"], _parse_alt_names(raw_alt_names, warnings), warnings
        )
    return request


def _alt_names_with_cn(cn: str, items: list[str], warnings: list[str]) -> list[x509.GeneralName]:
    """The SAN list with the CN added once (SPEC R3.4); duplicates dropped with a warning."""
    names: list[x509.GeneralName] = []
    seen: set[str] = set()
    for item in items:
        name = classify_name(item)
        key = f"{type(name).__name__}:{general_name_value(name).lower()}"
        if key in seen:
            warnings.append(f"'{item}' appears twice in subjectAltName: it is listed once.")
            continue
        seen.add(key)
        names.append(name)
    cn_name: x509.GeneralName | None
    try:
        cn_name = classify_name(cn)
    except PKIError:
        cn_name = None
    if cn_name is None:
        warnings.append(
            f"CN '{cn}' is not a DNS name or IP address, so it is not added to subjectAltName."
        )
        return names
    cn_key = f"{type(cn_name).__name__}:{general_name_value(cn_name).lower()}"
    if cn_key in seen:
        warnings.append(
            f"CN '{cn}' is also in the subjectAltName list: it is added automatically, so "
            "there is no need to repeat it."
        )
        return names
    return [cn_name, *names]


def build_csr(key: PrivateKey, request: CsrRequest) -> x509.CertificateSigningRequest:
    """A CSR for ``request`` signed by ``key`` with SHA-256 (SPEC R3.2)."""
    check_key_strength(key)
    builder = x509.CertificateSigningRequestBuilder().subject_name(request.subject())
    if request.alt_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(request.alt_names), critical=False
        )
    return builder.sign(key, hashes.SHA256())


def load_csr(data: bytes) -> x509.CertificateSigningRequest:
    """Load a PEM or DER CSR; raise PKIError when the data is something else or a CSR
    that breaks the rules (an extension given twice, issue 9 finding 10)."""
    return _load_csr(data)


def signature_hash_name(obj: x509.Certificate | x509.CertificateSigningRequest) -> str | None:
    """Lower-case name of the signature's hash (``sha256``), or None (Ed25519, unknown)."""
    try:
        algorithm = obj.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return "unknown"
    return algorithm.name if algorithm is not None else None


def check_csr(csr: x509.CertificateSigningRequest) -> None:
    """Refuse a CSR a CA should not sign: bad signature, weak key, MD5/SHA-1 (SPEC R3.2)."""
    digest = signature_hash_name(csr)
    if digest in _WEAK_HASHES or digest == "unknown":
        label = {"md5": "MD5", "sha1": "SHA-1"}.get(digest or "", "an unknown algorithm")
        raise PKIError(f"The CSR is signed with {label}: generate it again with SHA-256.")
    try:
        valid = csr.is_signature_valid
    except (UnsupportedAlgorithm, ValueError):
        valid = False
    if not valid:
        raise PKIError(
            "The CSR's signature does not verify: the file is damaged or was altered; "
            "generate the CSR again."
        )
    check_key_strength(csr.public_key())


def csr_subject_and_san(
    csr: x509.CertificateSigningRequest,
) -> tuple[x509.Name, list[x509.GeneralName]]:
    """The subject and the subjectAltName entries (empty list when absent) of a CSR."""
    try:
        return csr.subject, san_names(csr, strict=True)
    except UnreadableExtensions:
        raise PKIError("The CSR's extensions cannot be read: generate the CSR again.") from None

"""Distinguished names and subject alternative names (SPEC R1.2, R2.6, R3.4)."""

from __future__ import annotations

import ipaddress
import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from .errors import PKIError

# Attribute names CertDesk understands in a DN string, keyed by their lower-case spelling.
# The display spelling is the first one of each OID.
_ATTRIBUTES: dict[str, x509.ObjectIdentifier] = {
    "cn": NameOID.COMMON_NAME,
    "commonname": NameOID.COMMON_NAME,
    "o": NameOID.ORGANIZATION_NAME,
    "ou": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "l": NameOID.LOCALITY_NAME,
    "st": NameOID.STATE_OR_PROVINCE_NAME,
    "s": NameOID.STATE_OR_PROVINCE_NAME,
    "c": NameOID.COUNTRY_NAME,
    "emailaddress": NameOID.EMAIL_ADDRESS,
    "e": NameOID.EMAIL_ADDRESS,
    "dc": NameOID.DOMAIN_COMPONENT,
    "serialnumber": NameOID.SERIAL_NUMBER,
    "street": NameOID.STREET_ADDRESS,
    "uid": NameOID.USER_ID,
}

_DISPLAY: dict[x509.ObjectIdentifier, str] = {
    NameOID.COMMON_NAME: "CN",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.COUNTRY_NAME: "C",
    NameOID.EMAIL_ADDRESS: "emailAddress",
    NameOID.DOMAIN_COMPONENT: "DC",
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.STREET_ADDRESS: "street",
    NameOID.USER_ID: "UID",
}

# Upper bounds from RFC 5280 Appendix A (ub-common-name etc.).
MAX_LENGTHS: dict[x509.ObjectIdentifier, int] = {
    NameOID.COMMON_NAME: 64,
    NameOID.ORGANIZATION_NAME: 64,
    NameOID.ORGANIZATIONAL_UNIT_NAME: 64,
    NameOID.LOCALITY_NAME: 128,
    NameOID.STATE_OR_PROVINCE_NAME: 128,
    NameOID.EMAIL_ADDRESS: 255,
}

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def attribute_label(oid: x509.ObjectIdentifier) -> str:
    """Short display name of a name attribute: CN, O, emailAddress, or the dotted OID."""
    return _DISPLAY.get(oid, oid.dotted_string)


def make_attribute(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute:
    """A NameAttribute after checking the value the way a CA would (country code, length)."""
    label = attribute_label(oid)
    if not value.strip():
        raise PKIError(f"{label} is empty: give it a value or leave it out.")
    if oid == NameOID.COUNTRY_NAME:
        if not _COUNTRY.fullmatch(value):
            raise PKIError(
                f"C must be a two-letter ISO 3166 country code such as GB or JP, not '{value}'."
            )
        value = value.upper()
    limit = MAX_LENGTHS.get(oid)
    if limit is not None and len(value) > limit:
        raise PKIError(f"{label} is {len(value)} characters long; the limit is {limit}.")
    if oid == NameOID.EMAIL_ADDRESS and not _EMAIL.fullmatch(value):
        raise PKIError(f"emailAddress '{value}' is not an e-mail address.")
    try:
        return x509.NameAttribute(oid, value)
    except ValueError as exc:
        raise PKIError(f"{label} '{value}' is not allowed: {exc}") from None


def _split_unescaped(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside double quotes and not preceded by a backslash."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(char + text[i + 1])
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    if quoted:
        raise PKIError("A quoted value in the name is not closed: add the missing '\"'.")
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value)


def parse_dn(text: str) -> x509.Name:
    """Parse ``CN=ca.example.com,O=Example Inc.,C=GB`` (or the ``/C=GB/O=…/CN=…`` form).

    The comma form is read most-specific first, as RFC 4514 writes it; the slash form
    most-general first, as OpenSSL's ``-subj`` writes it. Both give the same Name.
    """
    text = text.strip()
    if not text:
        raise PKIError("The name is empty: give at least CN=<name>.")
    if text.startswith("/"):
        parts = [p for p in _split_unescaped(text[1:], "/")]
        rdns = parts
    else:
        rdns = list(reversed(_split_unescaped(text, ",")))
    attributes: list[x509.NameAttribute] = []
    for part in rdns:
        if "=" not in part:
            raise PKIError(f"'{part.strip()}' in the name is not of the form NAME=value.")
        key, _, value = part.partition("=")
        oid = _ATTRIBUTES.get(key.strip().lower())
        if oid is None:
            known = "CN, O, OU, L, ST, C, emailAddress, DC"
            raise PKIError(f"Unknown name attribute '{key.strip()}': use {known}.")
        attributes.append(make_attribute(oid, _unquote(value)))
    return x509.Name(attributes)


def _escape(value: str) -> str:
    escaped = re.sub(r'([,+"\\<>;])', r"\\\1", value)
    if escaped.startswith((" ", "#")):
        escaped = "\\" + escaped
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return escaped


def format_name(name: x509.Name) -> str:
    """Display a name most-specific first: ``CN=www.example.com, O=Example Inc., C=GB``."""
    parts = []
    for rdn in reversed(name.rdns):
        parts.append("+".join(f"{attribute_label(a.oid)}={_escape(str(a.value))}" for a in rdn))
    return ", ".join(parts)


def common_name(name: x509.Name) -> str | None:
    """The (last) CN of a name, or None."""
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[-1].value) if values else None


def dns_name_is_valid(name: str) -> bool:
    """Whether ``name`` is a host name a CA will certify: LDH labels, optional leading ``*.``.

    A wildcard must be the whole left-most label and cover at least two more labels
    (``*.example.com``, not ``*.com`` or ``www*.example.com``). SPEC R2.6.
    """
    if not name or len(name) > 253 or name.endswith("."):
        return False
    labels = name.split(".")
    if labels[0] == "*":
        labels = labels[1:]
        if len(labels) < 2:
            return False
    if not labels[-1] or labels[-1].isdigit():
        return False
    return all(_LABEL.fullmatch(label) for label in labels)


def classify_name(item: str) -> x509.GeneralName:
    """Turn one SAN item into an IP address, e-mail or DNS GeneralName (SPEC R3.4).

    OpenSSL-style prefixes (``DNS:``, ``IP:``, ``email:``) are accepted too.
    """
    value = item.strip()
    prefix, sep, rest = value.partition(":")
    kind = prefix.strip().lower() if sep else ""
    if kind in {"dns", "ip", "email"}:
        value = rest.strip()
    else:
        kind = ""
    if not value:
        raise PKIError("An empty name in the subjectAltName list: remove the extra comma.")
    if kind in {"", "ip"}:
        try:
            return x509.IPAddress(ipaddress.ip_address(value))
        except ValueError:
            if kind == "ip":
                raise PKIError(f"'{value}' is not an IP address.") from None
    if kind == "email" or (kind == "" and "@" in value):
        if not _EMAIL.fullmatch(value):
            raise PKIError(f"'{value}' is not an e-mail address.")
        return x509.RFC822Name(value)
    if not value.isascii():
        raise PKIError(
            f"'{value}' contains non-ASCII characters: write the name in its punycode (xn--) form."
        )
    if not dns_name_is_valid(value):
        raise PKIError(
            f"'{value}' is not a valid DNS name: use letters, digits and hyphens between "
            "dots, with an optional leading '*.' wildcard."
        )
    return x509.DNSName(value.lower())


def classify_names(items: list[str]) -> list[x509.GeneralName]:
    """Classify every SAN item; see :func:`classify_name`."""
    return [classify_name(item) for item in items]


def general_name_value(name: x509.GeneralName) -> str:
    """The bare value of a GeneralName as a user writes it (``www.example.com``, ``10.0.0.1``)."""
    if isinstance(name, x509.DirectoryName):
        return format_name(name.value)
    if isinstance(name, x509.OtherName):
        return f"othername:{name.type_id.dotted_string}"
    if isinstance(name, x509.RegisteredID):
        return name.value.dotted_string
    return str(name.value)


def describe_general_name(name: x509.GeneralName) -> str:
    """OpenSSL's spelling of a GeneralName: ``DNS:www.example.com``, ``IP Address:10.0.0.1``."""
    prefix = {
        x509.DNSName: "DNS",
        x509.IPAddress: "IP Address",
        x509.RFC822Name: "email",
        x509.UniformResourceIdentifier: "URI",
        x509.DirectoryName: "DirName",
        x509.RegisteredID: "Registered ID",
        x509.OtherName: "othername",
    }.get(type(name), "name")
    if isinstance(name, x509.OtherName):
        return f"othername:{name.type_id.dotted_string}"
    return f"{prefix}:{general_name_value(name)}"


def openssl_general_name(name: x509.GeneralName) -> str:
    """The ``-addext subjectAltName=`` spelling of a GeneralName (``DNS:x``, ``IP:y``)."""
    if isinstance(name, x509.DNSName):
        return f"DNS:{name.value}"
    if isinstance(name, x509.IPAddress):
        return f"IP:{name.value}"
    if isinstance(name, x509.RFC822Name):
        return f"email:{name.value}"
    raise PKIError(f"Cannot express {describe_general_name(name)} for OpenSSL.")


# SPEC R3.9, R4.8: the Meeting Server database cluster accepts only this client certificate CN;
# the CA warns about it when signing, and the deployment rules plan it.
DATABASE_CLIENT_CN = "postgres"

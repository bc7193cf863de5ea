"""Loading keys and certificates from files a person supplied, with messages that say what the
file really holds. Shared by the `pki` command line and the web tools (SPEC R4.3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509

from .bundle import load_certificates
from .chain import verify_chain
from .errors import PasswordRequired, PKIError
from .inspect import Detected, Kind, detect
from .keys import PrivateKey, keys_match, load_private_key
from .names import format_name
from .pem import pem_blocks

# The Meeting Server's own lines (SPEC R4.3, R4.4).
MATCH_SUCCESS = "SUCCESS: Key and certificate pair match"
MATCH_FAILURE = "FAILURE: Key and certificate problem: certificate and key do not match"
VERIFY_SUCCESS = "SUCCESS: certificate verified"


def not_a_message(name: str, found: Detected, wanted: str) -> str:
    """'<name> is a certificate, not a private key.' and the like."""
    if found.kind is Kind.MIXED:
        return f"{name} holds several kinds of content ({found.summary}), not one {wanted}."
    if found.kind is Kind.UNKNOWN:
        return f"{name} is not a {wanted}: {found.reason}."
    return f"{name} is a {found.kind.value}, not a {wanted}."


def key_from_bytes(data: bytes, name: str, password: bytes | None = None) -> PrivateKey:
    """The private key in ``data`` (alone, or the one key of a key+certificate PEM file)."""
    found = detect(data)
    if found.kind is Kind.MIXED:
        keys = [b for b in pem_blocks(data) if b.label.endswith("PRIVATE KEY")]
        if len(keys) == 1:
            data, found = keys[0].text, detect(keys[0].text)
    if found.kind is Kind.ENCRYPTED_PRIVATE_KEY and not password:
        raise PasswordRequired(
            f"{name} is encrypted: give its password, or run 'pki unlock {name}' first."
        )
    if found.kind not in (Kind.PRIVATE_KEY, Kind.ENCRYPTED_PRIVATE_KEY):
        raise PKIError(not_a_message(name, found, "private key"))
    return load_private_key(data, password if found.kind is Kind.ENCRYPTED_PRIVATE_KEY else None)


def certificates_from_bytes(data: bytes, name: str) -> list[x509.Certificate]:
    """The certificates in ``data``, in file order (a certificate, a bundle, or PEM with a key)."""
    found = detect(data)
    if found.kind in (Kind.CERTIFICATE, Kind.BUNDLE):
        return found.certificates
    if found.kind is Kind.MIXED and any(i.certificates for i in found.items):
        return load_certificates(data)
    raise PKIError(not_a_message(name, found, "certificate"))


@dataclass
class CheckResult:
    """The outcome of a `pki match` or `pki verify` check: ok, and the lines the MMP prints."""

    ok: bool
    lines: list[str] = field(default_factory=list)


def match_key_and_certificate(key: PrivateKey, certificate: x509.Certificate) -> CheckResult:
    """SPEC R4.3 `pki match`: do key and certificate form one identity?"""
    if keys_match(key, certificate.public_key()):  # type: ignore[arg-type]
        return CheckResult(True, [MATCH_SUCCESS])
    return CheckResult(False, [MATCH_FAILURE])


def verify_certificate(
    certificates: list[x509.Certificate],
    bundle: list[x509.Certificate],
    ca: list[x509.Certificate] | None,
    now: dt.datetime,
) -> CheckResult:
    """SPEC R4.3 `pki verify <cert> <bundle> [<CA>]`.

    With a CA file the bundle holds untrusted intermediates and the CA file the trust anchors
    (`openssl verify -CAfile CA -untrusted BUNDLE`); without one, the bundle is the trust store
    and its own root anchors the chain, as on the Meeting Server.
    """
    leaf, *extra = certificates
    if ca:
        result = verify_chain(leaf, extra + bundle, ca, now)
    else:
        result = verify_chain(leaf, extra, bundle, now)
    if not result.ok:
        return CheckResult(False, ["FAILURE: " + result.error_line()])
    lines = [VERIFY_SUCCESS]
    lines += [f"  depth={depth} {format_name(c.subject)}" for depth, c in enumerate(result.chain)]
    return CheckResult(True, lines)

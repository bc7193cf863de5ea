"""Which roots CertDesk knows, and whether a plan entry's delivered chain reaches one
(SPEC R1.3, R3.11; issue 9 item 1). The pure walk is ``rules.checks.chains.chain_gap``."""

from __future__ import annotations

import ssl
import warnings
from functools import cache
from pathlib import Path

from cryptography import x509

from certauthority.models import CertificateAuthority
from certauthority.selectors import certificate_chain

from .models import CertificatePlan
from .rules.checks.chains import chain_gap

_FALLBACK_STORE = Path("/etc/ssl/certs/ca-certificates.crt")


@cache
def system_roots() -> tuple[x509.Certificate, ...]:
    """The operating system's trusted roots (Debian's ca-certificates), if it has any."""
    path = ssl.get_default_verify_paths().cafile or str(_FALLBACK_STORE)
    try:
        text = Path(path).read_bytes()
    except OSError:
        return ()
    roots = []
    end = b"-----END CERTIFICATE-----"
    for block in text.split(end)[:-1]:
        start = block.find(b"-----BEGIN CERTIFICATE-----")
        if start < 0:
            continue
        # One at a time, quietly: a store may hold an old root cryptography frowns upon
        # (a negative serial), which must not cost CertDesk the other roots.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                roots.append(x509.load_pem_x509_certificate(block[start:] + end + b"\n"))
            except ValueError:
                continue
    return tuple(roots)


def known_cas() -> list[x509.Certificate]:
    """CertDesk's own CAs (their chains are known) and the system's trusted roots."""
    own = [
        x509.load_pem_x509_certificate(ca.certificate.pem.encode())
        for ca in CertificateAuthority.objects.select_related("certificate")
    ]
    return own + list(system_roots())


def delivered_chain_gap(leaf: x509.Certificate, bundle: list[x509.Certificate]) -> x509.Name | None:
    """Where ``leaf`` + ``bundle`` stops short of a root CertDesk knows; None when complete."""
    return chain_gap(leaf, bundle, known_cas())


def plan_chain_gap(row: CertificatePlan) -> str:
    """The issuer (RFC 4514) at which the chain delivered for ``row`` stops; "" when fine."""
    certificate = row.certificate
    if certificate is None or row.issuer_is_trusted_root:
        return ""
    if certificate_chain(certificate=certificate):
        return ""  # signed by a CertDesk CA: the scripts deliver its chain
    leaf = x509.load_pem_x509_certificate(certificate.pem.encode())
    bundle = (
        x509.load_pem_x509_certificates(row.bundle_pem.encode()) if row.bundle_pem.strip() else []
    )
    gap = delivered_chain_gap(leaf, bundle)
    return gap.rfc4514_string() if gap is not None else ""

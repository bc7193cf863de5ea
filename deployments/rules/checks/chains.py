"""Incomplete chains: a certificate whose delivered bundle stops short of a root (SPEC R1.3,
R1.4, R3.11; issue 9 item 1).

A public CA's answer attached without its intermediates used to pass silently: the install
script names ``<basename>_bundle.crt`` in ``pki verify`` and ``… certs``, CertDesk had
nothing to put in it, and browsers refused the Web Bridge. ``chain_gap`` says where a chain
stops; ``check_chains`` reports it for the certificates of a deployment, from
``CertificateFacts.chain_gap`` (filled by the service that knows CertDesk's CAs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from django.utils.translation import gettext as _

from ..specs import Finding
from .context import CheckContext, error


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def chain_gap(
    leaf: x509.Certificate,
    bundle: Sequence[x509.Certificate],
    known: Iterable[x509.Certificate] = (),
) -> x509.Name | None:
    """The issuer at which ``leaf`` + ``bundle`` stops short of a root, or None when complete.

    Complete: walking issuer links from the leaf through the bundle reaches a self-signed
    certificate, or a certificate issued by one of ``known`` (CertDesk's own CAs, the
    system's trusted roots). R1.3: the root itself need not be delivered.
    """
    pool = list(bundle)
    known = list(known)
    current = leaf
    seen = {leaf.fingerprint(_sha256())}
    while True:
        if current.issuer == current.subject and issued_by(current, current):
            return None
        if any(issued_by(current, ca) for ca in known):
            return None
        parent = next((c for c in pool if issued_by(current, c)), None)
        if parent is None:
            return current.issuer
        mark = parent.fingerprint(_sha256())
        if mark in seen:
            return current.issuer
        seen.add(mark)
        current = parent


def _sha256() -> hashes.SHA256:
    return hashes.SHA256()


def check_chains(ctx: CheckContext) -> list[Finding]:
    """R1.3, R3.11: every CA-signed certificate comes with the intermediates up to a root."""
    findings = []
    for p in ctx.plan:
        facts = ctx.certificates.get(p.basename)
        if facts is None or facts.self_signed or not facts.chain_gap:
            continue
        findings.append(
            error(
                "R1.3",
                p.basename,
                _(
                    "The chain of %(basename)s.crt stops at %(issuer)s, which CertDesk does not "
                    "know as a root: %(bundle)s, named by the install script, lacks the "
                    "intermediate certificates, and clients will refuse the certificate."
                )
                % {
                    "basename": p.basename,
                    "issuer": facts.chain_gap,
                    "bundle": p.bundle_file or f"{p.basename}_bundle.crt",
                },
                _(
                    "Attach the CA's answer again with its chain (--bundle chain.pem, the "
                    "'intermediate' or 'CA bundle' download of the CA), or, if %(issuer)s is a "
                    "root the clients trust, with --issuer-is-trusted-root."
                )
                % {"issuer": facts.chain_gap},
            )
        )
    return findings

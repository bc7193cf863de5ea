"""Certificates presented as TLS clients (R2.5, R4.5, R4.7.1, R5.4): they need clientAuth.

Public CAs are dropping the clientAuth extended key usage from TLS server certificates
(CA/Browser Forum and root-program changes, 2025-2026). The Call Bridge presents its
certificate as a client to Web Bridges, trunks to load balancers, and to SIP peers; a
certificate without clientAuth is refused there.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..catalogue import Signer
from ..plan import pack_of
from ..specs import CertificateFacts, DeploymentSpec, Finding, PlannedCertificate
from .context import CheckContext, error, warning


def _clients(spec: DeploymentSpec, p: PlannedCertificate) -> list[str]:
    """The kinds of the components that present ``p`` as a TLS client."""
    pack = pack_of(spec)
    kinds = []
    for ref in p.components:
        comp = spec.component(ref)
        recipe = pack.recipe(comp.kind) if comp else None
        if recipe is not None and recipe.acts_as_client and recipe.kind not in kinds:
            kinds.append(recipe.kind)
    return kinds


def check_client_auth(ctx: CheckContext) -> list[Finding]:
    """R2.5 / R4.7.1 / R5.4: a certificate presented as a TLS client allows clientAuth; a public
    CA may no longer issue it, so the internal CA is recommended for the Call Bridge."""
    findings = []
    for p in ctx.plan:
        found = client_auth_finding(ctx.spec, p, ctx.certificates.get(p.basename))
        if found is not None:
            findings.append(found)
    return findings


def client_auth_finding(
    spec: DeploymentSpec, p: PlannedCertificate, facts: CertificateFacts | None
) -> Finding | None:
    """The clientAuth problem of one plan entry, if any: on its real certificate (an error) or,
    before there is one, on its plan for a public CA (a warning). Attach reports it too."""
    if not _clients(spec, p):
        return None
    if facts is not None and facts.eku is not None and "clientAuth" not in facts.eku:
        return error(
            "R5.4",
            p.basename,
            _(
                "%(name)s is presented as a TLS client (to Web Bridges, load balancers or SIP peers) but its extended key usage does not allow clientAuth; those peers will refuse it."
            )
            % {"name": p.basename},
            _(
                "Have the internal CA sign it with the server-client profile, or ask the public CA for a certificate with clientAuth."
            ),
        )
    if facts is None and p.signer == Signer.PUBLIC_CA:
        return warning(
            "R2.5",
            p.basename,
            _(
                "%(name)s is planned for a public CA but is also presented as a TLS client; public CAs are dropping clientAuth from server certificates."
            )
            % {"name": p.basename},
            _(
                "Check that the public CA still issues clientAuth, or use the internal CA for it where outside clients need not trust it."
            ),
        )
    return None

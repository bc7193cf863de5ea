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
from ..specs import Finding, PlannedCertificate
from .context import CheckContext, _err, _warn


def _clients(ctx: CheckContext, p: PlannedCertificate) -> list[str]:
    """Labels of the components that present ``p`` as a TLS client."""
    pack = pack_of(ctx.spec)
    kinds = []
    for ref in p.components:
        comp = ctx.spec.component(ref)
        recipe = pack.recipe(comp.kind) if comp else None
        if recipe is not None and recipe.acts_as_client and recipe.kind not in kinds:
            kinds.append(recipe.kind)
    return kinds


def check_client_auth(ctx: CheckContext) -> list[Finding]:
    """R2.5 / R4.7.1 / R5.4: a certificate presented as a TLS client allows clientAuth; a public
    CA may no longer issue it, so the internal CA is recommended for the Call Bridge."""
    findings = []
    for p in ctx.plan:
        if not _clients(ctx, p):
            continue
        facts = ctx.certificates.get(p.basename)
        if facts is not None and facts.eku is not None and "clientAuth" not in facts.eku:
            findings.append(
                _err(
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
            )
        elif facts is None and p.signer == Signer.PUBLIC_CA:
            findings.append(
                _warn(
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
            )
    return findings

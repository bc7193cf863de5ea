"""Peers that authenticate each other: trunk/LB keys (R5.5), WB trusting CB (R5.4), expiry (R4.3)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..catalogue import Kind, TrustPurpose
from ..plan import call_bridge_certificates
from ..specs import Finding
from .context import CheckContext, error


def check_trunk_lb_sharing(ctx: CheckContext) -> list[Finding]:
    """R5.5 / R3.8: a trunk and a load balancer never share a key/certificate pair."""
    findings = []
    trunk_refs = {c.ref for c in ctx.spec.components(Kind.TRUNK)}
    lb_refs = {c.ref for c in ctx.spec.components(Kind.LOAD_BALANCER)}
    for p in ctx.plan:
        if trunk_refs & set(p.components) and lb_refs & set(p.components):
            findings.append(
                error(
                    "R5.5",
                    p.basename,
                    _(
                        "%(name)s is used by both a trunk and a load balancer: they cannot authenticate each other."
                    )
                    % {"name": p.basename},
                    _("Give the load balancer and the trunk separate keys and certificates."),
                )
            )
    trunk_keys = {
        ctx.certificates[p.basename].public_key_sha256: p.basename
        for p in ctx.plan
        if trunk_refs & set(p.components) and p.basename in ctx.certificates
    }
    for p in ctx.plan:
        facts = ctx.certificates.get(p.basename)
        if facts and lb_refs & set(p.components) and not trunk_refs & set(p.components):
            other = trunk_keys.get(facts.public_key_sha256)
            if other:
                findings.append(
                    error(
                        "R5.5",
                        p.basename,
                        _(
                            "The load balancer certificate %(lb)s has the same key as the trunk certificate %(trunk)s."
                        )
                        % {"lb": p.basename, "trunk": other},
                        _("Generate a new key and certificate for the load balancer."),
                    )
                )
    return findings


def check_callbridge_trust(ctx: CheckContext) -> list[Finding]:
    """R5.4 / R4.7.1: every WB trusts every CB certificate, and none has expired."""
    findings = []
    cb_certs = call_bridge_certificates(ctx.spec, ctx.plan)
    needed = {p.basename for p in cb_certs}
    for wb in ctx.spec.components(Kind.WEB_BRIDGE):
        held: set[str] = set()
        for t in ctx.trust:
            if t.component == wb.ref and t.purpose == TrustPurpose.WEBBRIDGE:
                held |= set(t.members)
        missing = sorted(needed - held)
        if missing:
            findings.append(
                error(
                    "R5.4",
                    wb.ref,
                    _(
                        "The Web Bridge on %(server)s does not trust the Call Bridge certificate %(names)s; the Call Bridge cannot reach it."
                    )
                    % {"server": wb.server, "names": ", ".join(missing)},
                    _("Add it to the Web Bridge trust bundle with 'webbridge trust'."),
                )
            )
    for p in cb_certs:
        facts = ctx.certificates.get(p.basename)
        if facts and facts.not_after <= ctx.now:
            findings.append(
                error(
                    "R5.4",
                    p.basename,
                    _(
                        "The Call Bridge certificate %(name)s expired on %(date)s; Web Bridges reject it."
                    )
                    % {"name": p.basename, "date": facts.not_after.date().isoformat()},
                    _(
                        "Renew it and install it on the Call Bridge and in every Web Bridge trust bundle."
                    ),
                )
            )
    return findings


def check_expired(ctx: CheckContext) -> list[Finding]:
    """R4.3: 'pki inspect' shows the validity dates; an expired certificate must be renewed."""
    cb_names = {p.basename for p in call_bridge_certificates(ctx.spec, ctx.plan)}
    findings = []
    for p in ctx.plan:
        facts = ctx.certificates.get(p.basename)
        if facts and p.basename not in cb_names and facts.not_after <= ctx.now:
            findings.append(
                error(
                    "R4.3",
                    p.basename,
                    _("%(name)s expired on %(date)s.")
                    % {"name": p.basename, "date": facts.not_after.date().isoformat()},
                    _("Renew it and install the new certificate."),
                )
            )
    return findings

"""Names in certificates: XMPP (R5.2), Web Bridge (R5.3), SAN lists (R3.4, R3.6)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..catalogue import DB_CLIENT_CN, Kind, Purpose
from ..naming import component_fqdn, name_covers, names_cover
from ..plan import pack_of, presents
from ..specs import Finding
from .context import CheckContext, error, warning


def check_xmpp_names(ctx: CheckContext) -> list[Finding]:
    """R5.2 / R3.7: the XMPP certificate carries the DNS name (CN and SAN) and the domain (SAN).

    A certificate shared by several components has the domain as its CN (R3.5); there the
    server's name must be in the SAN list, which is what XMPP clients read.
    """
    findings = []
    for comp, p in ctx.for_kind(Kind.XMPP):
        shared = len(p.components) > 1 or p.purpose in (Purpose.SHARED, Purpose.WILDCARD)
        facts = ctx.certificates.get(p.basename)
        cn = facts.common_name if facts else p.common_name
        san = facts.dns_names if facts else p.san
        target = comp.srv_target or component_fqdn(ctx.spec, comp)
        domain = comp.xmpp_domain or ctx.spec.domain
        if not san:
            findings.append(
                error(
                    "R3.4",
                    p.basename,
                    _(
                        "The XMPP certificate has no subjectAltName list; native apps will report certificate errors."
                    ),
                    _("Reissue it with SAN %(target)s,%(domain)s.")
                    % {"target": target, "domain": domain},
                )
            )
            continue
        if shared and not names_cover(san, target):
            findings.append(
                error(
                    "R5.2",
                    p.basename,
                    _("The shared certificate's SAN does not name the XMPP server %(target)s.")
                    % {"target": target},
                    _("Reissue it with %(target)s in the SAN.") % {"target": target},
                )
            )
        elif not shared and not (name_covers(cn, target) and names_cover(san, target)):
            findings.append(
                error(
                    "R5.2",
                    p.basename,
                    _(
                        "The XMPP certificate does not name the server %(target)s in both CN and SAN."
                    )
                    % {"target": target},
                    _("Reissue it with CN %(target)s and %(target)s in the SAN.")
                    % {"target": target},
                )
            )
        if domain.lower() not in (n.lower() for n in san):
            findings.append(
                error(
                    "R5.2",
                    p.basename,
                    _("The XMPP certificate's SAN lacks the XMPP domain %(domain)s.")
                    % {"domain": domain},
                    _("Reissue it with %(domain)s added to the SAN.") % {"domain": domain},
                )
            )
    return findings


def check_webbridge_names(ctx: CheckContext) -> list[Finding]:
    """R5.3 / R3.6: the WB certificate names the WB's FQDN (its DNS A record)."""
    findings = []
    for comp, p in ctx.for_kind(Kind.WEB_BRIDGE):
        facts = ctx.certificates.get(p.basename)
        cn = facts.common_name if facts else p.common_name
        san = facts.dns_names if facts else p.san
        fqdn = component_fqdn(ctx.spec, comp)
        ok = names_cover(san, fqdn) if san else name_covers(cn, fqdn)
        if not ok:
            findings.append(
                error(
                    "R5.3",
                    p.basename,
                    _(
                        "The Web Bridge certificate does not name %(fqdn)s; browsers will show a certificate error."
                    )
                    % {"fqdn": fqdn},
                    _("Reissue it with %(fqdn)s as CN (and in the SAN list).") % {"fqdn": fqdn},
                )
            )
    return findings


def check_shared_has_san(ctx: CheckContext) -> list[Finding]:
    """R3.4: a certificate shared by several components needs a SAN list."""
    findings = []
    for p in ctx.plan:
        # A per-server identity (trunks, load balancers: R3.8) or a client-only one (the DB
        # client, R3.9) serves several components under one name; it needs no SAN list.
        recipe = pack_of(ctx.spec).recipe_for_purpose(p.purpose)
        if len(p.components) < 2 or not presents(p) or (recipe and recipe.identity == "server"):
            continue
        facts = ctx.certificates.get(p.basename)
        san = facts.dns_names if facts else p.san
        if not san:
            findings.append(
                error(
                    "R3.4",
                    p.basename,
                    _("%(name)s is shared by several components but has no subjectAltName list.")
                    % {"name": p.basename},
                    _("Reissue it with every component's FQDN in the SAN."),
                )
            )
    return findings


def check_san_contains_cn(ctx: CheckContext) -> list[Finding]:
    """R3.6: when a SAN list is used it must hold the CN too (clients read only the SAN)."""
    findings = []
    for p in ctx.plan:
        facts = ctx.certificates.get(p.basename)
        if (
            not facts
            or not facts.dns_names
            or not facts.common_name
            or facts.common_name == DB_CLIENT_CN
        ):
            continue
        if not names_cover(facts.dns_names, facts.common_name):
            findings.append(
                warning(
                    "R3.6",
                    p.basename,
                    _("%(name)s has a SAN list without its CN %(cn)s.")
                    % {"name": p.basename, "cn": facts.common_name},
                    _("Reissue it with the CN in the SAN list."),
                )
            )
    return findings

"""XMPP server (SPEC R2.4, R3.4, R3.7, R4.4, R5.2)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...catalogue import CertProfile, Kind, Purpose, Severity
from ...checks import check_xmpp_names
from ...naming import component_fqdn
from ...recipe import CORE_ROLES, InstallStep, Names, Reason, Recipe
from ...specs import ComponentSpec, DeploymentSpec, Finding


def _native_apps(spec: DeploymentSpec) -> bool:
    # R2.4: the native Meeting apps (PC, Mac, iOS) check its certificate.
    return spec.native_apps


def _names(spec: DeploymentSpec, comp: ComponentSpec) -> Names:
    # R3.7: CN = the SRV target; SAN = that name and the XMPP domain.
    target = comp.srv_target or component_fqdn(spec, comp)
    domain = comp.xmpp_domain or spec.domain
    return Names(target, (target, domain, *comp.extra_names))


def _has_domain(spec: DeploymentSpec, comp: ComponentSpec) -> list[Finding]:
    if comp.xmpp_domain or spec.domain:
        return []
    return [
        Finding(
            Severity.ERROR,
            "R3.7",
            comp.ref,
            str(_("The XMPP server has no XMPP domain.")),
            str(_("Set the XMPP domain, for example example.com.")),
        )
    ]


RECIPE = Recipe(
    kind=Kind.XMPP,
    rules=("R2.1", "R2.4", "R3.4", "R3.7", "R4.4", "R5.2"),
    file_base="xmppserver",
    roles=CORE_ROLES,
    settings=("xmpp_domain", "srv_target"),  # R3.7
    purpose=Purpose.XMPP,
    plan_order=30,
    public_when=_native_apps,
    public_rule="R2.4",
    profile=CertProfile.SERVER,
    names=_names,
    shareable=True,  # R3.5
    reasons=(
        Reason(
            _("The native Meeting apps (PC, Mac, iOS) check the XMPP server's certificate."),
            "R2.4",
            _native_apps,
        ),
        Reason(_("The XMPP server needs a certificate; only internal clients use it."), "R3.7"),
    ),
    install=(
        InstallStep(
            title=_("XMPP server"),
            rule="R4.4",
            order=10,
            commands=("xmpp disable", "xmpp certs {key} {cert}{bundle}", "xmpp enable"),
            expect=(
                "SUCCESS: Domain configured",
                "SUCCESS: Key and certificate pair match",
                "SUCCESS: license file present",
                "SUCCESS: XMPP server enabled",
            ),
            notes=(_("The XMPP server also needs license.dat on the server."),),
        ),
    ),
    checks=(check_xmpp_names,),
    validate=_has_domain,
)

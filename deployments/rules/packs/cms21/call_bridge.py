"""Call Bridge (SPEC R2.4, R2.5, R3.13, R4.7, R4.7.1, R4.10, R5.4, R5.6)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...catalogue import (
    INTERNAL_CA_MEMBER,
    CertProfile,
    Kind,
    Purpose,
    Severity,
    Signer,
    TrustPurpose,
)
from ...checks import check_callbridge_trust, check_client_auth, check_lync
from ...naming import component_fqdn
from ...recipe import CORE_ROLES, InstallStep, Names, Reason, Recipe, StepInput, TrustNeed
from ...specs import ComponentSpec, DeploymentSpec, Finding


def _public(spec: DeploymentSpec) -> bool:
    # R2.4: direct federation with Lync over the public network.
    return spec.lync_federation


def _lync_ca(spec: DeploymentSpec) -> str | None:
    # R3.13: with a Lync Front End, the CA the Front End servers trust signs it.
    return spec.lync_trusted_ca if spec.lync_frontend and not spec.lync_federation else None


def _names(spec: DeploymentSpec, comp: ComponentSpec) -> Names:
    fqdn = component_fqdn(spec, comp)
    if spec.lync_frontend and spec.lync_fqdn:
        # R4.7: CN = the FQDN configured on the Lync FE; the SAN holds it too.
        return Names(spec.lync_fqdn, (spec.lync_fqdn, fqdn, *comp.extra_names))
    return Names(fqdn, (fqdn, *comp.extra_names))


def _joins_shared(spec: DeploymentSpec, public: bool) -> bool:
    """Whether the Call Bridges join the shared or wildcard certificate (R3.5 allows it).

    Not with a Lync Front End: its CN must be the FQDN configured on Lync (R4.7). Not into a
    public one unless Lync federation needs it public anyway (R2.4): public CAs are dropping
    clientAuth from TLS server certificates, and the Call Bridge presents its certificate as a
    client; the internal CA is enough for it (R2.5).
    """
    if spec.lync_frontend:
        return False
    return spec.lync_federation or not public


def _lync_settings(spec: DeploymentSpec) -> list[Finding]:
    findings = []
    if spec.lync_frontend and spec.lync_federation and spec.lync_trusted_ca != Signer.PUBLIC_CA:
        # R2.4 makes the certificate public for federation; R3.13 wants the Front End's CA.
        findings.append(
            Finding(
                Severity.ERROR,
                "R3.13",
                spec.name,
                str(
                    _(
                        "Lync federation needs a public CA for the Call Bridge, but the Lync Front End is set to trust the internal CA."
                    )
                ),
                str(
                    _(
                        "Set the CA the Lync Front End trusts to the public CA, or turn off Lync federation."
                    )
                ),
            )
        )
    if spec.lync_frontend and not spec.lync_fqdn:
        findings.append(
            Finding(
                Severity.ERROR,
                "R4.7",
                spec.name,
                str(
                    _(
                        "Lync Front End integration is on but the FQDN configured on Lync is not set."
                    )
                ),
                str(_("Enter the FQDN the Lync Front End uses for the Call Bridge.")),
            )
        )
    return findings


def _internal_ca(spec, plan, comp) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return (INTERNAL_CA_MEMBER,)


def _tls_step(service: str, order: int) -> InstallStep:
    purpose = TrustPurpose.TLS_SIP if service == "sip" else TrustPurpose.TLS_LDAP

    def values(given: StepInput) -> dict[str, str] | None:
        link = given.trust.get(purpose)
        if link is None:
            return None
        return {"trust": link.file_name, "file": link.file_name}

    return InstallStep(
        title=_("Verify %(service)s TLS peers"),
        rule="R4.10",
        order=order,
        commands=(
            "tls {mmp_service} trust {trust}",
            "tls {mmp_service} verify enable",
            "tls {mmp_service}",
        ),
        notes=(_("Put the CA certificates that signed the peers' certificates in %(file)s."),),
        values=values,
        needs_identity=False,
        fixed={"mmp_service": service, "service": service.upper()},
    )


RECIPE = Recipe(
    kind=Kind.CALL_BRIDGE,
    rules=("R2.1", "R2.4", "R2.5", "R3.13", "R4.7", "R4.7.1", "R4.10", "R5.4", "R5.6"),
    file_base="callbridge",
    roles=CORE_ROLES,
    purpose=Purpose.CALL_BRIDGE,
    plan_order=10,
    public_when=_public,
    public_rule="R2.4",
    signer_override=_lync_ca,
    # R2.5, R4.7.1: it presents this certificate as a TLS client too (to Web Bridges, trunks
    # and SIP peers), so it carries both serverAuth and clientAuth.
    profile=CertProfile.SERVER_CLIENT,
    profile_rule="R4.7.1",
    names=_names,
    shareable=True,  # R3.5
    joins_shared=_joins_shared,
    acts_as_client=True,  # R4.7.1, R4.5, R4.10: to Web Bridges, trunks and SIP peers
    reasons=(
        Reason(
            _("Lync federates with the Call Bridge over the public network and must trust it."),
            "R2.4",
            _public,
        ),
        Reason(
            _("The Lync Front End must trust the Call Bridge; sign it with the CA Lync trusts."),
            "R3.13",
            lambda spec: spec.lync_frontend,
        ),
        Reason(
            _(
                "Web Bridges, Active Directory and SIP TLS peers authenticate the Call Bridge with it."
            ),
            "R2.5",
        ),
    ),
    trust=(
        # R4.10: SIP and LDAP peers verified against a trust bundle on each Call Bridge.
        TrustNeed(
            TrustPurpose.TLS_SIP,
            "R4.10",
            _internal_ca,
            lambda comp, members: "tls_sip_trust.crt",
            order=60,
            when=lambda spec: spec.sip_tls,
        ),
        TrustNeed(
            TrustPurpose.TLS_LDAP,
            "R4.10",
            _internal_ca,
            lambda comp, members: "tls_ldap_trust.crt",
            order=60,
            when=lambda spec: spec.ldap_tls,
        ),
    ),
    install=(
        InstallStep(
            title=_("Call Bridge"),
            rule="R4.7",
            order=50,
            commands=("callbridge certs {key} {cert}{bundle}", "callbridge restart"),
            expect=(
                "SUCCESS: listen interface configured",
                "SUCCESS: Key and certificate pair match",
            ),
        ),
        _tls_step("sip", 80),
        _tls_step("ldap", 81),
    ),
    checks=(check_callbridge_trust, check_lync, check_client_auth),
    validate_deployment=_lync_settings,
)

"""Required certificates (SPEC R2.4, R2.5, R3.5-R3.10, R4.1): CN, SAN, signer and reason."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from .catalogue import (
    _DEDICATED_ORDER,
    DB_CLIENT_CN,
    SHAREABLE_KINDS,
    CertProfile,
    DatabaseRole,
    Kind,
    Purpose,
    Signer,
    Strategy,
    Topology,
)
from .naming import _component_fqdn, _file_base, _san_with_cn, _unique, name_covers
from .specs import ComponentSpec, DeploymentSpec, PlannedCertificate


def _public_required(spec: DeploymentSpec, kind: str) -> bool:
    # SPEC R2.4: who must be trusted by clients outside the organisation.
    if kind == Kind.WEB_BRIDGE:
        return spec.webrtc
    if kind == Kind.XMPP:
        return spec.native_apps
    if kind == Kind.CALL_BRIDGE:
        return spec.lync_federation
    if kind == Kind.TURN:
        # R2.4/R3.10: like the WB's certificate, from the same CA.
        return spec.turn_tls and (spec.webrtc or not spec.components(Kind.WEB_BRIDGE))
    return False


def _reason(spec: DeploymentSpec, kind: str) -> tuple[str, str]:
    """(reason, rule) for a component's certificate, in the admin's words."""
    public = _public_required(spec, kind)
    if kind == Kind.WEB_BRIDGE:
        if public:
            return _(
                "Browsers of WebRTC users connect to the Web Bridge and must trust it."
            ), "R2.4"
        return _(
            "The Web Bridge presents it to browsers; an internal CA will do without WebRTC users outside."
        ), "R3.6"
    if kind == Kind.XMPP:
        if public:
            return _(
                "The native Meeting apps (PC, Mac, iOS) check the XMPP server's certificate."
            ), "R2.4"
        return _("The XMPP server needs a certificate; only internal clients use it."), "R3.7"
    if kind == Kind.CALL_BRIDGE:
        if spec.lync_federation:
            return _(
                "Lync federates with the Call Bridge over the public network and must trust it."
            ), "R2.4"
        if spec.lync_frontend:
            return _(
                "The Lync Front End must trust the Call Bridge; sign it with the CA Lync trusts."
            ), "R3.13"
        return _(
            "Web Bridges, Active Directory and SIP TLS peers authenticate the Call Bridge with it."
        ), "R2.5"
    if kind == Kind.TURN:
        return _(
            "TURN over TLS presents a certificate like the Web Bridge's, from the same CA."
        ), "R3.10"
    if kind == Kind.WEB_ADMIN:
        return _("Web Admin is HTTPS only, and the API goes through it."), "R2.5"
    if kind == Kind.RECORDER:
        return _(
            "The Call Bridge asks for the recorder's certificate; the recorder must trust the Call Bridge's."
        ), "R2.3"
    if kind == Kind.STREAMER:
        return _(
            "The Call Bridge asks for the streamer's certificate; the streamer must trust the Call Bridge's."
        ), "R2.3"
    return "", "R2.1"


def _signer_for(spec: DeploymentSpec, kind: str) -> str:
    if kind == Kind.CALL_BRIDGE and spec.lync_frontend and not spec.lync_federation:
        return spec.lync_trusted_ca  # R3.13: the CA the Lync Front End trusts
    if kind == Kind.TURN:
        return (
            _signer_for(spec, Kind.WEB_BRIDGE)
            if spec.components(Kind.WEB_BRIDGE)
            else (Signer.PUBLIC_CA if _public_required(spec, kind) else Signer.INTERNAL_CA)
        )  # R3.10
    return Signer.PUBLIC_CA if _public_required(spec, kind) else Signer.INTERNAL_CA


def _certified_components(spec: DeploymentSpec) -> list[ComponentSpec]:
    out = []
    for comp in spec.components():
        if comp.kind == Kind.TURN and not spec.turn_tls:
            continue  # R2.4: TURN needs a certificate only with TLS
        out.append(comp)
    return out


def _component_names(spec: DeploymentSpec, comp: ComponentSpec) -> tuple[str, str, tuple[str, ...]]:
    """(CN, extra SAN names) for a dedicated certificate of one component."""
    fqdn = _component_fqdn(spec, comp)
    if comp.kind == Kind.XMPP:
        # R3.7: CN = the SRV target; SAN = that name and the XMPP domain.
        target = comp.srv_target or fqdn
        domain = comp.xmpp_domain or spec.domain
        return target, target, (target, domain, *comp.extra_names)
    if comp.kind == Kind.CALL_BRIDGE and spec.lync_frontend and spec.lync_fqdn:
        # R4.7: CN = the FQDN configured on the Lync FE; the SAN holds it too.
        return spec.lync_fqdn, fqdn, (spec.lync_fqdn, fqdn, *comp.extra_names)
    # R3.6 (WB) and the others: CN = the component's FQDN; a SAN list must contain it.
    return fqdn, fqdn, (fqdn, *comp.extra_names)


def required_certificates(spec: DeploymentSpec) -> list[PlannedCertificate]:
    """Every certificate the deployment needs, who signs it, what goes in CN and SAN, and why."""
    plan: list[PlannedCertificate] = []
    comps = _certified_components(spec)
    shared_kinds: tuple[str, ...] = ()
    if spec.strategy in (Strategy.SHARED, Strategy.WILDCARD):
        shared_kinds = SHAREABLE_KINDS
        sharing = [c for c in comps if c.kind in shared_kinds]
        if sharing:
            plan.append(_shared_certificate(spec, sharing))

    for kind in _DEDICATED_ORDER:
        if kind in shared_kinds:
            continue
        of_kind = [c for c in comps if c.kind == kind]
        for comp in of_kind:
            cn, _fqdn, names = _component_names(spec, comp)
            reason, rule = _reason(spec, kind)
            profile = (
                CertProfile.SERVER_CLIENT
                if kind in (Kind.CALL_BRIDGE, Kind.RECORDER, Kind.STREAMER)
                else CertProfile.SERVER
            )
            plan.append(
                PlannedCertificate(
                    basename=_file_base(kind, comp.server, len(of_kind)),
                    purpose=kind,
                    common_name=cn,
                    san=_san_with_cn(cn, names),
                    signer=_signer_for(spec, kind),
                    profile=profile,
                    components=(comp.ref,),
                    reason=reason,
                    rule=rule,
                    public_ca_required=_public_required(spec, kind),
                    key_type=spec.key_type,
                )
            )

    plan.extend(_trunk_and_lb_certificates(spec))
    plan.extend(_database_certificates(spec))
    return plan


def _shared_certificate(spec: DeploymentSpec, sharing: list[ComponentSpec]) -> PlannedCertificate:
    names: list[str] = []
    for comp in sharing:
        _cn, _fqdn, extra = _component_names(spec, comp)
        names.extend(extra)
    public = any(_public_required(spec, c.kind) for c in sharing)
    if spec.strategy == Strategy.WILDCARD:
        # R2.6 / R3.7: CN *.domain, SAN *.domain + domain + names the wildcard does not cover.
        cn = f"*.{spec.domain}"
        uncovered = [n for n in names if not name_covers(cn, n)]
        san = _san_with_cn(cn, (spec.domain, *uncovered))
        basename, purpose = "wildcard", Purpose.WILDCARD
        reason = _("One wildcard certificate serves %(kinds)s.")
        rule = "R2.6"
    else:
        # R3.5: CN = the domain; SAN = the domain and every FQDN of the components using it.
        cn = spec.domain
        san = _san_with_cn(cn, (*names, spec.domain))
        basename, purpose = "shared", Purpose.SHARED
        reason = _("One certificate serves %(kinds)s; its SAN lists every one of them.")
        rule = "R3.5"
    kinds = _unique(str(Kind(c.kind).label) for c in sharing)
    signer: str = Signer.PUBLIC_CA if public else Signer.INTERNAL_CA
    if not public and spec.lync_frontend and any(c.kind == Kind.CALL_BRIDGE for c in sharing):
        signer = spec.lync_trusted_ca
    return PlannedCertificate(
        basename=basename,
        purpose=purpose,
        common_name=cn,
        san=san,
        signer=signer,
        profile=CertProfile.SERVER_CLIENT,
        components=tuple(c.ref for c in sharing),
        reason=reason % {"kinds": ", ".join(kinds)},
        rule=rule,
        public_ca_required=public,
        key_type=spec.key_type,
    )


def _trunk_and_lb_certificates(spec: DeploymentSpec) -> list[PlannedCertificate]:
    """R3.8/R4.1: one identity per Edge for its LBs, one per Core reused by all its trunks."""
    sides = (
        (
            Kind.LOAD_BALANCER,
            Purpose.LOAD_BALANCER,
            _("The Core's trunks must trust this Edge's load balancer; never shared with a trunk."),
            "R3.8",
        ),
        (
            Kind.TRUNK,
            Purpose.TRUNK,
            _(
                "The Edge load balancers must trust this Core's trunks; one identity serves all its trunks."
            ),
            "R4.1",
        ),
    )
    plan = []
    for kind, purpose, reason, rule in sides:
        for server in spec.servers:
            members = [c for c in server.components if c.kind == kind]
            if not members:
                continue
            cn = members[0].fqdn or server.fqdn
            plan.append(
                PlannedCertificate(
                    basename=server.name,
                    purpose=purpose,
                    common_name=cn,
                    san=_san_with_cn(cn, (n for c in members for n in c.extra_names)),
                    signer=Signer.INTERNAL_CA,
                    profile=CertProfile.SERVER_CLIENT,
                    components=tuple(c.ref for c in members),
                    reason=reason,
                    rule=rule,
                    key_type=spec.key_type,
                )
            )
    return plan


def database_cluster_needed(spec: DeploymentSpec) -> bool:
    """R2.2/R3.9: the cluster certificates are what scalable/resilient deployments add."""
    hosts = [c for c in spec.components(Kind.DATABASE) if c.database_role != DatabaseRole.CLIENT]
    return spec.topology == Topology.SCALABLE and bool(hosts)


def _database_certificates(spec: DeploymentSpec) -> list[PlannedCertificate]:
    if not database_cluster_needed(spec):
        return []
    dbs = spec.components(Kind.DATABASE)
    hosts = [c for c in dbs if c.database_role != DatabaseRole.CLIENT]
    host_names = [_component_fqdn(spec, c) for c in hosts]
    cn = host_names[0]
    return [
        PlannedCertificate(
            basename="dbcluster_server",
            purpose=Purpose.DB_SERVER,
            common_name=cn,
            san=_san_with_cn(cn, host_names[1:]),
            signer=Signer.INTERNAL_CA,
            profile=CertProfile.SERVER,
            components=tuple(c.ref for c in hosts),
            reason=_(
                "Every database host presents it; CN is one host, SAN the others; same CA as the client certificate."
            ),
            rule="R3.9",
            key_type=spec.key_type,
        ),
        PlannedCertificate(
            basename="dbcluster_client",
            purpose=Purpose.DB_CLIENT,
            common_name=DB_CLIENT_CN,
            san=(),
            signer=Signer.INTERNAL_CA,
            profile=CertProfile.CLIENT,
            components=tuple(c.ref for c in dbs),
            reason=_(
                "Database hosts and remote Call Bridges log in with it; its CN must be postgres."
            ),
            rule="R3.9",
            key_type=spec.key_type,
        ),
    ]


def plan_for_component(plan: Sequence[PlannedCertificate], ref: str) -> list[PlannedCertificate]:
    return [p for p in plan if ref in p.components]


def call_bridge_certificates(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate]
) -> list[PlannedCertificate]:
    """The distinct identities used by the Call Bridges (one when they share it)."""
    refs = {c.ref for c in spec.components(Kind.CALL_BRIDGE)}
    return [p for p in plan if refs & set(p.components) and p.purpose != Purpose.DB_CLIENT]

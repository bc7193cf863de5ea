"""Trust relationships (SPEC R2.3, R4.5, R4.7.1, R4.8, R4.10): who must trust whom."""

from __future__ import annotations

from collections.abc import Sequence

from .catalogue import INTERNAL_CA_MEMBER, Kind
from .naming import _unique
from .plan import call_bridge_certificates, plan_for_component
from .specs import ComponentSpec, DeploymentSpec, PlannedCertificate, TrustLink


def trust_relationships(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate]
) -> list[TrustLink]:
    """Who must trust whom, and the file that carries the trusted certificates."""
    links: list[TrustLink] = []
    cb_certs = call_bridge_certificates(spec, plan)
    cb_members = tuple(p.basename for p in cb_certs)
    # R4.7.1: one CB cert (or one shared) is trusted as is; several are concatenated.
    cb_file = f"{cb_members[0]}.crt" if len(cb_members) == 1 else "combined_callbridge.crt"
    by_basename = {p.basename: p for p in plan}
    if cb_members:
        for wb in spec.components(Kind.WEB_BRIDGE):
            links.append(
                TrustLink(wb.server, wb.ref, cb_file, cb_members, "webbridge_trust", "R4.7.1")
            )
        # R2.3: recorder and streamer trust the CB's certificate.
        for comp in spec.components(Kind.RECORDER, Kind.STREAMER):
            purpose = "recorder_trust" if comp.kind == Kind.RECORDER else "streamer_trust"
            links.append(TrustLink(comp.server, comp.ref, cb_file, cb_members, purpose, "R2.3"))
    # R4.5: the LB trusts the trunk certs of the Cores connecting to it, and vice versa.
    lb: ComponentSpec | None
    for lb in spec.components(Kind.LOAD_BALANCER):
        trunks = [t for t in spec.components(Kind.TRUNK) if t.load_balancer == lb.tag]
        members = _unique(p.basename for t in trunks for p in plan_for_component(plan, t.ref))
        if members:
            name = f"{members[0]}.crt" if len(members) == 1 else f"{lb.server}_trunks.crt"
            links.append(TrustLink(lb.server, lb.ref, name, members, "loadbalancer_trust", "R4.5"))
    for trunk in spec.components(Kind.TRUNK):
        lb = spec.load_balancer(trunk.load_balancer)
        if lb is None:
            continue
        members = tuple(p.basename for p in plan_for_component(plan, lb.ref))
        if members:
            links.append(
                TrustLink(
                    trunk.server, trunk.ref, f"{members[0]}.crt", members, "trunk_trust", "R4.5"
                )
            )
    # R4.8: every DB host and remote CB gets the internal CA certificate as its bundle.
    if "dbcluster_client" in by_basename:
        for db in spec.components(Kind.DATABASE):
            links.append(
                TrustLink(
                    db.server,
                    db.ref,
                    "dbcluster_ca.crt",
                    (INTERNAL_CA_MEMBER,),
                    "database_ca",
                    "R4.8",
                )
            )
    # R4.10: SIP and LDAP peers verified against a trust bundle on each Call Bridge.
    for cb in spec.components(Kind.CALL_BRIDGE):
        if spec.sip_tls:
            links.append(
                TrustLink(
                    cb.server,
                    cb.ref,
                    "tls_sip_trust.crt",
                    (INTERNAL_CA_MEMBER,),
                    "tls_sip",
                    "R4.10",
                )
            )
        if spec.ldap_tls:
            links.append(
                TrustLink(
                    cb.server,
                    cb.ref,
                    "tls_ldap_trust.crt",
                    (INTERNAL_CA_MEMBER,),
                    "tls_ldap",
                    "R4.10",
                )
            )
    return links

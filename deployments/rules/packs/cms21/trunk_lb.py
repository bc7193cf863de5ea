"""Load balancer and trunk pairs of split deployments (SPEC R2.5, R3.8, R4.1, R4.5, R5.5).

One key/certificate per Edge for its load balancers, one per Core reused by all its trunks;
a trunk and a load balancer never share one. Each trusts the other side's certificate.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from ...catalogue import CertProfile, Kind, Purpose, ServerRole, Severity, TrustPurpose
from ...checks import check_client_auth, check_trunk_lb_sharing
from ...naming import unique
from ...plan import plan_for_component
from ...recipe import InstallStep, Reason, Recipe, StepInput, TrustNeed
from ...specs import ComponentSpec, DeploymentSpec, Finding, PlannedCertificate


def _trunks_of(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate], lb: ComponentSpec
) -> tuple[str, ...]:
    # R4.5: the LB trusts the trunk certs of the Cores connecting to it.
    trunks = [t for t in spec.components(Kind.TRUNK) if t.load_balancer == lb.tag]
    return unique(p.basename for t in trunks for p in plan_for_component(plan, t.ref))


def _lb_of(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate], trunk: ComponentSpec
) -> tuple[str, ...]:
    # R4.5: the trunk trusts its LB's certificate.
    lb = spec.load_balancer(trunk.load_balancer)
    return tuple(p.basename for p in plan_for_component(plan, lb.ref)) if lb else ()


def _lb_values(given: StepInput) -> dict[str, str]:
    comp, link = given.component, given.trust.get(TrustPurpose.LOAD_BALANCER)
    return {
        "tag": comp.tag,
        "trust": link.file_name if link else "<trunk-certificate>",
        "trunk": comp.trunk_listen or "a:4999",
        "public": " ".join(comp.public_listen) or "b:5222",
    }


def _trunk_values(given: StepInput) -> dict[str, object] | None:
    spec, comp = given.spec, given.component
    lb = spec.load_balancer(comp.load_balancer)
    if lb is None:
        return None
    link = given.trust.get(TrustPurpose.TRUNK)
    edge_server = spec.server(lb.server)
    port = comp.edge_port or (int(lb.trunk_listen.split(":")[1]) if lb.trunk_listen else None)
    return {
        "tag": comp.tag,
        "edge": lb.server,
        "edge_host": lb.fqdn or (edge_server.fqdn if edge_server else lb.server),
        "port": f" {port}" if port else "",
        "trust": link.file_name if link else "<load-balancer-certificate>",
    }


def _points_at_lb(spec: DeploymentSpec, trunk: ComponentSpec) -> list[Finding]:
    if trunk.load_balancer and spec.load_balancer(trunk.load_balancer) is not None:
        return []
    return [
        Finding(
            Severity.ERROR,
            "R4.5",
            trunk.ref,
            str(_("The trunk %(tag)s does not point at a load balancer of this deployment."))
            % {"tag": trunk.tag},
            str(_("Choose the Edge load balancer this trunk connects to.")),
        )
    ]


LOAD_BALANCER = Recipe(
    kind=Kind.LOAD_BALANCER,
    rules=("R2.1", "R2.5", "R3.8", "R4.1", "R4.5", "R5.5"),
    file_base="loadbalancer",
    roles=frozenset({ServerRole.EDGE}),  # R2.1, R4.5: on the Edge of a split deployment
    singleton=False,
    split_only=True,
    tagged=True,
    settings=("trunk_listen", "public_listen"),  # R4.5
    purpose=Purpose.LOAD_BALANCER,
    identity="server",  # R3.8: one key/cert per Edge for all its load balancers
    plan_order=80,
    profile=CertProfile.SERVER_CLIENT,  # R4.5: trunk and LB authenticate each other
    profile_rule="R4.5",
    reasons=(
        Reason(
            _("The Core's trunks must trust this Edge's load balancer; never shared with a trunk."),
            "R3.8",
        ),
    ),
    never_shares_key_with=(Kind.TRUNK,),  # R3.8, R5.5
    trust=(
        TrustNeed(
            TrustPurpose.LOAD_BALANCER,
            "R4.5",
            _trunks_of,
            lambda lb, members: (
                f"{members[0]}.crt" if len(members) == 1 else f"{lb.server}_trunks.crt"
            ),
            order=30,
        ),
    ),
    install=(
        InstallStep(
            title=_("Load balancer %(tag)s"),
            rule="R4.5",
            order=20,
            commands=(
                "loadbalancer create {tag}",
                "loadbalancer auth {tag} {key} {cert} {trust}",
                "loadbalancer trunk {tag} {trunk}",
                "loadbalancer public {tag} {public}",
                "loadbalancer enable {tag}",
            ),
            notes=(_("The public port opens only once a trunk from a Core is connected."),),
            values=_lb_values,
        ),
    ),
    checks=(check_trunk_lb_sharing,),
)

TRUNK = Recipe(
    kind=Kind.TRUNK,
    rules=("R2.5", "R3.8", "R4.1", "R4.5", "R5.5"),
    file_base="trunk",
    roles=frozenset({ServerRole.CORE}),
    singleton=False,
    placement_rule="R4.5",
    tagged=True,
    points_at=Kind.LOAD_BALANCER,
    settings=("load_balancer", "edge_port"),  # R4.5
    acts_as_client=True,  # R4.5: the Core's trunk connects to the Edge's load balancer
    purpose=Purpose.TRUNK,
    identity="server",  # R4.1: a Core's key/cert serves all of its trunks
    plan_order=90,
    profile=CertProfile.SERVER_CLIENT,
    profile_rule="R4.5",
    reasons=(
        Reason(
            _(
                "The Edge load balancers must trust this Core's trunks; one identity serves all its trunks."
            ),
            "R4.1",
        ),
    ),
    never_shares_key_with=(Kind.LOAD_BALANCER,),  # R3.8, R5.5
    trust=(
        TrustNeed(
            TrustPurpose.TRUNK, "R4.5", _lb_of, lambda t, members: f"{members[0]}.crt", order=40
        ),
    ),
    install=(
        InstallStep(
            title=_("Trunk %(tag)s to %(edge)s"),
            rule="R4.5",
            order=30,
            commands=(
                "trunk create {tag} xmpp",
                "trunk auth {tag} {key} {cert} {trust}",
                "trunk edge {tag} {edge_host}{port}",
                "trunk enable {tag}",
            ),
            values=_trunk_values,
        ),
    ),
    checks=(check_trunk_lb_sharing, check_client_auth),
    validate=_points_at_lb,
)

"""Topology (SPEC R2.1, R2.2): what is structurally wrong with servers and components."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .catalogue import CATALOGUE, Kind, ServerRole, Severity, Topology, basename_is_valid
from .specs import DeploymentSpec, Finding


def validate_topology(spec: DeploymentSpec) -> list[Finding]:
    """What is structurally wrong with the servers and components (errors block a plan)."""
    findings: list[Finding] = []
    roles = [s.role for s in spec.servers]
    if spec.topology == Topology.SINGLE_COMBINED and (
        len(spec.servers) != 1 or roles != [ServerRole.COMBINED]
    ):
        findings.append(
            Finding(
                Severity.ERROR,
                "R2.2",
                spec.name,
                _("A single combined deployment has exactly one server, with the combined role."),
                _("Keep one server and set its role to combined, or choose another topology."),
            )
        )
    if spec.topology == Topology.SINGLE_SPLIT and sorted(roles) != [
        ServerRole.CORE,
        ServerRole.EDGE,
    ]:
        findings.append(
            Finding(
                Severity.ERROR,
                "R2.2",
                spec.name,
                _("A single split deployment has one Core server and one Edge server."),
                _("Set one server to the Core role and one to the Edge role."),
            )
        )
    names = [s.name for s in spec.servers]
    for server in spec.servers:
        if not basename_is_valid(server.name):
            findings.append(
                Finding(
                    Severity.ERROR,
                    "R3.3",
                    server.name,
                    _("The server name %(name)s cannot prefix file names.") % {"name": server.name},
                    _("Use only letters, digits, '-' and '_' (no dots) in server names."),
                )
            )
        if names.count(server.name) > 1:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "R4.1",
                    server.name,
                    _("Two servers are called %(name)s.") % {"name": server.name},
                    _("Give every server its own name."),
                )
            )
        for comp in server.components:
            info = CATALOGUE.get(comp.kind)
            if info is None:
                continue
            allowed = info.roles
            if comp.kind == Kind.LOAD_BALANCER and not spec.is_split:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "R2.1",
                        comp.ref,
                        _("A load balancer is only used in split deployments."),
                        _("Remove the load balancer or choose a split topology."),
                    )
                )
            elif server.role not in allowed:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        info.rule,
                        comp.ref,
                        _("%(kind)s cannot run on the %(role)s server %(server)s.")
                        % {
                            "kind": Kind(comp.kind).label,
                            "role": ServerRole(server.role).label,
                            "server": server.name,
                        },
                        _("Move it to a server with one of these roles: %(roles)s.")
                        % {"roles": ", ".join(sorted(str(ServerRole(r).label) for r in allowed))},
                    )
                )
        for kind in {c.kind for c in server.components}:
            info = CATALOGUE.get(kind)
            if info and info.singleton and sum(c.kind == kind for c in server.components) > 1:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "R2.1",
                        f"{server.name}:{kind}",
                        _("Server %(server)s runs %(kind)s twice.")
                        % {"server": server.name, "kind": Kind(kind).label},
                        _("Keep one of them."),
                    )
                )
    for trunk in spec.components(Kind.TRUNK):
        if not trunk.load_balancer or spec.load_balancer(trunk.load_balancer) is None:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "R4.5",
                    trunk.ref,
                    _("The trunk %(tag)s does not point at a load balancer of this deployment.")
                    % {"tag": trunk.tag},
                    _("Choose the Edge load balancer this trunk connects to."),
                )
            )
    for comp in spec.components(Kind.XMPP):
        if not (comp.xmpp_domain or spec.domain):
            findings.append(
                Finding(
                    Severity.ERROR,
                    "R3.7",
                    comp.ref,
                    _("The XMPP server has no XMPP domain."),
                    _("Set the XMPP domain, for example example.com."),
                )
            )
    if spec.lync_frontend and not spec.lync_fqdn:
        findings.append(
            Finding(
                Severity.ERROR,
                "R4.7",
                spec.name,
                _("Lync Front End integration is on but the FQDN configured on Lync is not set."),
                _("Enter the FQDN the Lync Front End uses for the Call Bridge."),
            )
        )
    return findings

"""Topology (SPEC R2.1, R2.2): what is structurally wrong with servers and components."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .catalogue import Kind, ServerRole, Severity, Topology, basename_is_valid
from .plan import pack_of
from .specs import DeploymentSpec, Finding


def validate_topology(spec: DeploymentSpec) -> list[Finding]:
    """What is structurally wrong with the servers and components (errors block a plan)."""
    findings: list[Finding] = []
    pack = pack_of(spec)
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
            recipe = pack.recipe(comp.kind)
            if recipe is None:
                continue
            allowed = recipe.roles
            if recipe.split_only and not spec.is_split:
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
                        recipe.placement_rule,
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
            recipe = pack.recipe(kind)
            if recipe and recipe.singleton and sum(c.kind == kind for c in server.components) > 1:
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
    # What each recipe checks of its own components (R3.7, R4.5) and of the deployment (R4.7).
    for recipe in pack.recipes:
        if recipe.validate is not None:
            for comp in spec.components(recipe.kind):
                findings.extend(recipe.validate(spec, comp))
    for recipe in pack.recipes:
        if recipe.validate_deployment is not None:
            findings.extend(recipe.validate_deployment(spec))
    return findings

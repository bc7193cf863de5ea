"""Reads over deployments: the rules' view of a deployment, its plan, findings and scripts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from . import documents, rules
from .models import CertificatePlan, Component, Deployment, Server


def deployment_list() -> QuerySet[Deployment]:
    return Deployment.objects.with_counts().select_related("internal_ca")


def deployment_get(*, name: str | None = None, pk: int | None = None) -> Deployment:
    """The deployment or Http404."""
    deployments = Deployment.objects.select_related("internal_ca")
    if name is not None:
        return get_object_or_404(deployments, name=name)
    return get_object_or_404(deployments, pk=pk)


def deployment_servers(*, deployment: Deployment) -> QuerySet[Server]:
    return deployment.servers.prefetch_related(
        Prefetch(
            "components",
            queryset=Component.objects.select_related("load_balancer", "server").order_by(
                "position", "id"
            ),
        )
    ).order_by("position", "name")


def deployment_document(*, deployment: Deployment) -> dict[str, Any]:
    """The deployment as a file document (schema.json); ``load`` of it changes nothing."""
    doc: dict[str, Any] = {"name": deployment.name}
    if deployment.description:
        doc["description"] = deployment.description
    doc.update(
        domain=deployment.domain,
        topology=deployment.topology,
        strategy=deployment.strategy,
        key_type=deployment.key_type,
    )
    if deployment.public_ca_name:
        doc["public_ca"] = deployment.public_ca_name
    if deployment.internal_ca is not None:
        doc["internal_ca"] = deployment.internal_ca.name
    subject = {
        key: value
        for key, value in (
            ("O", deployment.organization),
            ("OU", deployment.organizational_unit),
            ("L", deployment.locality),
            ("ST", deployment.state),
            ("C", deployment.country),
            ("emailAddress", deployment.email),
        )
        if value
    }
    if subject:
        doc["subject"] = subject
    doc["options"] = {name: getattr(deployment, name) for name in documents.OPTION_NAMES}
    if deployment.lync_fqdn or deployment.lync_trusted_ca != rules.Signer.INTERNAL_CA:
        lync: dict[str, Any] = {"trusted_ca": deployment.lync_trusted_ca}
        if deployment.lync_fqdn:
            lync = {"fqdn": deployment.lync_fqdn, **lync}
        doc["lync"] = lync
    servers = []
    for server in deployment_servers(deployment=deployment):
        item: dict[str, Any] = {"name": server.name, "fqdn": server.fqdn, "role": server.role}
        if server.addresses:
            item["addresses"] = list(server.addresses)
        if server.interfaces:
            item["interfaces"] = list(server.interfaces)
        comps = [_component_document(c) for c in server.components.all()]
        if comps:
            item["components"] = comps
        servers.append(item)
    doc["servers"] = servers
    return doc


def _component_document(comp: Component) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": comp.kind}
    for key, value in (
        ("fqdn", comp.fqdn),
        ("names", list(comp.extra_names)),
        ("xmpp_domain", comp.xmpp_domain),
        ("srv_target", comp.srv_target),
        ("tag", comp.tag),
        ("trunk", comp.trunk_listen),
        ("public", list(comp.public_listen)),
        ("load_balancer", comp.load_balancer.tag if comp.load_balancer is not None else ""),
        ("port", comp.edge_port),
        ("database_role", comp.database_role),
    ):
        if value:
            item[key] = value
    return item


def deployment_spec(*, deployment: Deployment) -> rules.DeploymentSpec:
    """The rules' plain-data view of a deployment (no DB access after this)."""
    return documents.spec_from_document(deployment_document(deployment=deployment))


def plan_rows(*, deployment: Deployment) -> QuerySet[CertificatePlan]:
    return (
        CertificatePlan.objects.for_deployment(deployment)
        .select_related("certificate", "signing_request", "keypair")
        .prefetch_related(
            Prefetch("components", queryset=Component.objects.select_related("server"))
        )
        .order_by("position", "basename")
    )


def planned_from_row(row: CertificatePlan) -> rules.PlannedCertificate:
    return rules.PlannedCertificate(
        basename=row.basename,
        purpose=row.purpose,
        common_name=row.common_name,
        san=tuple(row.san),
        signer=row.signer,
        profile=row.profile,
        components=tuple(c.ref for c in row.components.all()),
        reason=row.reason,
        rule=row.rule,
        public_ca_required=row.public_ca_required,
        key_type=row.key_type,
    )


def deployment_plan(*, deployment: Deployment) -> list[rules.PlannedCertificate]:
    """The stored plan as rules data; the derived one when nothing is stored yet."""
    rows = list(plan_rows(deployment=deployment))
    if not rows:
        return rules.required_certificates(deployment_spec(deployment=deployment))
    return [planned_from_row(row) for row in rows]


def internal_ca_subject(*, deployment: Deployment) -> str:
    ca = deployment.internal_ca
    if ca is None:
        return ""
    cert = x509.load_pem_x509_certificate(ca.certificate.pem.encode())
    return cert.subject.rfc4514_string()


def deployment_certificate_facts(*, deployment: Deployment) -> dict[str, rules.CertificateFacts]:
    from .chains import plan_chain_gap  # issue 9 item 1: where a delivered chain stops

    return {
        row.basename: dataclasses.replace(
            rules.certificate_facts(row.certificate.pem), chain_gap=plan_chain_gap(row)
        )
        for row in plan_rows(deployment=deployment)
        if row.certificate is not None
    }


def deployment_findings(
    *, deployment: Deployment, now: dt.datetime | None = None
) -> list[rules.Finding]:
    """Chapter 5 diagnoses over the stored plan and the certificates actually issued."""
    spec = deployment_spec(deployment=deployment)
    return rules.check_deployment(
        spec,
        deployment_plan(deployment=deployment),
        certificates=deployment_certificate_facts(deployment=deployment),
        internal_ca_subject=internal_ca_subject(deployment=deployment),
        now=now,
    )


@dataclass(frozen=True)
class ServerScript:
    script: rules.InstallScript
    text: str


def server_install_script(*, deployment: Deployment, server_name: str) -> ServerScript:
    """install.txt for one server, with the outside-CA commands for what is still missing."""
    spec = deployment_spec(deployment=deployment)
    plan = deployment_plan(deployment=deployment)
    script = rules.install_script(spec, plan, server_name)
    rows = {row.basename: row for row in plan_rows(deployment=deployment)}
    issued = {name for name, row in rows.items() if row.certificate_id}
    mine = {u.source for u in script.uploads if u.kind == "certificate"}
    obtain: list[str] = []
    for p in plan:
        if p.basename in mine and p.signer == rules.Signer.PUBLIC_CA and p.basename not in issued:
            # Issue 9 item 3: when CertDesk made the key, send its CSR (deployment scripts
            # writes csr/<basename>.csr); never a command that makes a new key.
            row = rows.get(p.basename)
            held = row is not None and row.keypair is not None and row.keypair.has_private_key
            csr = row is not None and row.signing_request_id is not None
            obtain.extend(
                rules.obtain_commands(
                    spec, p, key_held=held, csr_file=f"csr/{p.basename}.csr" if csr else ""
                )
            )
    # Issue 9 item 1: a bundle the operator said is not needed (the issuer is a trusted root)
    # is never delivered, so the script must not name it.
    absent = frozenset(
        f"{name}_bundle.crt"
        for name, row in rows.items()
        if row.certificate_id and row.issuer_is_trusted_root and not row.bundle_pem.strip()
    )
    text = rules.render_install_text(script, obtain=obtain, absent=absent)
    return ServerScript(script=script, text=text)

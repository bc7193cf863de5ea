"""Reads over deployments: the rules' view of a deployment, its plan, findings and scripts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cryptography import x509
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from certauthority.models import PROFILE_LABELS
from certauthority.pki.errors import PKIError

from . import documents, mapping, rules
from .models import CertificatePlan, Component, Deployment, IssueJob, ProbeResult, Server
from .rules.recipe import always


def deployment_list() -> QuerySet[Deployment]:
    return Deployment.objects.with_counts().select_related("internal_ca")


def deployment_get(*, name: str | None = None, pk: int | None = None) -> Deployment:
    """The deployment, or ``Deployment.DoesNotExist``: views turn it into a 404 and the
    command line into its one-line error (selectors know nothing of HTTP)."""
    deployments = Deployment.objects.select_related("internal_ca")
    if name is not None:
        return deployments.get(name=name)
    return deployments.get(pk=pk)


def deployment_servers(*, deployment: Deployment) -> QuerySet[Server]:
    return deployment.servers.prefetch_related(
        Prefetch(
            "components",
            queryset=Component.objects.select_related(
                "load_balancer__server", "server", "deployment"
            ).order_by("position", "id"),
        )
    ).order_by("position", "name")


@dataclass(frozen=True)
class KindChoice:
    """One kind a server may run (R2.1), for the first step of "Add component"."""

    kind: str
    label: str
    present: bool  # a kind that runs once per server and already runs there


def server_component_kinds(*, server: Server) -> list[KindChoice]:
    """The kinds of the deployment's pack that the guide places on this server's role (R2.1),
    in the pack's order."""
    pack = rules.get_pack(server.deployment.knowledge_pack)
    running = set(server.components.values_list("kind", flat=True))
    return [
        KindChoice(r.kind, str(rules.Kind(r.kind).label), r.singleton and r.kind in running)
        for r in pack.recipes
        if server.role in r.roles
    ]


def deployment_document(*, deployment: Deployment) -> dict[str, Any]:
    """The deployment as a file document (schema.json); ``load`` of it changes nothing.

    The fields and their order come from the one table in mapping.py."""
    return mapping.deployment_document(deployment, deployment_servers(deployment=deployment))


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
    """Chapter 5 diagnoses over the stored plan and the certificates actually issued, then
    what the TLS probe last saw on each probed component (issue 12)."""
    spec = deployment_spec(deployment=deployment)
    findings = rules.check_deployment(
        spec,
        deployment_plan(deployment=deployment),
        certificates=deployment_certificate_facts(deployment=deployment),
        internal_ca_subject=internal_ca_subject(deployment=deployment),
        internal_ca_chosen=deployment.internal_ca_id is not None,
        now=now,
    )
    return (
        findings
        + deployment_lint_findings(deployment=deployment)
        + deployment_probe_findings(deployment=deployment)
    )


def deployment_lint_findings(*, deployment: Deployment) -> list[rules.Finding]:
    """pkilint's errors and warnings on each certificate the plan holds (issue 14); the
    notices stay on the certificate's page."""
    from certauthority.selectors import certificate_lint

    found = []
    for row in plan_rows(deployment=deployment):
        if row.certificate is None:
            continue
        for lint in certificate_lint(certificate=row.certificate):
            if lint.severity not in ("FATAL", "ERROR", "WARNING"):
                continue
            problem = _("%(basename)s.crt breaks a rule of %(standard)s: %(code)s%(message)s.") % {
                "basename": row.basename,
                "standard": lint.standard,
                "code": lint.code,
                "message": f" ({lint.message})" if lint.message else "",
            }
            fix = _(
                "Reissue it (the dashboard's renewal), or ask its CA for one without this "
                "defect; the certificate's page lists every lint finding."
            )
            make = rules.Severity.ERROR if lint.is_error else rules.Severity.WARNING
            found.append(rules.Finding(make, lint.standard, row.basename, problem, fix))
    return found


def newest_probe_results(*, deployment: Deployment) -> list[ProbeResult]:
    """The newest TLS probe result of each component that still has a probe port, in the
    order of the deployment's servers and components."""
    results = (
        ProbeResult.objects.filter(
            component__deployment=deployment, component__probe_port__isnull=False
        )
        .select_related("component__server")
        .order_by("-seen_at", "-id")
    )
    newest: dict[int, ProbeResult] = {}
    for result in results:  # at most KEEP_RESULTS per component (deployments/probe.py)
        newest.setdefault(result.component_id, result)
    return sorted(
        newest.values(),
        key=lambda r: (
            r.component.server.position,
            r.component.server.name,
            r.component.position,
            r.component_id,
        ),
    )


def probe_result_findings(result: ProbeResult) -> list[rules.Finding]:
    """A stored probe result's findings as the rules' ``Finding``, with when they were seen."""
    return [
        rules.Finding(
            severity=str(f.get("severity", rules.Severity.ERROR)),
            rule=str(f.get("rule", "")),
            component=result.component.ref,
            problem=str(f.get("problem", "")),
            fix=str(f.get("fix", "")),
            seen_at=result.seen_at,
        )
        for f in result.findings
        if isinstance(f, dict)
    ]


def deployment_probe_findings(*, deployment: Deployment) -> list[rules.Finding]:
    """What the TLS probe last saw, per probed component (none before the first probe)."""
    return [
        finding
        for result in newest_probe_results(deployment=deployment)
        for finding in probe_result_findings(result)
    ]


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
            # deployment scripts writes the CSRs to csr/<basename>.csr beside the servers.
            obtain.extend(_obtain_lines(spec, p, rows.get(p.basename), csr_dir="csr/"))
    # Issue 9 item 1: a bundle the operator said is not needed (the issuer is a trusted root)
    # is never delivered, so the script must not name it.
    absent = frozenset(
        f"{name}_bundle.crt"
        for name, row in rows.items()
        if row.certificate_id and row.issuer_is_trusted_root and not row.bundle_pem.strip()
    )
    text = rules.render_install_text(script, obtain=obtain, absent=absent)
    return ServerScript(script=script, text=text)


# --- the plan page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanEntry:
    """One stored plan row with what the page shows beside it."""

    row: CertificatePlan
    planned: rules.PlannedCertificate
    obtain: list[str]  # pki csr / openssl / certreq lines, for public-CA entries (Appendix A)
    reason: str  # derived again, so it reads in the visitor's language


@dataclass(frozen=True)
class PlanPage:
    """Everything about a deployment's plan that a page, the wizard or an API shows: the
    entries, the trust relationships (R4.5, R4.7.1), and, computed only when asked for, the
    chapter-5 findings and each server's install script."""

    deployment: Deployment
    spec: rules.DeploymentSpec
    entries: list[PlanEntry]
    trust: list[rules.TrustLink]
    _servers: tuple[str, ...] = field(default=(), repr=False)

    @property
    def plan(self) -> list[rules.PlannedCertificate]:
        return [entry.planned for entry in self.entries]

    @cached_property
    def findings(self) -> list[rules.Finding]:
        return deployment_findings(deployment=self.deployment)

    @cached_property
    def scripts(self) -> dict[str, ServerScript]:
        """Server name -> its install script, in the deployment's server order."""
        return {
            name: server_install_script(deployment=self.deployment, server_name=name)
            for name in self._servers
        }


def _obtain_lines(
    spec: rules.DeploymentSpec,
    p: rules.PlannedCertificate,
    row: CertificatePlan | None,
    *,
    csr_dir: str,
) -> list[str]:
    """How to get a public-CA entry signed. When CertDesk holds its key, the admin sends the
    CSR CertDesk made, never a command that makes a new key (issue 9 item 3)."""
    held = row is not None and row.keypair is not None and row.keypair.has_private_key
    csr = row is not None and row.signing_request_id is not None
    return rules.obtain_commands(
        spec, p, key_held=held, csr_file=f"{csr_dir}{p.basename}.csr" if csr else ""
    )


def _obtain(
    spec: rules.DeploymentSpec, p: rules.PlannedCertificate, row: CertificatePlan
) -> list[str]:
    """The plan page's lines for a public-CA entry (its CSR is downloaded from the page)."""
    if p.signer != rules.Signer.PUBLIC_CA:
        return []
    try:
        return _obtain_lines(spec, p, row, csr_dir="")
    except PKIError as exc:  # a stored value no command can carry (issue 9 item 8)
        return [f"# {exc}"]


def plan_page(*, deployment: Deployment) -> PlanPage:
    """The plan page's data in one object (STYLE.md: logic in selectors, thin views)."""
    spec = deployment_spec(deployment=deployment)
    rows = list(plan_rows(deployment=deployment))
    plan = [planned_from_row(row) for row in rows]
    # Reasons are derived again so they read in the visitor's language, not the one the
    # plan was saved in.
    reasons = {p.basename: p.reason for p in rules.required_certificates(spec)}
    entries = [
        PlanEntry(
            row=row,
            planned=p,
            obtain=_obtain(spec, p, row),
            reason=reasons.get(row.basename, row.reason),
        )
        for row, p in zip(rows, plan, strict=True)
    ]
    return PlanPage(
        deployment=deployment,
        spec=spec,
        entries=entries,
        trust=rules.trust_relationships(spec, plan),
        _servers=tuple(s.name for s in spec.servers),
    )


@dataclass(frozen=True)
class RecipePage:
    """What the knowledge page shows of one component kind (its recipe)."""

    kind: str
    label: str
    rules: tuple[str, ...]
    roles: tuple[str, ...]
    file_base: str
    needs_certificate_always: bool
    shareable: bool
    profile: str
    reasons: tuple[tuple[str, str], ...]  # (text, rule)
    trust: tuple[tuple[str, str], ...]  # (purpose, rule)
    steps: tuple[
        tuple[str, str, tuple[str, ...], tuple[str, ...]], ...
    ]  # title, rule, cmds, expect
    check_rules: tuple[str, ...]


def knowledge_pack_page(
    *, name: str = rules.DEFAULT_PACK
) -> tuple[rules.KnowledgePack, list[RecipePage]]:
    """Every recipe of a knowledge pack, as the help page lists it ("what does CertDesk know
    about the XMPP server?"). ``KeyError`` when there is no such pack."""
    pack = rules.get_pack(name)
    pages = []
    for recipe in pack.recipes:
        steps = []
        for step in recipe.install:
            title, commands = step.outline()
            steps.append((title, step.rule, commands, step.expect))
        cited = sorted(
            {r for check in recipe.checks for r in _RULE.findall(check.__doc__ or "")},
            key=_rule_key,
        )
        pages.append(
            RecipePage(
                kind=recipe.kind,
                label=str(rules.Kind(recipe.kind).label),
                rules=tuple(sorted(set(recipe.rules), key=_rule_key)),
                roles=tuple(str(rules.ServerRole(r).label) for r in sorted(recipe.roles)),
                file_base=recipe.file_base,
                needs_certificate_always=recipe.needs_certificate is always,
                shareable=recipe.shareable,
                profile=str(PROFILE_LABELS[rules.CertProfile(recipe.profile)]),
                reasons=tuple((str(r.text), r.rule) for r in recipe.reasons),
                trust=tuple((str(t.purpose), t.rule) for t in recipe.trust),
                steps=tuple(steps),
                check_rules=tuple(cited),
            )
        )
    return pack, pages


_RULE = re.compile(r"\bR\d+\.\d+(?:\.\d+)?\b")


def _rule_key(rule: str) -> tuple[int, ...]:
    return tuple(int(n) for n in rule[1:].split("."))


def certificate_uses(*, certificate_id: int) -> QuerySet[CertificatePlan]:
    """The deployments' plan rows that hold this certificate (revoke page, certificate page)."""
    return (
        CertificatePlan.objects.filter(certificate_id=certificate_id)
        .select_related("deployment")
        .order_by("deployment__name", "basename")
    )


@dataclass(frozen=True)
class TrustRow:
    """A trust link as the plan page shows it: human labels, not internal refs (issue 10/16)."""

    server: str
    component: str  # the component's label, e.g. "Load balancer Edge1toLB"
    file_name: str
    holds: list[tuple[str, str]]  # (basename or INTERNAL_CA_MEMBER, the certificate's CN)
    rule: str


def trust_rows(*, page: PlanPage) -> list[TrustRow]:
    """The plan page's trust table: each trusting component by label, each file with what it
    holds (the CN of each certificate), in one column instead of two that repeat."""
    labels = {
        c.ref: str(c)
        for c in Component.objects.filter(deployment=page.deployment).select_related("server")
    }
    names = {e.row.basename: e.row.common_name for e in page.entries}
    return [
        TrustRow(
            server=t.server,
            component=labels.get(t.component, t.component),
            file_name=t.file_name,
            holds=[(m, names.get(m, "")) for m in t.members],
            rule=t.rule,
        )
        for t in page.trust
    ]


def issue_job_status(*, job: IssueJob) -> dict[str, Any]:
    """What a poller needs to draw the job's progress bar and, at the end, its outcome."""
    return {
        "id": job.pk,
        "deployment": job.deployment_id,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "finished": job.finished,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "results": job.results,
    }


def deployment_certificate_ids(*, deployment_id: int) -> QuerySet[CertificatePlan, dict[str, Any]]:
    """The ids of the certificates a deployment's plan uses (for a ``pk__in`` filter)."""
    return CertificatePlan.objects.filter(
        deployment_id=deployment_id, certificate__isnull=False
    ).values("certificate_id")

"""Writes over deployments (HackSoft style): load/save, derive the plan, issue, write scripts."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certauthority import selectors as ca_selectors
from certauthority import services as ca_services
from certauthority.models import AuditAction, Certificate, CertificateAuthority, CertificateSource
from certauthority.pki.bundle import format_bundle, split_chain, trust_bundle
from certauthority.pki.csr import CsrRequest
from certauthority.pki.errors import PKIError
from certauthority.pki.files import bundle_file_name, certificate_file_name, write_atomic
from certauthority.pki.material import certificates_from_bytes
from certauthority.pki.names import classify_names, format_name, make_attribute
from certauthority.pki.selfsigned import build_self_signed
from certauthority.selectors import ca_chain, certificate_chain
from certauthority.services.audit import actor_user

from . import documents, mapping, rules, selectors
from .chains import delivered_chain_gap
from .models import (
    CertificatePlan,
    Component,
    Deployment,
    IssueJob,
    IssueJobState,
    PlanStatus,
    Server,
)

Actor = ca_services.Actor


class DeploymentError(Exception):
    """Something the admin can fix; the message says what and how."""


# --- saving -----------------------------------------------------------------------------------


def deployment_save(*, deployment: Deployment) -> Deployment:
    """Save a deployment edited in a form and derive its plan again."""
    with transaction.atomic():
        deployment.full_clean()
        deployment.save()
        deployment_plan_sync(deployment=deployment)
    return deployment


def server_save(*, server: Server) -> Server:
    with transaction.atomic():
        server.full_clean()
        server.save()
        deployment_plan_sync(deployment=server.deployment)
    return server


def _server_delete_rows(server: Server) -> None:
    # Trunks on this server point at load balancers (PROTECT); remove them first.
    Component.objects.filter(server=server, load_balancer__isnull=False).delete()
    Server.objects.filter(pk=server.pk).delete()


def _server_delete_blocked(server: Server) -> str:
    if Component.objects.filter(load_balancer__server=server).exclude(server=server).exists():
        return _(
            "Trunks on other servers still connect to this server's load balancer: delete or "
            "move them first."
        )
    return ""


def server_delete(*, server: Server, actor: Actor = None) -> None:
    """Delete a server with its components, derive the plan again, and audit it (issue 10/11)."""
    deployment = server.deployment
    components = [str(c) for c in server.components.all()]
    blocked = _server_delete_blocked(server)
    if blocked:
        raise DeploymentError(blocked)
    with transaction.atomic():
        _server_delete_rows(server)
        deployment_plan_sync(deployment=deployment)
        ca_services.audit_record(
            action=AuditAction.DEPLOYMENT_CHANGE,
            actor=actor,
            target=deployment,
            summary=_("Deleted server %(server)s from deployment %(name)s")
            % {"server": server.name, "name": deployment.name},
            details={"server": server.name, "components": components},
        )


@dataclass(frozen=True)
class DeleteImpact:
    """What a delete would lose: shown on the confirmation page before anything is written."""

    components: list[Component]
    dropped: list[CertificatePlan]  # plan rows that disappear (with their CSR/cert/key links)
    detached: list[CertificatePlan]  # plan rows that stay but lose their certificate (new names)
    blocked: str = ""  # why the delete would be refused, if it would


def _delete_impact(deployment: Deployment, delete) -> tuple[list, list]:
    """Run ``delete`` and the plan derivation in a savepoint, compare, and roll back."""
    before = {
        row.basename: row
        for row in CertificatePlan.objects.filter(deployment=deployment).select_related(
            "certificate", "keypair"
        )
    }
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            delete()
            deployment_plan_sync(deployment=deployment)
            after = {
                row.basename: row
                for row in CertificatePlan.objects.filter(deployment=deployment).only(
                    "basename", "certificate", "keypair"
                )
            }
        finally:
            transaction.savepoint_rollback(savepoint)
    dropped = [row for name, row in before.items() if name not in after]
    detached = [
        row
        for name, row in before.items()
        if name in after
        and (row.certificate_id or row.keypair_id)
        and (after[name].certificate_id, after[name].keypair_id)
        != (row.certificate_id, row.keypair_id)
    ]
    return dropped, detached


def server_delete_impact(*, server: Server) -> DeleteImpact:
    """The components and certificate plans deleting ``server`` would remove (R-none: UI)."""
    components = list(server.components.select_related("server"))
    blocked = _server_delete_blocked(server)
    if blocked:
        return DeleteImpact(components=components, dropped=[], detached=[], blocked=blocked)
    dropped, detached = _delete_impact(server.deployment, lambda: _server_delete_rows(server))
    return DeleteImpact(components=components, dropped=dropped, detached=detached)


def component_delete_impact(*, component: Component) -> DeleteImpact:
    """The certificate plans deleting ``component`` would remove, or why it cannot be."""
    if component.trunks.exists():
        return DeleteImpact(
            components=[component],
            dropped=[],
            detached=[],
            blocked=_("Trunks still connect to this load balancer: delete or move them first."),
        )
    dropped, detached = _delete_impact(
        component.server.deployment,
        lambda: Component.objects.filter(pk=component.pk).delete(),
    )
    return DeleteImpact(components=[component], dropped=dropped, detached=detached)


def component_save(*, component: Component, points_at: Component | None = None) -> Component:
    """Save a component and derive the plan again. ``points_at`` is a new component it
    connects to (a trunk's new load balancer, R4.5), saved first in the same transaction:
    both are saved, or neither is."""
    component.deployment_id = component.server.deployment_id
    with transaction.atomic():
        if points_at is not None:
            points_at.deployment_id = points_at.server.deployment_id
            points_at.full_clean()
            points_at.save()
            component.load_balancer = points_at
        component.full_clean()
        component.save()
        deployment_plan_sync(deployment=component.server.deployment)
    return component


def component_delete(*, component: Component, actor: Actor = None) -> None:
    """Delete a component, derive the plan again, and audit it (issue 10 item 11)."""
    deployment = component.server.deployment
    label = str(component)
    with transaction.atomic():
        if component.trunks.exists():
            raise DeploymentError(
                _("Trunks still connect to this load balancer: delete or move them first.")
            )
        component.delete()
        deployment_plan_sync(deployment=deployment)
        ca_services.audit_record(
            action=AuditAction.DEPLOYMENT_CHANGE,
            actor=actor,
            target=deployment,
            summary=_("Deleted component %(component)s from deployment %(name)s")
            % {"component": label, "name": deployment.name},
            details={"component": label, "server": component.server.name},
        )


# --- files ------------------------------------------------------------------------------------


def deployment_load(*, text: str, actor: Actor = None) -> tuple[Deployment, bool]:
    """Create or update (by name) a deployment from a YAML/JSON document; all or nothing."""
    doc = documents.load_document(text)
    return deployment_load_document(document=doc, actor=actor)


def deployment_load_document(
    *, document: dict[str, Any], actor: Actor = None
) -> tuple[Deployment, bool]:
    doc = documents.validate_document(document)
    internal_ca = None
    if doc.get("internal_ca"):
        internal_ca = CertificateAuthority.objects.filter(name=doc["internal_ca"]).first()
        if internal_ca is None:
            raise documents.DocumentError(
                [
                    "internal_ca: "
                    + _("no CA called %(name)s exists in CertDesk.") % {"name": doc["internal_ca"]}
                ]
            )
    fields = mapping.deployment_values(doc)
    fields["internal_ca"] = internal_ca
    del fields["name"]
    try:
        with transaction.atomic():
            deployment, created = Deployment.objects.update_or_create(
                name=doc["name"], defaults=fields
            )
            # Servers and components are replaced; plan rows survive by basename (sync below).
            # Those that point at another (trunks at load balancers, R4.5) go first: PROTECT.
            Component.objects.filter(deployment=deployment, load_balancer__isnull=False).delete()
            Component.objects.filter(deployment=deployment).delete()
            deployment.servers.all().delete()
            pack = rules.get_pack(deployment.knowledge_pack)
            lbs: dict[tuple[str, str], Component] = {}
            trunks: list[tuple[Component, dict[str, Any], str]] = []
            for s_pos, s in enumerate(doc["servers"]):
                server = Server.objects.create(
                    deployment=deployment, position=s_pos, **mapping.server_values(s)
                )
                for c_pos, c in enumerate(s.get("components", [])):
                    comp = Component(
                        deployment=deployment,
                        server=server,
                        position=c_pos,
                        **mapping.component_values(c),
                    )
                    recipe = pack.recipe(c["kind"])
                    if recipe is not None and recipe.points_at:
                        trunks.append((comp, c, recipe.points_at))  # saved once its target is
                    else:
                        comp.save()
                        if comp.tag:
                            lbs[(comp.kind, comp.tag)] = comp
            for comp, c, target in trunks:
                comp.load_balancer = lbs[(target, c["load_balancer"])]  # R4.5
                comp.save()
            deployment_plan_sync(deployment=deployment)
            ca_services.audit_record(
                action=AuditAction.DEPLOYMENT_CHANGE,
                actor=actor,
                target=deployment,
                summary=(
                    _("Created deployment %(name)s from a file")
                    if created
                    else _("Updated deployment %(name)s from a file")
                )
                % {"name": deployment.name},
            )
    except IntegrityError as exc:
        raise documents.DocumentError(
            [_("The deployment breaks a database rule: %(error)s") % {"error": exc}]
        ) from None
    return deployment, created


# --- the plan ---------------------------------------------------------------------------------


def deployment_plan_sync(*, deployment: Deployment) -> list[CertificatePlan]:
    """Store the certificates rules.py derives; a changed identity drops its old CSR/cert."""
    spec = selectors.deployment_spec(deployment=deployment)
    planned = rules.required_certificates(spec)
    comps = {
        c.ref: c for c in Component.objects.filter(deployment=deployment).select_related("server")
    }
    existing = {row.basename: row for row in CertificatePlan.objects.filter(deployment=deployment)}
    rows = []
    for position, p in enumerate(planned):
        row = existing.pop(p.basename, None) or CertificatePlan(
            deployment=deployment, basename=p.basename
        )
        changed = row.pk is not None and (
            row.common_name != p.common_name
            or list(row.san) != list(p.san)
            or row.key_type != p.key_type
            or row.profile != p.profile
        )
        row.purpose = p.purpose
        row.common_name = p.common_name
        row.san = list(p.san)
        row.key_type = p.key_type
        row.profile = p.profile
        row.reason = p.reason
        row.rule = p.rule
        row.public_ca_required = p.public_ca_required
        row.position = position
        if not row.signer_overridden:
            if row.pk is not None and row.signer != p.signer:
                changed = True
            row.signer = p.signer
        if changed:
            row.keypair = row.signing_request = row.certificate = None
            row.bundle_pem = ""
        row.save()
        row.components.set([comps[ref] for ref in p.components if ref in comps])
        rows.append(row)
    CertificatePlan.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    return rows


def plan_set_signer(*, plan: CertificatePlan, signer: str) -> CertificatePlan:
    """An operator's choice of signer (e.g. self-signed in a test lab, R6.1); kept on re-derive."""
    if signer not in {choice.value for choice in rules.Signer}:
        raise DeploymentError(_("Unknown signer %(signer)s.") % {"signer": signer})
    if plan.signer != signer:
        plan.signer = signer
        plan.signer_overridden = True
        plan.keypair = plan.signing_request = plan.certificate = None
        plan.save()
    return plan


# --- issuing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueResult:
    basename: str
    status: str  # issued | csr | kept | self-signed
    message: str


_SUBJECT_FIELDS = (
    (NameOID.COUNTRY_NAME, "country"),
    (NameOID.STATE_OR_PROVINCE_NAME, "state"),
    (NameOID.LOCALITY_NAME, "locality"),
    (NameOID.ORGANIZATION_NAME, "organization"),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "organizational_unit"),
)


def _subject(deployment: Deployment, common_name: str) -> x509.Name:
    attrs = [
        make_attribute(oid, getattr(deployment, name))
        for oid, name in _SUBJECT_FIELDS
        if getattr(deployment, name)
    ]
    attrs.append(make_attribute(NameOID.COMMON_NAME, common_name))
    if deployment.email:
        attrs.append(make_attribute(NameOID.EMAIL_ADDRESS, deployment.email))
    return x509.Name(attrs)


def deployment_issue(
    *,
    deployment: Deployment,
    actor: Actor,
    days: int | None = None,
    internal_ca: CertificateAuthority | None = None,
) -> list[IssueResult]:
    """Keys and CSRs for every plan entry; the internal CA signs its own, public ones wait.

    ``days`` defaults per entry to ``rules.default_validity_days``: 397 for internal ones, the
    public TLS limit in force for an entry outside clients must trust (issue 9 item 6).

    Idempotent per plan entry, also when two requests race (a double-click on "Issue
    certificates" left orphan keys and CSRs, issue 9 item 14): the deployment row is locked
    for the whole run, so a second run waits, then finds the first one's keys and certificates
    and keeps them. On SQLite, settings begin transactions IMMEDIATE to the same effect.

    ``internal_ca`` (an active CA) becomes the deployment's internal CA first: the command
    line's ``--ca``, or the only active CA (``ca_sole_active``) when none was chosen.
    """
    with transaction.atomic():
        # Locked before the plan is read: what a waiting run reads is what the first committed.
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        if internal_ca is not None and deployment.internal_ca_id != internal_ca.pk:
            if not internal_ca.is_active:
                raise DeploymentError(
                    _("%(ca)s is not active: choose an active CA.") % {"ca": internal_ca.name}
                )
            deployment.internal_ca = internal_ca
            deployment.save(update_fields=["internal_ca"])
        rows = deployment_plan_sync(deployment=deployment)
        now = timezone.now()
        # Checked before any key is made, so a missing CA never leaves the plan half-issued.
        _check_internal_ca(deployment=deployment, rows=rows, now=now)
        results = []
        for row in rows:
            if row.certificate is not None and row.certificate.not_after > now:
                results.append(IssueResult(row.basename, "kept", _("already issued")))
                continue
            try:
                row_days = days or rules.default_validity_days(
                    public_ca_required=row.public_ca_required, on=now.date()
                )
                results.append(
                    _issue_one(deployment=deployment, row=row, actor=actor, days=row_days)
                )
            except PKIError as exc:
                raise DeploymentError(f"{row.basename}: {exc}") from None
        return results


def _to_issue(row: CertificatePlan, now: Any) -> bool:
    return row.certificate is None or row.certificate.not_after <= now


def _check_internal_ca(*, deployment: Deployment, rows: list[CertificatePlan], now: Any) -> None:
    needs_ca = [r for r in rows if r.signer == rules.Signer.INTERNAL_CA and _to_issue(r, now)]
    if needs_ca and deployment.internal_ca_id is None:
        raise DeploymentError(
            _(
                "%(count)s certificates are for the internal CA but the deployment has none: choose its internal CA first."
            )
            % {"count": len(needs_ca)}
        )


# --- issuing in the background: a job with progress (wizard step 3, API issue/) -----------


def issue_job_start(
    *,
    deployment: Deployment,
    actor: Actor,
    internal_ca: CertificateAuthority | None = None,
) -> IssueJob:
    """Check that the deployment can be issued, then queue ``deployment_issue`` for the worker.

    What would refuse at once (no internal CA, an inactive one) refuses here, before the job
    exists. The task is sent when the transaction commits; a broker that cannot be reached
    ends the job as failed with the reason, never as one that waits for ever.
    """
    with transaction.atomic():
        locked = Deployment.objects.select_for_update().get(pk=deployment.pk)
        if internal_ca is not None:
            if not internal_ca.is_active:
                raise DeploymentError(
                    _("%(ca)s is not active: choose an active CA.") % {"ca": internal_ca.name}
                )
            locked.internal_ca = internal_ca
        rows = deployment_plan_sync(deployment=locked)
        now = timezone.now()
        _check_internal_ca(deployment=locked, rows=rows, now=now)
        job = IssueJob.objects.create(
            deployment=locked,
            internal_ca=internal_ca,
            created_by=actor_user(actor),
            total=sum(1 for r in rows if _to_issue(r, now) and r.keypair_id is None),
        )
        transaction.on_commit(lambda: _issue_job_send(job.pk))
    return job


def _issue_job_send(job_id: int) -> None:
    from . import tasks  # tasks import this module

    try:
        tasks.issue_job_run.delay(job_id)
    except Exception as exc:  # the broker is down: kombu raises its own OperationalError
        IssueJob.objects.filter(pk=job_id).update(
            state=IssueJobState.FAILED,
            finished_at=timezone.now(),
            message=_("The background worker cannot be reached (%(error)s). Try again later.")
            % {"error": type(exc).__name__},
        )


def issue_job_run(*, job_id: int) -> IssueJob:
    """Run a queued job: make the missing keys one by one (counting), then issue.

    Safe to run twice: only the run that moves the job from queued to running does the work.
    Keys are made each in its own short transaction, under a lock on the plan entry, so the
    progress is visible while it runs and ``deployment_issue`` then finds them made.
    """
    claimed = IssueJob.objects.filter(pk=job_id, state=IssueJobState.QUEUED).update(
        state=IssueJobState.RUNNING, started_at=timezone.now()
    )
    job = IssueJob.objects.select_related("deployment", "internal_ca", "created_by").get(pk=job_id)
    if not claimed:
        return job
    actor: Actor = job.created_by or "job"
    try:
        with transaction.atomic():
            rows = deployment_plan_sync(deployment=job.deployment)
        now = timezone.now()
        waiting = [r.pk for r in rows if _to_issue(r, now) and r.keypair_id is None]
        job.total = len(waiting)
        job.save(update_fields=["total"])
        for pk in waiting:
            with transaction.atomic():
                row = CertificatePlan.objects.select_for_update().get(pk=pk)
                if row.keypair_id is None:
                    row.keypair = ca_services.keypair_generate(
                        key_type=row.key_type,
                        label=f"{job.deployment.name}/{row.basename}",
                        actor=actor,
                    )
                    row.signing_request = None
                    row.save(update_fields=["keypair", "signing_request"])
            job.done += 1
            job.save(update_fields=["done"])
        results = deployment_issue(
            deployment=job.deployment, actor=actor, internal_ca=job.internal_ca
        )
    except (DeploymentError, PKIError) as exc:
        job.state, job.message = IssueJobState.FAILED, str(exc)
    else:
        job.state = IssueJobState.DONE
        job.results = [
            {"basename": r.basename, "status": r.status, "message": str(r.message)} for r in results
        ]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "message", "results", "finished_at"])
    return job


def _issue_one(
    *, deployment: Deployment, row: CertificatePlan, actor: Actor, days: int
) -> IssueResult:
    with transaction.atomic():
        keypair = row.keypair
        if keypair is None:
            keypair = row.keypair = ca_services.keypair_generate(
                key_type=row.key_type, label=f"{deployment.name}/{row.basename}", actor=actor
            )
            row.signing_request = None
        if row.signer == rules.Signer.SELF_SIGNED:
            key = ca_services.keypair_private_key(keypair=keypair)
            request = CsrRequest(
                attributes={"cn": row.common_name}, alt_names=classify_names(list(row.san))
            )
            cert = build_self_signed(key, request, days=min(days, 825))
            row.certificate = ca_services.certificate_import(
                pem=cert.public_bytes(serialization.Encoding.PEM),
                source=CertificateSource.SELF_SIGNED,
                key=keypair,
                actor=actor,
            )
            row.save()
            return IssueResult(row.basename, "self-signed", _("self-signed certificate created"))
        csr = row.signing_request
        if csr is None:
            csr = row.signing_request = ca_services.csr_create(
                keypair=keypair,
                subject=_subject(deployment, row.common_name),
                san=classify_names(list(row.san)),
                actor=actor,
            )
        if row.signer == rules.Signer.PUBLIC_CA:
            row.save()
            return IssueResult(
                row.basename,
                "csr",
                _("CSR ready: send it to %(ca)s")
                % {"ca": deployment.public_ca_name or _("the public CA")},
            )
        ca = deployment.internal_ca
        if ca is None:
            # deployment_issue checks this up front for entries without a certificate; an
            # expired one renewed after the deployment lost its internal CA gets here.
            raise DeploymentError(
                _(
                    "%(basename)s is for the internal CA but the deployment has none: choose "
                    "its internal CA first."
                )
                % {"basename": row.basename}
            )
        issued = ca_services.certificate_issue(
            ca=ca, csr=csr, profile=row.profile, days=days, actor=actor
        )
        row.certificate = issued.certificate
        row.save()
    # The CA's warnings (a validity above 398 days, issue 9 item 6) reach the admin here too.
    message = " ".join([_("signed by %(ca)s") % {"ca": ca.name}, *issued.warnings])
    return IssueResult(row.basename, "issued", message)


# --- renewal: the one service the dashboard, the API and the wizard use (issue 12) ------------


@dataclass(frozen=True)
class RenewResult:
    """What renewing did per plan entry, and where the renewed certificate is installed."""

    results: list[IssueResult]
    plans: list[CertificatePlan]


def certificate_renew(
    *, certificate: Certificate, new_key: bool, actor: Actor, days: int | None = None
) -> RenewResult:
    """Renew a certificate in place: every plan entry using it keeps its place in the plan.

    ``new_key=False`` signs the existing CSR again (same key, so the install only swaps the
    certificate); ``new_key=True`` makes a new key and CSR first. An entry for a public CA
    gets its CSR to send (again): the certificate in use stays until the answer is attached,
    unless a new key was made, which the old certificate does not fit. A certificate outside
    any plan that CertDesk's CA signed from a stored CSR is signed again by that CA.
    """
    plans = list(
        CertificatePlan.objects.filter(certificate=certificate)
        .select_related("deployment")
        .order_by("deployment__name", "position")
    )
    if not plans:
        return RenewResult(results=[_resign(certificate, new_key, actor, days)], plans=[])
    results = []
    with transaction.atomic():
        for plan in plans:
            row = (
                CertificatePlan.objects.select_for_update(of=("self",))
                .select_related("deployment__internal_ca", "keypair", "signing_request")
                .get(pk=plan.pk)
            )
            if row.certificate_id != certificate.pk:
                continue  # renewed by someone else meanwhile
            if new_key or row.keypair is None:
                row.keypair = None
                row.signing_request = None
                if row.signer == rules.Signer.PUBLIC_CA:
                    row.certificate = None
            row_days = days or rules.default_validity_days(
                public_ca_required=row.public_ca_required, on=timezone.now().date()
            )
            try:
                results.append(
                    _issue_one(deployment=row.deployment, row=row, actor=actor, days=row_days)
                )
            except PKIError as exc:
                raise DeploymentError(f"{row.basename}: {exc}") from None
    return RenewResult(results=results, plans=plans)


def _resign(certificate: Certificate, new_key: bool, actor: Actor, days: int | None) -> IssueResult:
    if new_key or certificate.issuer_ca is None or certificate.signing_request is None:
        raise DeploymentError(
            _(
                "%(name)s is in no deployment's plan and was not signed here from a stored CSR: "
                "renew it where it was made, or add it to a deployment."
            )
            % {"name": certificate.common_name or certificate.subject}
        )
    try:
        issued = ca_services.certificate_issue(
            ca=certificate.issuer_ca,
            csr=certificate.signing_request,
            profile=certificate.profile,
            days=days or rules.INTERNAL_TLS_DAYS,
            actor=actor,
        )
    except PKIError as exc:
        raise DeploymentError(str(exc)) from None
    message = " ".join(
        [_("signed by %(ca)s") % {"ca": certificate.issuer_ca.name}, *issued.warnings]
    )
    return IssueResult(certificate.common_name, "issued", message)


# --- certificates signed outside CertDesk ------------------------------------------------------

_SOURCE_FOR_SIGNER = {
    rules.Signer.PUBLIC_CA: CertificateSource.PUBLIC,
    rules.Signer.INTERNAL_CA: CertificateSource.IMPORTED,  # e.g. signed by AD CS (R3.12)
    rules.Signer.SELF_SIGNED: CertificateSource.SELF_SIGNED,
}


@dataclass(frozen=True)
class AttachResult:
    """The plan entry with its certificate attached, and what the admin should still know."""

    plan: CertificatePlan
    warnings: list[str]


def plan_attach_certificate(
    *,
    plan: CertificatePlan,
    data: bytes,
    bundle: bytes | None = None,
    issuer_is_trusted_root: bool = False,
    actor: Actor,
) -> AttachResult:
    """Attach what a public CA (or AD CS) returned for a plan entry (SPEC R3.11, R4.3).

    ``data`` is the leaf alone or with its chain, in any order, PEM, DER or PKCS#7; ``bundle``
    the intermediates when they came in a file of their own. The leaf must belong to the
    entry's key and cover its names; the rest becomes the entry's bundle, from the leaf's
    issuer to the root (R1.4). The chain must reach a root CertDesk knows (its own CAs, the
    system's trusted roots), unless ``issuer_is_trusted_root`` says its last issuer is a root
    the clients trust (R1.3; issue 9 item 1). All or nothing.
    """
    certs = certificates_from_bytes(data, _("the certificate file"))
    if bundle:
        certs += certificates_from_bytes(bundle, _("the bundle file"))
    leaf, intermediates = split_chain(certs)
    pem = leaf.public_bytes(serialization.Encoding.PEM)
    facts = rules.certificate_facts(pem)
    keypair = plan.keypair
    if keypair is not None and facts.public_key_sha256 != keypair.public_key_sha256:
        raise DeploymentError(
            _(
                "The certificate %(subject)s does not belong to the key of %(basename)s (the MMP "
                "would say: certificate and key do not match). Attach the certificate the CA "
                "issued for %(basename)s.csr."
            )
            % {"subject": format_name(leaf.subject), "basename": plan.basename}
        )
    names = [facts.common_name, *facts.dns_names]
    missing = [n for n in [plan.common_name, *plan.san] if not rules.names_cover(names, n)]
    if missing:
        raise DeploymentError(
            _(
                "The certificate does not cover %(missing)s, which %(basename)s needs (SPEC R3.4-"
                "R3.7): ask the CA to issue it again from %(basename)s.csr."
            )
            % {"missing": ", ".join(dict.fromkeys(missing)), "basename": plan.basename}
        )
    if facts.not_after <= timezone.now():
        raise DeploymentError(
            _("The certificate expired on %(date)s: attach a current one.")
            % {"date": f"{facts.not_after:%Y-%m-%d}"}
        )
    gap = delivered_chain_gap(leaf, intermediates)
    if gap is not None and not issuer_is_trusted_root:
        raise DeploymentError(_chain_gap_message(plan, leaf, intermediates, gap))
    fingerprint = leaf.fingerprint(hashes.SHA256()).hex()
    with transaction.atomic():
        certificate = Certificate.objects.filter(fingerprint_sha256=fingerprint).first()
        if certificate is None:
            certificate = ca_services.certificate_import(
                pem=pem, source=_SOURCE_FOR_SIGNER[rules.Signer(plan.signer)], key=keypair,
                actor=actor,
            )  # fmt: skip
        plan.certificate = certificate
        plan.bundle_pem = format_bundle(intermediates).decode("ascii") if intermediates else ""
        plan.issuer_is_trusted_root = gap is not None
        plan.save(
            update_fields=["certificate", "bundle_pem", "issuer_is_trusted_root", "updated_at"]
        )
    # Issue 9 item 4: a certificate the component presents as a TLS client needs clientAuth.
    spec = selectors.deployment_spec(deployment=plan.deployment)
    problem = rules.client_auth_finding(spec, selectors.planned_from_row(plan), facts)
    warnings = [f"{problem.problem} {problem.fix}"] if problem is not None else []
    # Issue 14: what pkilint finds in it is said before it is installed (and stays a finding).
    warnings += [
        _("Lint: %(finding)s") % {"finding": finding}
        for finding in ca_selectors.certificate_lint(certificate=certificate)
        if finding.severity in ("FATAL", "ERROR", "WARNING")
    ]
    return AttachResult(plan=plan, warnings=warnings)


def _chain_gap_message(
    plan: CertificatePlan,
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    gap: x509.Name,
) -> str:
    """What is missing from a CA's answer and the two ways to go on (R1.3, R3.11)."""
    given = (
        _("the certificate alone")
        if not intermediates
        else _("the certificate and %(count)s intermediate(s)") % {"count": len(intermediates)}
    )
    return _(
        "The chain of %(basename)s is incomplete: %(given)s stops at the issuer %(issuer)s, "
        "which CertDesk does not know as a root, so %(basename)s_bundle.crt would lack the "
        "intermediate certificates and clients would refuse the certificate (SPEC R1.3). "
        "Attach it again with the CA's chain: --bundle chain.pem on the command line, or the "
        "bundle field on the plan page (most CAs offer it as the 'intermediate', 'chain' or "
        "'CA bundle' download). If %(issuer)s is itself a root that clients trust, say so with "
        "--issuer-is-trusted-root (the checkbox on the plan page)."
    ) % {
        "basename": plan.basename,
        "given": given,
        "issuer": format_name(gap),
    }


# --- files for the servers --------------------------------------------------------------------


@dataclass
class _PlanFiles:
    """What CertDesk holds for a deployment's files: contents by name, and keys on demand.

    Private keys are exported (and audited "key.download") only when a caller asks for one,
    so a single server's folder never records the download of another server's key.
    """

    contents: dict[str, bytes]
    keys: dict[str, Any]
    actor: Actor

    def get(self, name: str) -> bytes | None:
        if name in self.contents:
            return self.contents[name]
        keypair = self.keys.get(name)
        if keypair is None:
            return None
        pem = ca_services.keypair_export(keypair=keypair, password=None, actor=self.actor)
        self.contents[name] = pem
        return pem


def _plan_files(*, deployment: Deployment, actor: Actor) -> _PlanFiles:
    """Every file CertDesk can produce for this deployment, by file name."""
    files: dict[str, bytes] = {}
    keys: dict[str, Any] = {}
    rows = {row.basename: row for row in selectors.plan_rows(deployment=deployment)}
    for row in rows.values():
        certificate = row.certificate
        if certificate is None:
            continue
        files[certificate_file_name(row.basename)] = certificate.pem.strip().encode() + b"\n"
        chain = certificate_chain(certificate=certificate)
        if chain:
            files[bundle_file_name(row.basename)] = format_bundle(chain)  # SPEC R1.4
        elif row.bundle_pem.strip():
            files[bundle_file_name(row.basename)] = row.bundle_pem.strip().encode() + b"\n"
        if row.keypair is not None and row.keypair.has_private_key:
            keys[f"{row.basename}.key"] = row.keypair
    internal = ca_chain(ca=deployment.internal_ca) if deployment.internal_ca is not None else []
    spec = selectors.deployment_spec(deployment=deployment)
    plan = selectors.deployment_plan(deployment=deployment)
    for link in rules.trust_relationships(spec, plan):
        certs: list[x509.Certificate] = []
        complete = True
        for member in link.members:
            if member == rules.INTERNAL_CA_MEMBER:
                certs.extend(internal)
                complete = complete and bool(internal)
            elif member in rows and (member_cert := rows[member].certificate) is not None:
                certs.append(x509.load_pem_x509_certificate(member_cert.pem.encode()))
            else:
                complete = False
        if certs and complete:
            files[link.file_name] = trust_bundle(certs)  # SPEC R4.7.1: no blank lines
    return _PlanFiles(contents=files, keys=keys, actor=actor)


def _why_not_written(upload: rules.UploadFile, rows: dict[str, CertificatePlan]) -> str:
    row = rows.get(upload.source)
    if row is None:
        if upload.kind == "trust":
            return _("a certificate it must hold is not issued yet")
        return _("the deployment has no internal CA")
    if row.certificate_id is None:
        if row.status == PlanStatus.CSR_READY:
            return _(
                "waiting for the outside CA: send csr/%(name)s.csr, then run 'deployment attach'"
            ) % {"name": row.basename}
        return _("not issued yet: run 'deployment issue'")
    if upload.kind == "key":
        return _("its private key is not stored in CertDesk")
    return _("there are no intermediate certificates to bundle")


@dataclass
class ServerFiles:
    """One server's folder: the files its install script uploads, and its install.txt.

    ``files`` holds (name, contents, is_key); ``missing`` each file the script names that
    is not delivered, with the reason why.
    """

    server: str
    install_text: str
    files: list[tuple[str, bytes, bool]]
    missing: list[tuple[str, str]]


@dataclass
class DeploymentFiles:
    """Every server's folder, and the CSRs still waiting for a CA outside CertDesk."""

    servers: list[ServerFiles]
    pending_csrs: list[tuple[str, bytes]]


def deployment_files(
    *,
    deployment: Deployment,
    server: str | None = None,
    include_keys: bool = True,
    actor: Actor = None,
) -> DeploymentFiles:
    """The files each server needs, named as its install script names them.

    The one source of the folders that ``deployment scripts`` writes and of every zip
    (web, wizard and API). With ``include_keys`` false, private keys are left out and
    listed as missing: for users who may not download them.
    """
    names = [s.name for s in deployment.servers.order_by("position", "name")]
    if server is not None:
        if server not in names:
            raise DeploymentError(
                _("No server %(server)s in %(deployment)s; servers: %(names)s.")
                % {"server": server, "deployment": deployment.name, "names": ", ".join(names)}
            )
        names = [server]
    files = _plan_files(deployment=deployment, actor=actor)
    plan_rows = selectors.plan_rows(deployment=deployment)
    rows = {row.basename: row for row in plan_rows}
    result = DeploymentFiles(servers=[], pending_csrs=[])
    for name in names:
        script = selectors.server_install_script(deployment=deployment, server_name=name)
        folder = ServerFiles(server=name, install_text=script.text, files=[], missing=[])
        for upload in script.script.uploads:
            is_key = upload.kind == "key"
            if is_key and not include_keys and upload.name in files.keys:
                folder.missing.append(
                    (upload.name, _("you may not download private keys; ask a CA Admin"))
                )
                continue
            data = files.get(upload.name)
            if data is None:
                folder.missing.append((upload.name, _why_not_written(upload, rows)))
                continue
            folder.files.append((upload.name, data, is_key))
        result.servers.append(folder)
    # R3.1 step 2: the CSRs still waiting for a CA outside CertDesk, ready to send.
    for row in plan_rows:
        if row.status == PlanStatus.CSR_READY and row.signing_request is not None:
            pem = row.signing_request.pem.strip().encode() + b"\n"
            result.pending_csrs.append((f"{row.basename}.csr", pem))
    return result


class WrittenFiles(list[Path]):
    """The files written, and in ``not_written`` each file left out with the reason why."""

    def __init__(self) -> None:
        super().__init__()
        self.not_written: list[tuple[Path, str]] = []


def deployment_scripts_write(
    *, deployment: Deployment, out_dir: Path, server: str | None = None, actor: Actor = None
) -> WrittenFiles:
    """Write, per server, the files to upload (as far as they exist) and install.txt.

    Files the script names but that cannot be written yet are listed in ``not_written``.
    """
    found = deployment_files(deployment=deployment, server=server, actor=actor)
    written = WrittenFiles()
    for folder in found.servers:
        directory = out_dir / folder.server
        directory.mkdir(parents=True, exist_ok=True)
        for name, data, is_key in folder.files:
            path = directory / name
            write_atomic(path, data, 0o600 if is_key else 0o644)
            written.append(path)
        written.not_written.extend((directory / name, why) for name, why in folder.missing)
        path = directory / "install.txt"
        write_atomic(path, folder.install_text.encode())
        written.append(path)
    for name, pem in found.pending_csrs:
        path = out_dir / "csr" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, pem)
        written.append(path)
    return written


MISSING_FILE_NAME = "MISSING.txt"


def _missing_text(folder: ServerFiles) -> str:
    lines = [
        _("install.txt names these files, but this download does not hold them:"),
        "",
    ]
    lines += [f"{name}: {why}" for name, why in folder.missing]
    return "\n".join(lines) + "\n"


def deployment_bundle_zip(
    *,
    deployment: Deployment,
    server: str | None = None,
    include_keys: bool,
    actor: Actor,
) -> bytes:
    """A zip with a folder per server (its files, bundles, trust bundles, keys when
    ``include_keys``, and install.txt) and ``csr/`` with the CSRs still pending.

    The one zip builder behind the web page, the wizard and the REST API. A folder whose
    install.txt names a file the zip does not hold also gets MISSING.txt saying why, so the
    script never names a file silently absent.
    """
    found = deployment_files(
        deployment=deployment, server=server, include_keys=include_keys, actor=actor
    )
    buffer = io.BytesIO()
    # A fixed timestamp keeps the archive's bytes a function of its contents.
    stamp = (1980, 1, 1, 0, 0, 0)

    def add(name: str, data: bytes, mode: int = 0o644) -> None:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (0o100000 | mode) << 16
        archive.writestr(info, data)

    with zipfile.ZipFile(buffer, "w") as archive:
        for folder in found.servers:
            for name, data, is_key in folder.files:
                add(f"{folder.server}/{name}", data, 0o600 if is_key else 0o644)
            add(f"{folder.server}/install.txt", folder.install_text.encode())
            if folder.missing:
                add(f"{folder.server}/{MISSING_FILE_NAME}", _missing_text(folder).encode())
        for name, pem in found.pending_csrs:
            add(f"csr/{name}", pem)
    return buffer.getvalue()


def deployment_zip_name(*, deployment: Deployment, server: str | None = None) -> str:
    """The download's file name: the deployment's name, and the server's for one folder."""
    stem = deployment.name if server is None else f"{deployment.name}-{server}"
    return f"{stem}.zip"

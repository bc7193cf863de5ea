"""Deployment pages: thin views over selectors and services; permissions checked server-side."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from certauthority.pki.errors import PKIError
from core.permissions import RequirePermission

from . import rules, selectors, services
from .forms import ComponentForm, DeploymentForm, PlanCertificateForm, PlanSignerForm, ServerForm
from .models import CertificatePlan, Component, Deployment, IssueJob, Server


def _deployment(pk: int) -> Deployment:
    """The deployment of the URL; the selector's ``DoesNotExist`` becomes a 404 here."""
    try:
        return selectors.deployment_get(pk=pk)
    except Deployment.DoesNotExist:
        raise Http404(_("No such deployment.")) from None


def _redirect_detail(deployment_pk: int):
    return redirect("deployments:detail", pk=deployment_pk)


class DeploymentListView(RequirePermission, View):
    permission_required = "deployments.view_deployment"

    def get(self, request):
        return render(
            request,
            "deployments/list.html",
            {"deployments": selectors.deployment_list()},
        )


class KnowledgeView(RequirePermission, View):
    """What CertDesk knows of each component kind: the recipes of a knowledge pack."""

    permission_required = "deployments.view_deployment"

    def get(self, request, pack: str = rules.DEFAULT_PACK):
        try:
            knowledge, recipes = selectors.knowledge_pack_page(name=pack)
        except KeyError:
            raise Http404(_("No such knowledge pack.")) from None
        return render(
            request,
            "deployments/knowledge.html",
            {"pack": knowledge, "recipes": recipes, "packs": rules.pack_names()},
        )


class DeploymentDetailView(RequirePermission, View):
    permission_required = "deployments.view_deployment"

    def get(self, request, pk: int):
        deployment = _deployment(pk)
        spec = selectors.deployment_spec(deployment=deployment)
        servers = selectors.deployment_servers(deployment=deployment)
        # A new deployment has no servers yet: that is the next step, not an error (item 16).
        empty = not spec.servers
        return render(
            request,
            "deployments/detail.html",
            {
                "deployment": deployment,
                "servers": servers,
                "topology_findings": [] if empty else rules.validate_topology(spec),
                "next_step": empty,
            },
        )


class _FormView(RequirePermission, View):
    template_name = "deployments/form.html"

    def render_form(self, request, form, *, title: str, deployment=None, cancel_url: str = ""):
        return render(
            request,
            self.template_name,
            {"form": form, "title": title, "deployment": deployment, "cancel_url": cancel_url},
        )

    def save(self, request, form, service, **kwargs):
        """Run the save service; a database rule broken by the input becomes a form error."""
        try:
            return service(**kwargs)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        except (IntegrityError, services.DeploymentError) as exc:
            form.add_error(None, _("Not saved: %(error)s") % {"error": exc})
        return None


class DeploymentCreateView(_FormView):
    permission_required = "deployments.add_deployment"
    template_name = "deployments/deployment_form.html"

    def get(self, request):
        return self.render_form(request, DeploymentForm(), title=_("New deployment"))

    def post(self, request):
        form = DeploymentForm(request.POST)
        if form.is_valid():
            deployment = self.save(
                request, form, services.deployment_save, deployment=form.save(commit=False)
            )
            if deployment:
                messages.success(request, _("Deployment %(name)s created.") % {"name": deployment})
                return _redirect_detail(deployment.pk)
        return self.render_form(request, form, title=_("New deployment"))


class DeploymentEditView(_FormView):
    permission_required = "deployments.change_deployment"
    template_name = "deployments/deployment_form.html"

    def get(self, request, pk: int):
        deployment = _deployment(pk)
        return self.render_form(
            request,
            DeploymentForm(instance=deployment),
            title=_("Edit %(name)s") % {"name": deployment.name},
            deployment=deployment,
        )

    def post(self, request, pk: int):
        deployment = _deployment(pk)
        form = DeploymentForm(request.POST, instance=deployment)
        if form.is_valid() and self.save(
            request, form, services.deployment_save, deployment=form.save(commit=False)
        ):
            messages.success(request, _("Deployment saved; its plan was derived again."))
            return _redirect_detail(deployment.pk)
        return self.render_form(
            request,
            form,
            title=_("Edit %(name)s") % {"name": deployment.name},
            deployment=deployment,
        )


class ServerEditView(_FormView):
    """Add a server (no server_pk) or edit one."""

    def get_permission_required(self):
        if "server_pk" in self.kwargs:
            return ("deployments.change_server",)
        return ("deployments.add_server",)

    def _objects(self, pk: int, server_pk: int | None):
        deployment = _deployment(pk)
        server = (
            get_object_or_404(Server, pk=server_pk, deployment=deployment) if server_pk else None
        )
        return deployment, server

    def get(self, request, pk: int, server_pk: int | None = None):
        deployment, server = self._objects(pk, server_pk)
        form = ServerForm(instance=server, deployment=deployment)
        return self.render_form(request, form, title=_("Server"), deployment=deployment)

    def post(self, request, pk: int, server_pk: int | None = None):
        deployment, server = self._objects(pk, server_pk)
        form = ServerForm(request.POST, instance=server, deployment=deployment)
        if form.is_valid() and self.save(
            request, form, services.server_save, server=form.save(commit=False)
        ):
            messages.success(request, _("Server saved."))
            return _redirect_detail(deployment.pk)
        return self.render_form(request, form, title=_("Server"), deployment=deployment)


def _confirmed(request) -> bool:
    """A destructive POST acts only with the confirmation page's ``confirm`` field."""
    return request.POST.get("confirm") == "yes"


class ServerDeleteView(RequirePermission, View):
    """GET: what deleting the server loses; POST from that page: delete it (issue 10 item 11)."""

    permission_required = "deployments.delete_server"

    def _server(self, pk: int, server_pk: int) -> tuple[Deployment, Server]:
        deployment = _deployment(pk)
        return deployment, get_object_or_404(Server, pk=server_pk, deployment=deployment)

    def get(self, request, pk: int, server_pk: int):
        deployment, server = self._server(pk, server_pk)
        impact = services.server_delete_impact(server=server)
        context = {
            "deployment": deployment,
            "title": _("Delete server %(server)s?") % {"server": server.name},
            "impact": impact,
            "button": _("Delete the server"),
        }
        return render(request, "deployments/delete_confirm.html", context)

    def post(self, request, pk: int, server_pk: int):
        deployment, server = self._server(pk, server_pk)
        if not _confirmed(request):
            return redirect(request.path)
        try:
            services.server_delete(server=server, actor=request.user)
        except services.DeploymentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Server deleted."))
        return _redirect_detail(deployment.pk)


class ComponentEditView(_FormView):
    """Add a component to a server (no component_pk) or edit one.

    Issue 10 item 13: adding is two steps that work without JavaScript: choose the kind
    (``?kind=`` in the URL), then a form with that kind's fields only (from its recipe).
    """

    template_name = "deployments/component_form.html"

    def get_permission_required(self):
        if "component_pk" in self.kwargs:
            return ("deployments.change_component",)
        return ("deployments.add_component",)

    def _objects(self, pk: int, server_pk: int, component_pk: int | None):
        deployment = _deployment(pk)
        server = get_object_or_404(Server, pk=server_pk, deployment=deployment)
        component = (
            get_object_or_404(Component, pk=component_pk, server=server) if component_pk else None
        )
        return deployment, server, component

    def _choose_kind(self, request, deployment, server, *, unknown: str = ""):
        return render(
            request,
            "deployments/component_kind.html",
            {
                "deployment": deployment,
                "server": server,
                "kinds": selectors.server_component_kinds(server=server),
                "unknown": unknown,
            },
            status=400 if unknown else 200,
        )

    def _render(self, request, form, deployment, server, component):
        title = (_("%(kind)s on %(server)s") if component else _("New %(kind)s on %(server)s")) % {
            "kind": form.kind_label,
            "server": server.name,
        }
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "title": title,
                "deployment": deployment,
                "server": server,
                "component": component,
                "kinds": [] if component else selectors.server_component_kinds(server=server),
            },
        )

    def _kind(self, request, component) -> str:
        if component is not None:
            return component.kind
        return request.GET.get("kind") or request.POST.get("kind", "")

    def get(self, request, pk: int, server_pk: int, component_pk: int | None = None):
        deployment, server, component = self._objects(pk, server_pk, component_pk)
        kind = self._kind(request, component)
        if not kind:
            return self._choose_kind(request, deployment, server)
        try:
            form = ComponentForm(instance=component, server=server, kind=kind)
        except ValueError:
            return self._choose_kind(request, deployment, server, unknown=kind)
        return self._render(request, form, deployment, server, component)

    def post(self, request, pk: int, server_pk: int, component_pk: int | None = None):
        deployment, server, component = self._objects(pk, server_pk, component_pk)
        kind = self._kind(request, component)
        try:
            form = ComponentForm(request.POST, instance=component, server=server, kind=kind)
        except ValueError:
            return self._choose_kind(request, deployment, server, unknown=kind or "—")
        if form.is_valid() and self.save(
            request,
            form,
            services.component_save,
            component=form.save(commit=False),
            points_at=form.new_target(),
        ):
            messages.success(request, _("Component saved."))
            return _redirect_detail(deployment.pk)
        return self._render(request, form, deployment, server, component)


class ComponentDeleteView(RequirePermission, View):
    """GET: what deleting the component loses; POST from that page: delete it."""

    permission_required = "deployments.delete_component"

    def _component(self, pk: int, server_pk: int, component_pk: int):
        deployment = _deployment(pk)
        component = get_object_or_404(
            Component.objects.select_related("server"),
            pk=component_pk,
            server__pk=server_pk,
            deployment=deployment,
        )
        return deployment, component

    def get(self, request, pk: int, server_pk: int, component_pk: int):
        deployment, component = self._component(pk, server_pk, component_pk)
        context = {
            "deployment": deployment,
            "title": _("Delete component %(component)s?") % {"component": component},
            "impact": services.component_delete_impact(component=component),
            "button": _("Delete the component"),
        }
        return render(request, "deployments/delete_confirm.html", context)

    def post(self, request, pk: int, server_pk: int, component_pk: int):
        deployment, component = self._component(pk, server_pk, component_pk)
        if not _confirmed(request):
            return redirect(request.path)
        try:
            services.component_delete(component=component, actor=request.user)
            messages.success(request, _("Component deleted."))
        except services.DeploymentError as exc:
            messages.error(request, str(exc))
        return _redirect_detail(deployment.pk)


class PlanView(RequirePermission, View):
    permission_required = "deployments.view_certificateplan"

    def get(self, request, pk: int):
        page = selectors.plan_page(deployment=_deployment(pk))
        entries = [
            (e.row, e.obtain, e.reason, PlanCertificateForm(prefix=f"attach-{e.row.pk}"))
            for e in page.entries
        ]
        return render(
            request,
            "deployments/plan.html",
            {
                "deployment": page.deployment,
                "entries": entries,
                "trust": selectors.trust_rows(page=page),
            },
        )


ISSUE_STATUSES = ("issued", "csr", "self-signed", "kept")


class PlanIssueView(RequirePermission, View):
    """Generate the keys and CSRs of the plan and have the internal CA sign its share (R3.1)."""

    permission_required = ("certauthority.generate_key", "certauthority.sign_certificate")

    def post(self, request, pk: int):
        deployment = _deployment(pk)
        try:
            results = services.deployment_issue(deployment=deployment, actor=request.user)
        except (services.DeploymentError, PKIError) as exc:
            messages.error(request, str(exc))
        else:
            done = {status: sum(r.status == status for r in results) for status in ISSUE_STATUSES}
            messages.success(
                request,
                _(
                    "%(issued)d signed by the internal CA, %(csr)d CSRs waiting for the public "
                    "CA, %(selfsigned)d self-signed, %(kept)d unchanged."
                )
                % {
                    "issued": done["issued"],
                    "csr": done["csr"],
                    "selfsigned": done["self-signed"],
                    "kept": done["kept"],
                },
            )
        return redirect("deployments:plan", pk=deployment.pk)


class PlanCsrView(RequirePermission, View):
    """The CSR of a plan entry, to send to the public CA (R3.1 step 2, R3.11)."""

    permission_required = ("deployments.view_certificateplan", "certauthority.download_certificate")

    def get(self, request, pk: int, plan_pk: int):
        deployment = _deployment(pk)
        plan = get_object_or_404(CertificatePlan, pk=plan_pk, deployment=deployment)
        if plan.signing_request is None:
            raise Http404(_("This entry has no CSR yet: issue the plan first."))
        response = HttpResponse(
            plan.signing_request.pem.strip() + "\n", content_type="application/pkcs10"
        )
        response["Content-Disposition"] = f'attachment; filename="{plan.basename}.csr"'
        return response


class PlanAttachView(RequirePermission, View):
    """Attach the certificate a CA outside CertDesk returned for a plan entry (R3.11, R4.3)."""

    permission_required = ("certauthority.upload_certificate", "deployments.change_certificateplan")

    def post(self, request, pk: int, plan_pk: int):
        deployment = _deployment(pk)
        plan = get_object_or_404(CertificatePlan, pk=plan_pk, deployment=deployment)
        form = PlanCertificateForm(request.POST, request.FILES, prefix=f"attach-{plan.pk}")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"{plan.basename}: {error}")
            return redirect("deployments:plan", pk=deployment.pk)
        try:
            result = services.plan_attach_certificate(
                plan=plan,
                data=form.cleaned_data["certificate"],
                bundle=form.cleaned_data.get("bundle"),
                issuer_is_trusted_root=form.cleaned_data.get("issuer_is_trusted_root", False),
                actor=request.user,
            )
        except (services.DeploymentError, PKIError) as exc:
            messages.error(request, f"{plan.basename}: {exc}")
        else:
            messages.success(
                request,
                _("%(basename)s: certificate attached; its files are in the install scripts.")
                % {"basename": plan.basename},
            )
            for warning in result.warnings:
                messages.warning(request, f"{plan.basename}: {warning}")
        return redirect("deployments:plan", pk=deployment.pk)


class PlanEditView(_FormView):
    permission_required = "deployments.change_certificateplan"

    def _objects(self, pk: int, plan_pk: int):
        deployment = _deployment(pk)
        return deployment, get_object_or_404(CertificatePlan, pk=plan_pk, deployment=deployment)

    def get(self, request, pk: int, plan_pk: int):
        deployment, plan = self._objects(pk, plan_pk)
        return self.render_form(
            request, PlanSignerForm(instance=plan), title=plan.basename, deployment=deployment
        )

    def post(self, request, pk: int, plan_pk: int):
        deployment, plan = self._objects(pk, plan_pk)
        form = PlanSignerForm(request.POST, instance=CertificatePlan.objects.get(pk=plan.pk))
        if form.is_valid():
            services.plan_set_signer(plan=plan, signer=form.cleaned_data["signer"])
            messages.success(request, _("Signer changed."))
            return redirect("deployments:plan", pk=deployment.pk)
        return self.render_form(request, form, title=plan.basename, deployment=deployment)


class FindingsView(RequirePermission, View):
    permission_required = "deployments.view_deployment"

    def get(self, request, pk: int):
        deployment = _deployment(pk)
        findings = selectors.deployment_findings(deployment=deployment)
        return render(
            request,
            "deployments/findings.html",
            {
                "deployment": deployment,
                "findings": findings,
                "has_errors": rules.has_errors(findings),
            },
        )


class ServerScriptView(RequirePermission, View):
    permission_required = "deployments.view_server"

    def get(self, request, pk: int, server_pk: int):
        deployment = _deployment(pk)
        server = get_object_or_404(Server, pk=server_pk, deployment=deployment)
        try:
            result = selectors.server_install_script(deployment=deployment, server_name=server.name)
        except PKIError as exc:  # a stored value the script cannot carry (issue 9 item 8)
            messages.error(request, str(exc))
            return _redirect_detail(deployment.pk)
        return render(
            request,
            "deployments/script.html",
            {
                "deployment": deployment,
                "server": server,
                "script": result.script,
                "text": result.text,
            },
        )


class DeploymentZipView(RequirePermission, View):
    """The deployment's files as one zip (a folder per server), or one server's folder.

    GET leaves private keys out (and says so in each folder's MISSING.txt). A POST with
    ``keys=yes`` puts them in, for a user who may download keys; each key is audited.
    """

    permission_required = ("deployments.view_server", "certauthority.download_certificate")

    def get(self, request, pk: int, server_pk: int | None = None):
        return self._zip(request, pk, server_pk, include_keys=False)

    def post(self, request, pk: int, server_pk: int | None = None):
        if request.POST.get("keys") != "yes":
            return HttpResponse(
                _("Say keys=yes to include the private keys, or download without them."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        if not request.user.has_perm("certauthority.download_private_key"):
            raise PermissionDenied
        return self._zip(request, pk, server_pk, include_keys=True)

    def _zip(self, request, pk: int, server_pk: int | None, *, include_keys: bool):
        deployment = _deployment(pk)
        server = None
        if server_pk is not None:
            server = get_object_or_404(Server, pk=server_pk, deployment=deployment).name
        try:
            data = services.deployment_bundle_zip(
                deployment=deployment,
                server=server,
                include_keys=include_keys,
                actor=request.user,
            )
        except PKIError as exc:  # a stored value the script cannot carry (issue 9 item 8)
            messages.error(request, str(exc))
            return _redirect_detail(deployment.pk)
        name = services.deployment_zip_name(deployment=deployment, server=server)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class IssueJobStatusView(RequirePermission, View):
    """A background issue job's progress, as JSON for the page that polls it."""

    permission_required = "deployments.view_deployment"

    def get(self, request, pk: int, job_pk: int):
        job = get_object_or_404(IssueJob, pk=job_pk, deployment_id=pk)
        return JsonResponse(selectors.issue_job_status(job=job))

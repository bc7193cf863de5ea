"""The REST API (issue 13): thin views over the same services and selectors as the pages.

Writes go through the web's Django forms and save services, so the API refuses what a page
refuses; files come from the same builders (deployment_bundle_zip, format_bundle, PKCS#12).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from certauthority import selectors as ca_selectors
from certauthority import services as ca_services
from certauthority.forms import CertificateFilterForm, CsrInputForm, SignForm
from certauthority.models import Certificate, CertificateAuthority
from certauthority.pki.bundle import format_bundle
from certauthority.pki.errors import PKIError
from certauthority.pki.files import bundle_file_name, certificate_file_name, file_stem
from certauthority.pki.material import CheckResult
from core.forms import InspectForm, MatchForm, VerifyForm
from core.services import tool_check
from deployments import rules, selectors, services
from deployments.forms import ComponentForm, DeploymentForm, ServerForm, component_fields
from deployments.models import Component, Deployment, IssueJob, Server
from expiry.selectors import expiry_dashboard

from . import serializers as s

VIEW_DEPLOYMENT = ("deployments.view_deployment",)
ERRORS = {400: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer}


@method_decorator(login_not_required, name="dispatch")
class ApiView(APIView):
    """Every endpoint: DRF authenticates (token or session) and RolePermission checks ``perms``."""

    perms: dict[str, tuple[str, ...]] = {}


def _list_text(value: Any) -> Any:
    """The forms read lists as comma-separated text (``b:5222,lo:5222``)."""
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return "" if value is None else value


def _form_data(request, instance, fields, partial: bool) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ValidationError({"detail": _("Send a JSON object.")})
    data: dict[str, Any] = {}
    if partial and instance is not None and instance.pk:
        data = {k: _list_text(v) for k, v in model_to_dict(instance, fields=fields).items()}
    data.update({k: _list_text(v) for k, v in request.data.items()})
    return data


def _refused(form) -> ValidationError:
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    first = next(iter(errors.values()), [_("The input was refused.")])[0]
    return ValidationError({"detail": first, "errors": errors})


def _save(form, service, **arguments):
    """Validate the form, then run the save service in one transaction (nothing half-saved).

    An argument given as a callable is called with the valid form (``form.save(False)``)."""
    if not form.is_valid():
        raise _refused(form)
    try:
        with transaction.atomic():
            values = {k: v(form) if callable(v) else v for k, v in arguments.items()}
            return service(**values)
    except services.DeploymentError as exc:
        raise ValidationError({"detail": str(exc)}) from None


def _deployment(pk: int) -> Deployment:
    return get_object_or_404(Deployment, pk=pk)


# --- deployments, servers, components -----------------------------------------------------------


class DeploymentList(ApiView):
    perms = {"GET": VIEW_DEPLOYMENT, "POST": ("deployments.add_deployment",)}

    @extend_schema(responses=s.DeploymentSerializer(many=True))
    def get(self, request):
        rows = selectors.deployment_list().prefetch_related("servers")
        return Response(s.DeploymentSerializer(rows, many=True).data)

    @extend_schema(
        request=s.DeploymentWriteSerializer, responses={201: s.DeploymentSerializer, **ERRORS}
    )
    def post(self, request):
        form = DeploymentForm(_form_data(request, None, s.DEPLOYMENT_FORM_FIELDS, False))
        deployment = _save(form, services.deployment_save, deployment=lambda f: f.save(False))
        return Response(s.DeploymentSerializer(deployment).data, status=status.HTTP_201_CREATED)


class DeploymentDetail(ApiView):
    perms = {
        "GET": VIEW_DEPLOYMENT,
        "PUT": ("deployments.change_deployment",),
        "PATCH": ("deployments.change_deployment",),
    }

    @extend_schema(responses={200: s.DeploymentSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.DeploymentSerializer(_deployment(pk)).data)

    @extend_schema(
        request=s.DeploymentWriteSerializer, responses={200: s.DeploymentSerializer, **ERRORS}
    )
    def put(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=s.DeploymentWriteSerializer, responses={200: s.DeploymentSerializer, **ERRORS}
    )
    def patch(self, request, pk: int):
        return self._update(request, pk, partial=True)

    def _update(self, request, pk: int, *, partial: bool):
        deployment = _deployment(pk)
        data = _form_data(request, deployment, s.DEPLOYMENT_FORM_FIELDS, partial)
        form = DeploymentForm(data, instance=deployment)
        saved = _save(form, services.deployment_save, deployment=lambda f: f.save(False))
        return Response(s.DeploymentSerializer(saved).data)


class ServerList(ApiView):
    perms = {"GET": ("deployments.view_server",), "POST": ("deployments.add_server",)}

    @extend_schema(responses=s.ServerSerializer(many=True))
    def get(self, request, pk: int):
        deployment = _deployment(pk)
        rows = selectors.deployment_servers(deployment=deployment).prefetch_related("components")
        return Response(s.ServerSerializer(rows, many=True).data)

    @extend_schema(request=s.ServerWriteSerializer, responses={201: s.ServerSerializer, **ERRORS})
    def post(self, request, pk: int):
        deployment = _deployment(pk)
        data = _form_data(request, None, s.SERVER_FORM_FIELDS, False)
        form = ServerForm(data, deployment=deployment)
        server = _save(form, services.server_save, server=lambda f: f.save(False))
        return Response(s.ServerSerializer(server).data, status=status.HTTP_201_CREATED)


def _server(pk: int, server_pk: int) -> Server:
    return get_object_or_404(
        Server.objects.select_related("deployment"), pk=server_pk, deployment_id=pk
    )


class ServerDetail(ApiView):
    perms = {
        "GET": ("deployments.view_server",),
        "PUT": ("deployments.change_server",),
        "PATCH": ("deployments.change_server",),
    }

    @extend_schema(responses={200: s.ServerSerializer, **ERRORS})
    def get(self, request, pk: int, server_pk: int):
        return Response(s.ServerSerializer(_server(pk, server_pk)).data)

    @extend_schema(request=s.ServerWriteSerializer, responses={200: s.ServerSerializer, **ERRORS})
    def put(self, request, pk: int, server_pk: int):
        return self._update(request, pk, server_pk, partial=False)

    @extend_schema(request=s.ServerWriteSerializer, responses={200: s.ServerSerializer, **ERRORS})
    def patch(self, request, pk: int, server_pk: int):
        return self._update(request, pk, server_pk, partial=True)

    def _update(self, request, pk: int, server_pk: int, *, partial: bool):
        server = _server(pk, server_pk)
        data = _form_data(request, server, s.SERVER_FORM_FIELDS, partial)
        form = ServerForm(data, instance=server, deployment=server.deployment)
        saved = _save(form, services.server_save, server=lambda f: f.save(False))
        return Response(s.ServerSerializer(saved).data)


def _component_form(request, server: Server, component: Component | None, partial: bool):
    if not isinstance(request.data, dict):
        raise ValidationError({"detail": _("Send a JSON object.")})
    kind = component.kind if component else str(request.data.get("kind", "") or "")
    recipe = rules.get_pack(server.deployment.knowledge_pack).recipe(kind)
    if recipe is None:
        raise ValidationError(
            {
                "detail": _(
                    "Unknown component kind “%(kind)s”: choose one of the knowledge pack's."
                )
                % {"kind": kind}
            }
        )
    data = _form_data(request, component, ["kind", *component_fields(recipe)], partial)
    data.setdefault("kind", kind)
    return ComponentForm(data, instance=component, server=server, kind=kind)


def _component_save(form) -> Component:
    return _save(
        form,
        services.component_save,
        component=lambda f: f.save(commit=False),
        points_at=lambda f: f.new_target(),
    )


class ComponentList(ApiView):
    perms = {"GET": ("deployments.view_component",), "POST": ("deployments.add_component",)}

    @extend_schema(responses=s.ComponentSerializer(many=True))
    def get(self, request, pk: int, server_pk: int):
        server = _server(pk, server_pk)
        return Response(
            s.ComponentSerializer(server.components.order_by("position", "pk"), many=True).data
        )

    @extend_schema(
        request=s.ComponentWriteSerializer, responses={201: s.ComponentSerializer, **ERRORS}
    )
    def post(self, request, pk: int, server_pk: int):
        form = _component_form(request, _server(pk, server_pk), None, False)
        component = _component_save(form)
        return Response(s.ComponentSerializer(component).data, status=status.HTTP_201_CREATED)


class ComponentDetail(ApiView):
    perms = {
        "GET": ("deployments.view_component",),
        "PUT": ("deployments.change_component",),
        "PATCH": ("deployments.change_component",),
    }

    def _component(self, pk: int, server_pk: int, component_pk: int) -> Component:
        server = _server(pk, server_pk)
        return get_object_or_404(Component, pk=component_pk, server=server)

    @extend_schema(responses={200: s.ComponentSerializer, **ERRORS})
    def get(self, request, pk: int, server_pk: int, component_pk: int):
        return Response(s.ComponentSerializer(self._component(pk, server_pk, component_pk)).data)

    @extend_schema(
        request=s.ComponentWriteSerializer, responses={200: s.ComponentSerializer, **ERRORS}
    )
    def put(self, request, pk: int, server_pk: int, component_pk: int):
        return self._update(request, pk, server_pk, component_pk, partial=False)

    @extend_schema(
        request=s.ComponentWriteSerializer, responses={200: s.ComponentSerializer, **ERRORS}
    )
    def patch(self, request, pk: int, server_pk: int, component_pk: int):
        return self._update(request, pk, server_pk, component_pk, partial=True)

    def _update(self, request, pk, server_pk, component_pk, *, partial: bool):
        component = self._component(pk, server_pk, component_pk)
        form = _component_form(request, component.server, component, partial)
        return Response(s.ComponentSerializer(_component_save(form)).data)


# --- a deployment's plan, findings, issuing and files -------------------------------------------


class DeploymentPlan(ApiView):
    perms = {"GET": ("deployments.view_certificateplan",)}

    @extend_schema(responses={200: s.PlanSerializer, **ERRORS})
    def get(self, request, pk: int):
        deployment = _deployment(pk)
        services.deployment_plan_sync(deployment=deployment)
        page = selectors.plan_page(deployment=deployment)
        entries = []
        for entry in page.entries:
            data = s.PlanEntrySerializer(entry.row).data
            data.update(reason=entry.reason, obtain=list(entry.obtain))
            entries.append(data)
        trust = s.TrustLinkSerializer(page.trust, many=True).data
        return Response({"entries": entries, "trust": trust})


class DeploymentFindings(ApiView):
    perms = {"GET": VIEW_DEPLOYMENT}

    @extend_schema(responses={200: s.FindingSerializer(many=True), **ERRORS})
    def get(self, request, pk: int):
        findings = selectors.deployment_findings(deployment=_deployment(pk))
        return Response(s.FindingSerializer(findings, many=True).data)


def _job_data(request, job: IssueJob) -> dict[str, Any]:
    data = selectors.issue_job_status(job=job)
    data["url"] = request.build_absolute_uri(
        reverse("api:deployment-job", args=[job.deployment_id, job.pk])
    )
    return data


class DeploymentIssue(ApiView):
    """Queue issuing for the worker and answer at once with the job to poll (202)."""

    perms = {"POST": ("certauthority.generate_key", "certauthority.sign_certificate")}

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("ca", int, description="The internal CA to use (its id).")],
        responses={202: s.IssueJobSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        deployment = _deployment(pk)
        ca = None
        ca_id = str(
            request.query_params.get("ca")
            or (request.data.get("ca") if isinstance(request.data, dict) else None)
            or ""
        )
        if ca_id:
            if not ca_id.isascii() or not ca_id.isdigit():
                raise ValidationError({"detail": _("ca is the id of a CA, a number.")})
            ca = CertificateAuthority.objects.filter(pk=int(ca_id)).first()
            if ca is None:
                raise ValidationError({"detail": _("There is no CA with the id %s.") % ca_id})
        try:
            job = services.issue_job_start(
                deployment=deployment, actor=request.user, internal_ca=ca
            )
        except services.DeploymentError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        job.refresh_from_db()
        data = _job_data(request, job)
        response = Response(data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = str(data["url"])
        return response


class DeploymentJob(ApiView):
    perms = {"GET": VIEW_DEPLOYMENT}

    @extend_schema(responses={200: s.IssueJobSerializer, **ERRORS})
    def get(self, request, pk: int, job_pk: int):
        job = get_object_or_404(IssueJob, pk=job_pk, deployment_id=pk)
        return Response(_job_data(request, job))


def _attachment(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


ZIP_RESPONSE: dict[Any, Any] = {
    (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip."),
    **ERRORS,
}


class DeploymentZip(ApiView):
    """GET: the files without keys. POST ``{"keys": true}``: with the keys (CA Admin, audited).

    The same zip as the web and the wizard (services.deployment_bundle_zip): a folder per
    server, its install.txt, and MISSING.txt for what cannot be delivered yet.
    """

    perms = {
        "GET": ("deployments.view_server", "certauthority.download_certificate"),
        "POST": ("deployments.view_server", "certauthority.download_certificate"),
    }
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses=ZIP_RESPONSE)
    def get(self, request, pk: int, server_pk: int | None = None):
        return self._zip(request, pk, server_pk, include_keys=False)

    @extend_schema(request=None, responses=ZIP_RESPONSE)
    def post(self, request, pk: int, server_pk: int | None = None):
        keys = request.data.get("keys") if isinstance(request.data, dict) else None
        if keys not in (True, "true", "yes", "1"):
            raise ValidationError(
                {"detail": _("Send keys=true to include the private keys, or GET without them.")}
            )
        if not request.user.has_perm("certauthority.download_private_key"):
            return Response(
                {"detail": _("Only a CA Admin may download private keys.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        return self._zip(request, pk, server_pk, include_keys=True)

    def _zip(self, request, pk: int, server_pk: int | None, *, include_keys: bool):
        deployment = _deployment(pk)
        server = _server(pk, server_pk).name if server_pk is not None else None
        data = services.deployment_bundle_zip(
            deployment=deployment, server=server, include_keys=include_keys, actor=request.user
        )
        name = services.deployment_zip_name(deployment=deployment, server=server)
        response = _attachment(data, name, "application/zip")
        if include_keys:
            response["Cache-Control"] = "no-store"
        return response


# --- CAs and signing ------------------------------------------------------------------------------


class CAList(ApiView):
    perms = {"GET": ("certauthority.view_certificateauthority",)}

    @extend_schema(responses=s.CertificateAuthoritySerializer(many=True))
    def get(self, request):
        rows = ca_selectors.ca_list().select_related("certificate", "parent")
        return Response(s.CertificateAuthoritySerializer(rows, many=True).data)


class CADetail(ApiView):
    perms = {"GET": ("certauthority.view_certificateauthority",)}

    @extend_schema(responses={200: s.CertificateAuthoritySerializer, **ERRORS})
    def get(self, request, pk: int):
        ca: CertificateAuthority = get_object_or_404(
            CertificateAuthority.objects.select_related("certificate"), pk=pk
        )
        return Response(s.CertificateAuthoritySerializer(ca).data)


class CASign(ApiView):
    """Sign a CSR: the same checks and service as the web's Sign page (R3.4, R3.9)."""

    perms = {"POST": ("certauthority.sign_certificate",)}
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=s.SignRequestSerializer, responses={201: s.SignResponseSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        ca = get_object_or_404(CertificateAuthority, pk=pk)
        options = s.SignOptionsSerializer(data=request.data)
        if not options.is_valid():
            raise ValidationError(_drf_errors(options.errors))
        data = options.validated_data
        # The CSR as text (JSON or a form field) or as an uploaded file (curl -F csr=@x.csr),
        # read and checked by the Sign page's own form: size limit, PEM or DER (R3.2).
        upload = request.FILES.get("csr")
        text = "" if upload is not None else request.data.get("csr", "")
        if not isinstance(text, str):
            raise ValidationError({"detail": _("csr is the CSR in PEM, as text.")})
        files = MultiValueDict({"csr_file": [upload]} if upload is not None else {})
        csr_form = CsrInputForm({"csr_text": text}, files)
        if not csr_form.is_valid():
            raise _refused(csr_form)
        preview = csr_form.cleaned_data["preview"]
        san = data.get("san")
        form = SignForm(
            {
                "csr_pem": preview.pem,
                "ca": ca.pk,
                "profile": data["profile"],
                "days": data["days"],
                "san": "\n".join(preview.suggested_san if san is None else san),
                "force": data["force"],
            }
        )
        if not form.is_valid():  # the Sign page's own checks (an inactive CA, the SAN list)
            raise _refused(form)
        checked = form.cleaned_data
        issued = ca_services.certificate_issue(
            ca=ca,
            csr=preview.csr,
            profile=checked["profile"],
            days=checked["days"],
            san=checked["san"],
            force=checked["force"],
            actor=request.user,
        )
        certificate = issued.certificate
        warnings = [str(w) for w in issued.warnings]
        if data["profile"] == "client":
            warnings += [str(w) for w in preview.client_profile_warnings]
        chain = ca_selectors.certificate_chain(certificate=certificate)
        body = {
            "id": certificate.pk,
            "certificate": certificate.pem,
            "chain": format_bundle(chain).decode(),
            "warnings": warnings,
        }
        return Response(body, status=status.HTTP_201_CREATED)


def _drf_errors(errors) -> dict[str, Any]:
    flat = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()}
    first = next(iter(flat.items()), ("", [_("The input was refused.")]))
    return {"detail": f"{first[0]}: {first[1][0]}" if first[0] else first[1][0], "errors": flat}


# --- certificates ------------------------------------------------------------------------------------


class CertificatePagination(CursorPagination):
    """Keyset pages (newest first), so the last page costs what the first does (issue 10)."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


CERTIFICATE_FILTERS = [
    OpenApiParameter("deployment", int, description="Used by this deployment's plan."),
    OpenApiParameter("ca", int, description="Issued by this CA (its id)."),
    OpenApiParameter("source", str, enum=["internal", "public", "self-signed", "imported"]),
    OpenApiParameter("status", str, enum=["valid", "expiring", "expired", "revoked"]),
    OpenApiParameter("q", str, description="CN, SAN or subject contains; or a serial number."),
    OpenApiParameter("expires_before", OpenApiTypes.DATE),
]


class CertificateList(generics.ListAPIView):
    perms = {"GET": ("certauthority.view_certificate",)}
    serializer_class = s.CertificateListSerializer
    pagination_class = CertificatePagination

    @method_decorator(login_not_required)
    def dispatch(self, *args, **kwargs):
        return super().dispatch(*args, **kwargs)

    @extend_schema(parameters=CERTIFICATE_FILTERS, responses=s.CertificateListSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        form = CertificateFilterForm(params)
        if not form.is_valid():
            raise ValidationError(_drf_errors(form.errors))
        rows = ca_selectors.certificate_list(filters=form.filters()).select_related("key")
        deployment = params.get("deployment")
        if deployment not in (None, ""):
            if not deployment.isascii() or not deployment.isdigit():
                raise ValidationError({"detail": _("deployment is the id of a deployment.")})
            rows = rows.filter(
                pk__in=selectors.deployment_certificate_ids(deployment_id=int(deployment))
            )
        return rows


def _certificate(pk: int) -> Certificate:
    return get_object_or_404(Certificate.objects.select_related("issuer_ca", "key"), pk=pk)


class CertificateDetail(ApiView):
    perms = {"GET": ("certauthority.view_certificate",)}

    @extend_schema(responses={200: s.CertificateSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.CertificateSerializer(_certificate(pk)).data)


def _file_stem(certificate: Certificate) -> str:
    return file_stem(certificate.common_name or str(certificate.pk))


DOWNLOAD_FORMATS = ("pem", "der", "chain", "fullchain", "pkcs12")


class CertificateDownload(ApiView):
    """pem, der, chain, fullchain by GET; pkcs12 by POST with a password (not in a URL).

    Names are the install scripts' (STEM.crt, STEM_bundle.crt); bundles follow R1.4.
    """

    perms = {
        "GET": ("certauthority.download_certificate",),
        "POST": ("certauthority.download_certificate",),
    }
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(DOWNLOAD_FORMATS[:4]))],
        responses={
            (200, "application/x-pem-file"): OpenApiTypes.BINARY,
            (200, "application/pkix-cert"): OpenApiTypes.BINARY,
            **ERRORS,
        },
    )
    def get(self, request, pk: int):
        certificate = _certificate(pk)
        kind = request.query_params.get("format", "pem")
        if kind == "pkcs12":
            raise ValidationError(
                {
                    "detail": _(
                        "PKCS#12 needs a password: POST format=pkcs12 with a password in the body, "
                        "so that it stays out of URLs and logs."
                    )
                }
            )
        if kind not in DOWNLOAD_FORMATS:
            raise ValidationError(
                {"detail": _("format must be one of %s.") % ", ".join(DOWNLOAD_FORMATS)}
            )
        leaf = ca_selectors.certificate_x509(certificate=certificate)
        stem = _file_stem(certificate)
        if kind == "der":
            from cryptography.hazmat.primitives.serialization import Encoding

            return _attachment(
                leaf.public_bytes(Encoding.DER), f"{stem}.der", "application/pkix-cert"
            )
        chain = ca_selectors.certificate_chain(certificate=certificate)
        parts = {"pem": [leaf], "chain": chain, "fullchain": [leaf, *chain]}[kind]
        if not parts:
            raise NotFound(_("This certificate has no issuing CA in CertDesk, so no chain."))
        name = {
            "pem": certificate_file_name(stem),
            "chain": bundle_file_name(stem),
            "fullchain": certificate_file_name(f"{stem}_fullchain"),
        }[kind]
        return _attachment(format_bundle(parts), name, "application/x-pem-file")

    @extend_schema(
        request=s.PasswordSerializer,
        parameters=[OpenApiParameter("format", str, enum=["pkcs12"])],
        responses={(200, "application/x-pkcs12"): OpenApiTypes.BINARY, **ERRORS},
    )
    def post(self, request, pk: int):
        certificate = _certificate(pk)
        kind = request.query_params.get("format") or (
            request.data.get("format") if isinstance(request.data, dict) else None
        )
        if kind != "pkcs12":
            raise ValidationError({"detail": _("POST is for format=pkcs12; GET the others.")})
        body = s.PasswordSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError(_drf_errors(body.errors))
        password = (body.validated_data.get("password") or "").encode()
        include_key = ca_services.keypair_may_export(user=request.user, keypair=certificate.key)
        data = ca_services.certificate_pkcs12(
            certificate=certificate,
            password=password,
            include_key=include_key,
            legacy=body.validated_data["legacy"],
            actor=request.user,
        )
        response = _attachment(data, f"{_file_stem(certificate)}.p12", "application/x-pkcs12")
        response["Cache-Control"] = "no-store"
        response["X-CertDesk-Includes-Key"] = "yes" if include_key else "no"
        return response


class CertificateKey(ApiView):
    """The private key alone, PKCS#8 PEM, optionally encrypted: CA Admin only, audited."""

    perms = {"POST": ("certauthority.download_private_key",)}
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=s.PasswordSerializer,
        responses={(200, "application/x-pem-file"): OpenApiTypes.BINARY, **ERRORS},
    )
    def post(self, request, pk: int):
        certificate = _certificate(pk)
        if certificate.key is None or not certificate.key.has_private_key:
            raise NotFound(_("CertDesk holds no private key for this certificate."))
        if not ca_services.keypair_may_export(user=request.user, keypair=certificate.key):
            return Response(
                {"detail": _("A CA's key needs the right to manage CAs too.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        body = s.PasswordSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError(_drf_errors(body.errors))
        password = (body.validated_data.get("password") or "").encode()
        if password and len(password) < 8:
            raise ValidationError({"detail": _("Use a password of at least 8 characters.")})
        pem = ca_services.keypair_export(
            keypair=certificate.key, password=password or None, actor=request.user
        )
        response = _attachment(pem, f"{_file_stem(certificate)}.key", "application/x-pem-file")
        response["Cache-Control"] = "no-store"
        return response


# --- tools: the MMP's pki inspect / match / verify (R4.3) ---------------------------------------


TOOL_FORMS = {"inspect": InspectForm, "match": MatchForm, "verify": VerifyForm}


class Tool(ApiView):
    """Upload files (multipart) or paste text fields, as on the Tools page; same forms."""

    perms = {"POST": ("core.run_tools",)}
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    tool = ""

    @extend_schema(
        request={"multipart/form-data": OpenApiTypes.OBJECT},
        responses={200: s.ToolResultSerializer, 422: s.ToolResultSerializer, **ERRORS},
    )
    def post(self, request):
        if not isinstance(request.data, dict):  # a QueryDict (multipart) is a dict too
            raise ValidationError({"detail": _("Send the files as multipart form fields.")})
        data = request.data
        form = TOOL_FORMS[self.tool](data, request.FILES)
        if not form.is_valid():
            raise _refused(form)
        try:
            result = tool_check(tool=self.tool, data=form.cleaned_data)
        except PKIError as exc:  # a file that is not what it should be: say which, and why
            result = CheckResult(False, [str(exc)])
        lines = [str(line) for line in result.lines]
        body: dict[str, Any] = {"tool": self.tool, "ok": result.ok, "mmp_output": lines}
        if not result.ok:  # 422: the files were read, and the check failed (the MMP's words)
            body["detail"] = lines[0] if lines else _("The check failed.")
        return Response(body, status=200 if result.ok else 422)


# --- expiry and renewal (issue 12): the dashboard's selector and the one renewal service ----


class ExpirySummary(ApiView):
    """The dashboard's counts per band and the next twelve months' expiries."""

    perms = {"GET": ("certauthority.view_certificate",)}

    @extend_schema(responses={200: s.ExpirySummarySerializer, **ERRORS})
    def get(self, request):
        board = expiry_dashboard(size=1)
        return Response(
            {
                "counts": board.counts,
                "timeline": [{"month": m.month, "count": m.count} for m in board.timeline],
            }
        )


class CertificateRenew(ApiView):
    """Renew in place: every plan entry using the certificate keeps its place in the plan."""

    perms = {"POST": ("certauthority.sign_certificate",)}

    @extend_schema(
        request=s.RenewRequestSerializer, responses={200: s.RenewResultSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        certificate = _certificate(pk)
        body = s.RenewRequestSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError(_drf_errors(body.errors))
        new_key = body.validated_data["mode"] == "new"
        if new_key and not request.user.has_perm("certauthority.generate_key"):
            return Response(
                {"detail": _("Your role may not make keys.")}, status=status.HTTP_403_FORBIDDEN
            )
        try:
            result = services.certificate_renew(
                certificate=certificate, new_key=new_key, actor=request.user
            )
        except services.DeploymentError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        plans = list(result.plans)
        for plan in plans:
            plan.refresh_from_db()
        renewed = [p.certificate_id for p in plans if p.certificate_id not in (None, pk)]
        if not plans:
            renewed = list(
                Certificate.objects.filter(signing_request=certificate.signing_request_id)
                .exclude(pk=pk)
                .order_by("-pk")
                .values_list("pk", flat=True)[:1]
            )
        scripts = []
        for plan in plans:
            for server_id in plan.components.values_list("server_id", flat=True).distinct():
                url = reverse("deployments:server-script", args=[plan.deployment_id, server_id])
                scripts.append(request.build_absolute_uri(url))
        return Response(
            {
                "results": [
                    {"basename": r.basename, "status": r.status, "message": r.message}
                    for r in result.results
                ],
                "certificates": renewed,
                "install_scripts": list(dict.fromkeys(scripts)),
            }
        )

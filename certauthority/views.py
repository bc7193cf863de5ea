"""CA pages. Thin: parse input, call one service or selector, render.

Permissions are checked on the server (permission_required with raise_exception → 403).
/crl/ and /ocsp/ are public (relying parties fetch them without logging in).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import (
    AuditFilterForm,
    CABaseUrlForm,
    CACreateForm,
    CertificateFilterForm,
    CsrInputForm,
    KeyDownloadForm,
    RevokeForm,
    SignForm,
)
from .models import Certificate, CertificateAuthority
from .pki.bundle import format_bundle
from .pki.crl import crl_der_to_pem
from .pki.errors import PKIError
from .pki.files import bundle_file_name, certificate_file_name, file_stem
from .pki.inspect import describe_certificate
from .pki.ocsp import decode_get_path

PAGE_SIZE = 25


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- CAs -------------------------------------------------------------------------------------


@permission_required("certauthority.view_certificateauthority", raise_exception=True)
def ca_list(request: HttpRequest) -> HttpResponse:
    return render(request, "certauthority/ca_list.html", {"authorities": selectors.ca_list()})


@permission_required("certauthority.add_certificateauthority", raise_exception=True)
@require_http_methods(["GET", "POST"])
def ca_create(request: HttpRequest) -> HttpResponse:
    form = CACreateForm(request.POST or None, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = data["subject"] or f"CN={data['name'].strip()}"
        try:
            if data["parent"] is not None:
                ca = services.ca_create_intermediate(
                    name=data["name"],
                    parent=data["parent"],
                    subject=subject,
                    key_type=data["key_type"],
                    days=data["days"],  # None: services.DEFAULT_INTERMEDIATE_DAYS
                    base_url=data["base_url"],
                    actor=request.user,
                )
            else:
                ca = services.ca_create_root(
                    name=data["name"],
                    subject=subject,
                    key_type=data["key_type"],
                    days=data["days"],  # None: services.DEFAULT_ROOT_DAYS
                    base_url=data["base_url"],
                    actor=request.user,
                )
        except PKIError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The CA %(name)s was created.") % {"name": ca.name})
            return redirect("certauthority:ca-detail", slug=ca.slug)
    base_url = form["base_url"].value() or services.default_base_url()
    context = {
        "form": form,
        "urls": services.ca_public_urls(
            base_url=base_url, slug=slugify(form["name"].value() or "") or "short-name"
        ),
        "loopback": services.base_url_is_loopback(base_url),
    }
    return render(request, "certauthority/ca_form.html", context)


@permission_required("certauthority.change_certificateauthority", raise_exception=True)
@require_POST
def ca_set_url(request: HttpRequest, slug: str) -> HttpResponse:
    """A CA Admin points the CA's CRL/OCSP/caIssuers URLs elsewhere (audited "ca.change")."""
    ca = get_object_or_404(selectors.ca_list(), slug=slug)
    form = CABaseUrlForm(request.POST)
    if form.is_valid():
        try:
            services.ca_set_base_url(
                ca=ca, base_url=form.cleaned_data["base_url"], actor=request.user
            )
        except PKIError as exc:
            form.add_error("base_url", str(exc))
        else:
            messages.success(
                request,
                _(
                    "Certificates %(name)s signs from now on carry the CRL at %(crl)s; those "
                    "signed before keep their URLs."
                )
                % {"name": ca.name, "crl": ca.crl_url},
            )
            return redirect("certauthority:ca-detail", slug=ca.slug)
    return _render_ca_detail(request, ca, url_form=form, status=400)


@permission_required("certauthority.view_certificateauthority", raise_exception=True)
def ca_detail(request: HttpRequest, slug: str) -> HttpResponse:
    ca = get_object_or_404(selectors.ca_list(), slug=slug)
    return _render_ca_detail(request, ca, url_form=CABaseUrlForm(initial={"base_url": ca.base_url}))


def _render_ca_detail(
    request: HttpRequest, ca: CertificateAuthority, *, url_form: CABaseUrlForm, status: int = 200
) -> HttpResponse:
    context = {
        "url_form": url_form,
        "loopback": services.base_url_is_loopback(ca.base_url),
        "ca": ca,
        "info": describe_certificate(
            selectors.certificate_x509(certificate=ca.certificate), timezone.now()
        ),
        "lineage": selectors.ca_lineage(ca=ca),
        "children": ca.children.all(),
        # A root signs its own certificate; it is not among those it issued (issue 10 item 16).
        "recent": selectors.certificate_list(filters=selectors.CertificateFilter(ca=ca)).exclude(
            pk=ca.certificate_id
        )[:10],
        "issued_count": ca.issued_certificates.exclude(pk=ca.certificate_id).count(),
    }
    return render(request, "certauthority/ca_detail.html", context, status=status)


@permission_required("certauthority.download_certificate", raise_exception=True)
def ca_download(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    ca = get_object_or_404(selectors.ca_list(), slug=slug)
    chain = services.ca_chain(ca=ca)
    if kind == "certificate":
        return _attachment(
            format_bundle(chain[:1]), certificate_file_name(ca.slug), "application/x-pem-file"
        )
    if kind == "chain":
        return _attachment(
            format_bundle(chain), bundle_file_name(ca.slug), "application/x-pem-file"
        )
    raise Http404


# --- signing ---------------------------------------------------------------------------------


@permission_required("certauthority.sign_certificate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest) -> HttpResponse:
    """Paste/upload a CSR → preview with checks and warnings → choose CA, profile, SAN → sign."""
    step = request.POST.get("step", "input")
    if request.method == "POST" and step == "sign":
        return _sign_submit(request)
    input_form = CsrInputForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and input_form.is_valid():
        preview = input_form.cleaned_data["preview"]
        sign_form = SignForm(
            initial={"csr_pem": preview.pem, "san": "\n".join(preview.suggested_san)}
        )
        return _render_preview(request, preview, sign_form)
    return render(request, "certauthority/sign_input.html", {"form": input_form})


def _render_preview(request: HttpRequest, preview, sign_form: SignForm) -> HttpResponse:
    context = {
        "preview": preview,
        "form": sign_form,
        "has_ca": CertificateAuthority.objects.active().exists(),
    }
    return render(request, "certauthority/sign_preview.html", context)


def _sign_submit(request: HttpRequest) -> HttpResponse:
    form = SignForm(request.POST)
    try:
        preview = services.csr_preview(data=request.POST.get("csr_pem", "").encode())
    except PKIError as exc:
        messages.error(request, str(exc))
        return redirect("certauthority:sign")
    if form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.certificate_issue(
                ca=data["ca"],
                csr=preview.csr,  # parsed and checked once, by csr_preview
                profile=data["profile"],
                days=data["days"],
                san=data["san"],
                force=data["force"],
                actor=request.user,
            )
        except PKIError as exc:
            form.add_error(None, str(exc))
        else:
            certificate = issued.certificate
            messages.success(
                request,
                _("Signed %(subject)s, serial %(serial)s.")
                % {"subject": certificate.subject, "serial": certificate.serial_number},
            )
            for warning in [
                *issued.warnings,
                *(preview.client_profile_warnings if data["profile"] == "client" else []),
            ]:
                messages.warning(request, warning)
            return redirect("certauthority:certificate-detail", pk=certificate.pk)
    return _render_preview(request, preview, form)


# --- certificates ----------------------------------------------------------------------------


@permission_required("certauthority.view_certificate", raise_exception=True)
def certificate_list(request: HttpRequest) -> HttpResponse:
    form = CertificateFilterForm(request.GET or None)
    filters = selectors.CertificateFilter()
    if form.is_valid():
        filters = form.filters()
    page = selectors.certificate_page(
        filters=filters,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    query = request.GET.copy()
    for cursor in ("page", "after", "before"):
        query.pop(cursor, None)
    rows = [(c, selectors.certificate_status(certificate=c)) for c in page.rows]
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "certauthority/certificate_list.html", context)


@permission_required("certauthority.view_certificate", raise_exception=True)
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.select_related("issuer_ca", "key", "signing_request"), pk=pk
    )
    chain = selectors.certificate_chain(certificate=certificate)
    now = timezone.now()
    context = {
        "certificate": certificate,
        "status": selectors.certificate_status(certificate=certificate),
        "info": describe_certificate(selectors.certificate_x509(certificate=certificate), now),
        "chain": [describe_certificate(c, now) for c in chain],
        "uses": _certificate_uses(certificate),
        "can_download_key": certificate.key_id is not None and certificate.key.has_private_key,
        "lint": selectors.certificate_lint(certificate=certificate),
    }
    return render(request, "certauthority/certificate_detail.html", context)


@permission_required("certauthority.download_certificate", raise_exception=True)
def certificate_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    certificate = get_object_or_404(Certificate.objects.select_related("issuer_ca"), pk=pk)
    leaf = selectors.certificate_x509(certificate=certificate)
    chain = selectors.certificate_chain(certificate=certificate)
    stem = file_stem(certificate.common_name or str(certificate.pk))
    parts = {"certificate": [leaf], "chain": chain, "fullchain": [leaf, *chain]}
    if kind not in parts:
        raise Http404
    if not parts[kind]:
        messages.error(request, _("This certificate has no issuing CA in CertDesk to download."))
        return redirect("certauthority:certificate-detail", pk=pk)
    # The install scripts' names (issue 10 item 6): STEM.crt, STEM_bundle.crt.
    name = {
        "certificate": certificate_file_name(stem),
        "chain": bundle_file_name(stem),
        "fullchain": certificate_file_name(f"{stem}_fullchain"),
    }[kind]
    return _attachment(format_bundle(parts[kind]), name, "application/x-pem-file")


def _certificate_uses(certificate: Certificate) -> list:
    # The deployments app sits above the CA; imported here so the CA does not depend on it.
    from deployments.selectors import certificate_uses

    return list(certificate_uses(certificate_id=certificate.pk))


@permission_required("certauthority.revoke_certificate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what revoking loses (CRL, deployments); POST from that page: revoke (issue 10/11)."""
    certificate = get_object_or_404(Certificate.objects.select_related("issuer_ca"), pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        if not form.is_valid():
            messages.error(request, _("Choose a revocation reason from the list."))
        else:
            try:
                services.certificate_revoke(
                    certificate=certificate, reason=form.cleaned_data["reason"], actor=request.user
                )
            except PKIError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The certificate was revoked and the CRL updated."))
                return redirect("certauthority:certificate-detail", pk=pk)
        return redirect("certauthority:certificate-detail", pk=pk)
    if request.method == "POST":  # not from the confirmation page: show it, change nothing
        return redirect("certauthority:certificate-revoke", pk=pk)
    as_ca = CertificateAuthority.objects.filter(certificate=certificate).first()
    context = {
        "certificate": certificate,
        "form": RevokeForm(),
        "uses": _certificate_uses(certificate),
        "as_ca": as_ca,
        "as_ca_issued": (
            Certificate.objects.filter(issuer_ca=as_ca).exclude(pk=certificate.pk).count()
            if as_ca
            else 0
        ),
    }
    return render(request, "certauthority/revoke_confirm.html", context)


@sensitive_post_parameters("password", "password_again")
@permission_required("certauthority.download_private_key", raise_exception=True)
@require_http_methods(["GET", "POST"])
def certificate_key_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then download the certificate's private key (audited "key.download").

    A CA's own key can be downloaded too (to move the CA offline, say), but only by someone
    who may also manage CAs: a role given download_private_key alone gets a 403.
    """
    certificate = get_object_or_404(Certificate.objects.select_related("key"), pk=pk)
    if certificate.key is None or not certificate.key.has_private_key:
        raise Http404
    if not services.keypair_may_export(user=request.user, keypair=certificate.key):
        raise PermissionDenied
    form = KeyDownloadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"].encode() or None
        try:
            pem = services.keypair_export(
                keypair=certificate.key, password=password, actor=request.user
            )
        except PKIError as exc:
            form.add_error(None, str(exc))
        else:
            stem = file_stem(certificate.common_name or str(certificate.pk))
            response = _attachment(pem, f"{stem}.key", "application/x-pem-file")
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request, "certauthority/key_download.html", {"certificate": certificate, "form": form}
    )


# --- audit -----------------------------------------------------------------------------------


@permission_required("certauthority.view_auditevent", raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = selectors.audit_list()
    if form.is_valid():
        events = selectors.audit_list(**form.cleaned_data)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "certauthority/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


# --- public: CRL and OCSP --------------------------------------------------------------------


def _active_ca(slug: str) -> CertificateAuthority:
    return get_object_or_404(selectors.ca_list(), slug=slug)


@login_not_required
@require_GET
def crl(request: HttpRequest, slug: str) -> HttpResponse:
    """The CA's current CRL: DER (RFC 5280), or PEM with ?encoding=pem."""
    ca = _active_ca(slug)
    der = services.ca_current_crl(ca=ca)
    if request.GET.get("encoding") == "pem":
        return HttpResponse(crl_der_to_pem(der), content_type="application/x-pem-file")
    response = HttpResponse(der, content_type="application/pkix-crl")
    response["Content-Disposition"] = f'inline; filename="{ca.slug}.crl"'
    return response


@login_not_required
@require_GET
def ca_issuer_certificate(request: HttpRequest, slug: str) -> HttpResponse:
    """The CA's certificate, DER (RFC 5280 4.2.2.1 caIssuers), or PEM with ?encoding=pem."""
    ca = _active_ca(slug)
    cert = selectors.certificate_x509(certificate=ca.certificate)
    if request.GET.get("encoding") == "pem":
        return HttpResponse(format_bundle([cert]), content_type="application/x-pem-file")
    response = HttpResponse(
        cert.public_bytes(serialization.Encoding.DER), content_type="application/pkix-cert"
    )
    response["Content-Disposition"] = f'inline; filename="{ca.slug}.crt"'
    return response


def _ocsp_response(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/ocsp-response")
    response["Cache-Control"] = "max-age=300, public, no-transform, must-revalidate"
    return response


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def ocsp(request: HttpRequest, slug: str, encoded: str = "") -> HttpResponse:
    """OCSP per RFC 6960: POST application/ocsp-request, or GET /ocsp/<slug>/<base64>."""
    ca = _active_ca(slug)
    if request.method == "POST":
        if request.content_type != "application/ocsp-request":
            return HttpResponse(
                _("Send an application/ocsp-request body."), status=415, content_type="text/plain"
            )
        body = request.body
    else:
        if not encoded:
            return HttpResponse(
                _("OCSP responder of %(name)s: POST a request or GET /ocsp/%(slug)s/<base64>.")
                % {"name": ca.name, "slug": ca.slug},
                content_type="text/plain",
            )
        try:
            body = decode_get_path(encoded)
        except PKIError:
            body = b""
    return _ocsp_response(services.ocsp_respond(ca=ca, request_der=body))

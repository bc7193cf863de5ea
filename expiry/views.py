"""Renewal from the dashboard and the certificate page: thin over the one renewal service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certauthority.models import Certificate
from deployments.services import DeploymentError, certificate_renew

MODES = {"same": False, "new": True}


@require_POST
@permission_required("certauthority.sign_certificate", raise_exception=True)
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the same CSR again (``mode=same``) or make a new key and CSR (``mode=new``)."""
    certificate: Certificate = get_object_or_404(
        Certificate.objects.select_related("issuer_ca", "signing_request"), pk=pk
    )
    mode = request.POST.get("mode", "")
    if mode not in MODES:
        return HttpResponseBadRequest(_("Choose how to renew: the same CSR, or a new key."))
    if MODES[mode] and not request.user.has_perm("certauthority.generate_key"):
        return HttpResponse(_("Your role may not make keys."), status=403)
    user = request.user
    assert isinstance(user, User)  # permission_required let only a signed-in user in
    try:
        result = certificate_renew(certificate=certificate, new_key=MODES[mode], actor=user)
    except DeploymentError as exc:
        messages.error(request, str(exc))
        return redirect("dashboard")
    for item in result.results:
        messages.info(request, f"{item.basename}: {item.message}")
    # Then the install script of the server that uses it, with the renewed file in it.
    for plan in result.plans:
        component = plan.components.select_related("server").first()
        if component is not None:
            messages.info(request, _("Install the renewed certificate with this script."))
            return redirect(
                reverse("deployments:server-script", args=[plan.deployment_id, component.server_id])
            )
    if result.plans:
        return redirect("deployments:plan", result.plans[0].deployment_id)
    return redirect("dashboard")

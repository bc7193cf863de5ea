"""Dashboard and system pages. Views stay thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .selectors import dashboard_summary
from .services import WorkerUnreachable, heartbeat_request


@permission_required("certauthority.view_certificate", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/index.html", {"summary": dashboard_summary()})


@require_POST
@permission_required("certauthority.view_certificate", raise_exception=True)
def heartbeat(request: HttpRequest) -> HttpResponse:
    """Ask the background worker to prove it is alive (any role may)."""
    try:
        heartbeat_request(requested_by=request.user.get_username())
    except WorkerUnreachable as exc:
        messages.error(request, str(exc))
    else:
        messages.info(
            request, _("A background job was sent to the worker; reload in a few seconds.")
        )
    return redirect("dashboard")

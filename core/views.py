"""Dashboard and system pages. Views stay thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expiry.charts import timeline_svg
from expiry.forms import ExpiryFilterForm
from expiry.selectors import ExpiryFilter, expiry_dashboard

from .selectors import dashboard_summary
from .services import WorkerUnreachable, heartbeat_request


@permission_required("certauthority.view_certificate", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page: where to start, what expires when (issue 12), the worker's health."""
    form = ExpiryFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else ExpiryFilter()
    expiry = expiry_dashboard(filters=filters, page=request.GET.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "summary": dashboard_summary(),
        "form": form,
        "expiry": expiry,
        "timeline": timeline_svg(expiry.timeline),
        "query": query.urlencode(),
    }
    return render(request, "dashboard/index.html", context)


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

"""The Tools page: the MMP's `pki inspect`, `pki match` and `pki verify` in the browser
(SPEC R4.3). Files are read in memory and never stored; keys are never logged."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters

from certauthority.pki.errors import PKIError
from certauthority.pki.material import CheckResult

from .forms import InspectForm, MatchForm, VerifyForm
from .services import tool_check

FORMS = {"inspect": InspectForm, "match": MatchForm, "verify": VerifyForm}


# Every field may hold a private key or its password (inspect takes keys too, and the names
# the browser sends carry the tool's prefix, e.g. "match-password"): hide them all.
@sensitive_post_parameters()
@permission_required("core.run_tools", raise_exception=True)
def tools(request: HttpRequest) -> HttpResponse:
    tool = request.POST.get("tool") if request.method == "POST" else None
    forms = {name: cls(prefix=name) for name, cls in FORMS.items()}
    result: CheckResult | None = None
    status = 200
    if tool in FORMS:
        form = FORMS[tool](request.POST, request.FILES, prefix=tool)
        forms[tool] = form
        if form.is_valid():
            try:
                result = tool_check(tool=tool, data=form.cleaned_data)
            except PKIError as exc:
                result = CheckResult(False, [str(exc)])
        else:
            status = 400
        if result is not None and not result.ok:
            status = 422
    return render(
        request, "tools/index.html", {"forms": forms, "tool": tool, "result": result}, status=status
    )

"""The Tools page: the MMP's `pki inspect`, `pki match` and `pki verify` in the browser
(SPEC R4.3). Files are read in memory and never stored; keys are never logged."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from certauthority.pki.errors import PKIError
from certauthority.pki.inspect import Kind, describe_detected, detect
from certauthority.pki.material import (
    CheckResult,
    certificates_from_bytes,
    key_from_bytes,
    match_key_and_certificate,
    verify_certificate,
)

from .forms import InspectForm, MatchForm, VerifyForm

FORMS = {"inspect": InspectForm, "match": MatchForm, "verify": VerifyForm}


def _inspect(data: dict) -> CheckResult:
    found = detect(data["material"])
    if found.kind is Kind.UNKNOWN:
        raise PKIError(
            _("This is not a key, certificate, CSR or bundle: %(reason)s.")
            % {"reason": found.reason}
        )
    return CheckResult(True, describe_detected(found, dt.datetime.now(dt.UTC)))


def _match(data: dict) -> CheckResult:
    password = data.get("password") or None
    key = key_from_bytes(data["key"], _("the key"), password.encode() if password else None)
    cert = certificates_from_bytes(data["cert"], _("the certificate"))[0]
    return match_key_and_certificate(key, cert)


def _verify(data: dict) -> CheckResult:
    certs = certificates_from_bytes(data["cert"], _("the certificate"))
    bundle = certificates_from_bytes(data["bundle"], _("the bundle"))
    ca = certificates_from_bytes(data["ca"], _("the CA file")) if data.get("ca") else None
    return verify_certificate(certs, bundle, ca, dt.datetime.now(dt.UTC))


CHECKS = {"inspect": _inspect, "match": _match, "verify": _verify}


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
                result = CHECKS[tool](form.cleaned_data)
            except PKIError as exc:
                result = CheckResult(False, [str(exc)])
        else:
            status = 400
        if result is not None and not result.ok:
            status = 422
    return render(
        request, "tools/index.html", {"forms": forms, "tool": tool, "result": result}, status=status
    )

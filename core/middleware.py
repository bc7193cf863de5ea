"""HTTP response headers CertDesk adds to every answer."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    """Send settings.CERTDESK_CONTENT_SECURITY_POLICY on every response (issue 9, item 16).

    Everything CertDesk serves is vendored (no CDN, air-gapped networks), and templates carry
    no inline script, style or event handler (tests/security/test_csp.py walks templates/), so
    the policy allows nothing but our own origin. A view that sets its own header keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CERTDESK_CONTENT_SECURITY_POLICY
        if policy:
            header = (
                "Content-Security-Policy-Report-Only"
                if settings.CERTDESK_CSP_REPORT_ONLY
                else "Content-Security-Policy"
            )
            response.headers.setdefault(header, policy)
        return response

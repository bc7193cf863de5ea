"""Security is the product: private keys leave only by a permitted, audited POST; secrets stay
out of error reports, logs, messages and the audit log; user text is escaped; CSRF is
enforced everywhere but OCSP; redirects stay on this site."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.debug import SafeExceptionReporterFilter

from certauthority.models import AuditAction, AuditEvent, Certificate

from .conftest import make_csr

pytestmark = pytest.mark.django_db

PASSWORD = "Sup3r-Secret-Passw0rd"
NO_PASSWORD = {"password": "", "password_again": ""}  # what the browser sends


def _key_url(certificate) -> str:
    return reverse("certauthority:certificate-key", args=[certificate.pk])


# --- private-key download --------------------------------------------------------------------


def test_a_ca_admin_downloads_a_key_as_a_no_store_attachment_and_it_is_audited(
    client_as, ca_admin, issued
):
    response = client_as(ca_admin).post(_key_url(issued), NO_PASSWORD)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cb1_example_com.key"'
    assert response["Cache-Control"] == "no-store"
    assert b"BEGIN PRIVATE KEY" in response.content
    event = AuditEvent.objects.get(action=AuditAction.KEY_DOWNLOAD)
    assert event.actor == ca_admin
    assert event.actor_name == "caadmin"
    assert (event.object_type, event.object_id) == ("keypair", str(issued.key_id))
    assert event.details["encrypted"] is False
    assert event.details["ca"] is None


def test_the_confirmation_page_shows_no_key_and_records_nothing(client_as, ca_admin, issued):
    response = client_as(ca_admin).get(_key_url(issued))
    assert response.status_code == 200
    assert b"PRIVATE KEY-----" not in response.content
    assert "Content-Disposition" not in response
    assert not AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).exists()


@pytest.mark.parametrize("role", ["viewer", "operator", "nobody"])
def test_other_roles_get_403_and_no_key(client_as, request, issued, role):
    client = client_as(request.getfixturevalue(role))
    for response in (client.get(_key_url(issued)), client.post(_key_url(issued), NO_PASSWORD)):
        assert response.status_code == 403
        assert b"PRIVATE KEY" not in response.content
    assert not AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, issued):
    response = client.post(_key_url(issued), NO_PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_key_download_needs_a_csrf_token(ca_admin, issued):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ca_admin)
    response = client.post(_key_url(issued), NO_PASSWORD)
    assert response.status_code == 403
    assert b"PRIVATE KEY" not in response.content


def test_the_password_never_reaches_the_audit_log_messages_or_logs(
    client_as, ca_admin, issued, caplog
):
    caplog.set_level(logging.DEBUG)
    response = client_as(ca_admin).post(
        _key_url(issued), {"password": PASSWORD, "password_again": PASSWORD}
    )
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in response.content
    event = AuditEvent.objects.get(action=AuditAction.KEY_DOWNLOAD)
    assert event.details["encrypted"] is True
    assert PASSWORD not in event.summary + str(event.details)
    assert PASSWORD not in caplog.text
    assert "PRIVATE KEY" not in caplog.text


@pytest.mark.parametrize(
    ("url", "data", "hidden"),
    [
        ("key", {"password": PASSWORD, "password_again": PASSWORD}, {"password", "password_again"}),
        ("tools", {"tool": "match", "match-password": PASSWORD}, {"match-password"}),
        ("tools", {"tool": "match", "match-key_text": PASSWORD}, {"match-key_text"}),
        (
            "tools",
            {"tool": "inspect", "inspect-material_text": PASSWORD},
            {"inspect-material_text"},
        ),
    ],
)
def test_passwords_and_pasted_keys_are_hidden_from_error_reports(
    client_as, ca_admin, issued, url, data, hidden
):
    target = _key_url(issued) if url == "key" else reverse("tools")
    response = client_as(ca_admin).post(target, data)
    request = response.wsgi_request
    filtered = SafeExceptionReporterFilter().get_post_parameters(request)
    for name in hidden:
        assert filtered[name] != PASSWORD, name


def test_a_ca_key_is_downloadable_by_a_ca_admin_and_audited_as_a_ca_key(
    client_as, ca_admin, root_ca
):
    response = client_as(ca_admin).post(_key_url(root_ca.certificate), NO_PASSWORD)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action=AuditAction.KEY_DOWNLOAD)
    assert event.details["ca"] == root_ca.slug
    assert event.actor == ca_admin


def test_download_private_key_alone_does_not_open_a_cas_key(client_as, operator, issued, root_ca):
    """A group given only download_private_key (say, by an admin in /admin/) gets server keys,
    not the CA's key: that also takes the right to manage CAs."""
    operator.user_permissions.add(Permission.objects.get(codename="download_private_key"))
    client = client_as(operator)
    assert client.post(_key_url(issued), NO_PASSWORD).status_code == 200
    for response in (
        client.get(_key_url(root_ca.certificate)),
        client.post(_key_url(root_ca.certificate), NO_PASSWORD),
    ):
        assert response.status_code == 403
        assert b"PRIVATE KEY" not in response.content
    assert AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count() == 1


def test_a_certificate_without_a_stored_key_has_no_key_page(client_as, ca_admin, root_ca):
    from certauthority import services

    csr = services.csr_store(csr_pem=make_csr("nokey.example.com"), actor=None)
    certificate = services.certificate_issue(
        ca=root_ca, csr=csr, profile="server", days=30, actor=None
    ).certificate
    assert client_as(ca_admin).post(_key_url(certificate), NO_PASSWORD).status_code == 404


def test_download_file_names_are_plain_ascii_whatever_the_cn(client_as, ca_admin, root_ca):
    from certauthority import services

    csr = services.csr_store(csr_pem=make_csr("日本.example.com"), actor=None)
    certificate = services.certificate_issue(
        ca=root_ca, csr=csr, profile="server", days=30, actor=None, san=[]
    ).certificate
    response = client_as(ca_admin).get(
        reverse("certauthority:certificate-download", args=[certificate.pk, "certificate"])
    )
    disposition = response["Content-Disposition"]
    assert disposition.isascii()
    assert disposition.startswith('attachment; filename="') and disposition.endswith('.crt"')


# --- CSRF, XSS, redirects --------------------------------------------------------------------


def _callbacks(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _is_api_view(callback) -> bool:
    from rest_framework.views import APIView

    return isinstance(getattr(callback, "cls", None), type) and issubclass(callback.cls, APIView)


def test_only_the_ocsp_responder_is_csrf_exempt():
    """DRF marks its views exempt from the middleware and checks CSRF itself for session
    log-ins (SessionAuthentication; tests/api/test_roles.py posts without the token and is
    refused); a token is not sent by the browser, so it needs none."""
    exempt = {
        route
        for route, callback in _callbacks(get_resolver())
        if getattr(callback, "csrf_exempt", False)
        and not route.startswith("admin/")
        and not _is_api_view(callback)
    }
    assert exempt == {"ocsp/<slug:slug>/", "ocsp/<slug:slug>/<path:encoded>"}


def test_user_text_is_escaped_on_every_page_that_shows_it(client_as, ca_admin, root_ca):
    from deployments.models import Deployment

    evil = '<script>alert("x")</script>'
    deployment = Deployment.objects.create(name=evil, domain="example.com", description=evil)
    client = client_as(ca_admin)
    for url in (
        reverse("deployments:list"),
        reverse("deployments:detail", args=[deployment.pk]),
        reverse("deployments:edit", args=[deployment.pk]),
        reverse("certauthority:audit-list") + "?actor=" + evil,
        reverse("certauthority:certificate-list") + "?q=" + evil,
    ):
        html = client.get(url).content.decode()
        assert evil not in html, url
        assert "&lt;script&gt;" in html, url


def test_a_csr_subject_with_markup_is_shown_escaped_in_the_preview(client_as, operator, root_ca):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    evil = "<img src=x onerror=alert(1)>"
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, "www.example.com"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, evil),
                ]
            )
        )
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
    )
    response = client_as(operator).post(
        reverse("certauthority:sign"),
        {"step": "preview", "csr_text": csr.public_bytes(serialization.Encoding.PEM).decode()},
    )
    html = response.content.decode()
    assert "Check and sign" in html
    assert evil not in html
    assert "&lt;img src=x onerror=alert(1)" in html


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "/\\evil.example.com",
        "javascript:alert(1)",
    ],
)
def test_the_language_switch_never_redirects_off_site(client, target):
    response = client.post(reverse("set_language"), {"language": "ja", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_language_switch_keeps_a_local_next(client):
    response = client.post(reverse("set_language"), {"language": "ja", "next": "/ca/"})
    assert response["Location"] == "/ca/"


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/"])
def test_login_never_redirects_off_site(client, viewer, target):
    response = client.post(
        reverse("login") + "?next=" + target, {"username": "viewer", "password": "pw-viewer"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_a_revoked_certificate_row_keeps_its_key_private_in_the_detail_page(
    client_as, viewer, issued
):
    html = (
        client_as(viewer)
        .get(reverse("certauthority:certificate-detail", args=[issued.pk]))
        .content.decode()
    )
    assert "PRIVATE KEY" not in html
    assert _key_url(issued) not in html
    assert Certificate.objects.filter(pk=issued.pk).exists()

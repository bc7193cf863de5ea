"""The CA pages: who may do what, and the sign-a-CSR flow a user goes through."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.files.uploadedfile import SimpleUploadedFile

from certauthority import services
from certauthority.models import AuditEvent, Certificate, CertificateAuthority, SigningRequest

from .conftest import make_csr, openssl_sha1_csr, pem

pytestmark = pytest.mark.django_db


def _pages(issuing_ca, issued):
    slug, pk = issuing_ca.slug, issued.pk
    return {
        "ca list": ("get", "/ca/"),
        "ca detail": ("get", f"/ca/{slug}/"),
        "ca certificate": ("get", f"/ca/{slug}/certificate.pem"),
        "ca chain": ("get", f"/ca/{slug}/chain.pem"),
        "certificate list": ("get", "/ca/certificates/"),
        "certificate detail": ("get", f"/ca/certificates/{pk}/"),
        "certificate download": ("get", f"/ca/certificates/{pk}/download/fullchain/"),
        "sign": ("get", "/ca/sign/"),
        "create ca": ("get", "/ca/new/"),
        "revoke": ("post", f"/ca/certificates/{pk}/revoke/"),
        "key download": ("get", f"/ca/certificates/{pk}/key/"),
        "audit": ("get", "/ca/audit/"),
    }


ALLOWED = {
    "viewer": {
        "ca list",
        "ca detail",
        "ca certificate",
        "ca chain",
        "certificate list",
        "certificate detail",
        "certificate download",
    },
}
ALLOWED["operator"] = ALLOWED["viewer"] | {"sign"}
ALLOWED["ca_admin"] = ALLOWED["operator"] | {"create ca", "revoke", "key download", "audit"}


@pytest.mark.parametrize("role", ["viewer", "operator", "ca_admin"])
def test_each_role_reaches_exactly_its_pages_and_gets_403_elsewhere(
    role, request, client_as, issuing_ca, issued
):
    client = client_as(request.getfixturevalue(role))
    for name, (method, url) in _pages(issuing_ca, issued).items():
        response = getattr(client, method)(
            url, {"reason": "unspecified"} if method == "post" else None
        )
        if name in ALLOWED[role]:
            assert response.status_code in (200, 302), f"{role} should reach {name}"
            if response.status_code == 302:
                assert "login" not in response["Location"]
        else:
            assert response.status_code == 403, f"{role} must get 403 on {name}"


def test_anonymous_visitors_are_sent_to_login_for_every_ca_page(client, issuing_ca, issued):
    for name, (method, url) in _pages(issuing_ca, issued).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_a_user_without_a_role_gets_403(client_as, nobody, issuing_ca):
    assert client_as(nobody).get("/ca/").status_code == 403


def test_an_operator_signs_a_pasted_csr_after_a_preview(client_as, operator, issuing_ca):
    client = client_as(operator)
    csr = make_csr("webadmin.example.com", san=["webadmin.example.com", "*.example.com"])
    preview = client.post("/ca/sign/", {"step": "preview", "csr_text": pem(csr).decode()})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "webadmin.example.com" in page and "EC P-256" in page
    assert "covers one level of names only" in page  # the wildcard note
    assert "postgres" in page  # the client-profile note about the DB cluster CN
    assert not Certificate.objects.filter(common_name="webadmin.example.com").exists()

    response = client.post(
        "/ca/sign/",
        {
            "step": "sign",
            "csr_pem": pem(csr).decode(),
            "ca": issuing_ca.pk,
            "profile": "server",
            "days": 90,
            "san": "webadmin.example.com\n10.0.0.5",
        },
    )
    certificate = Certificate.objects.get(common_name="webadmin.example.com")
    assert response.status_code == 302
    assert response["Location"] == f"/ca/certificates/{certificate.pk}/"
    assert certificate.san == ["DNS:webadmin.example.com", "IP:10.0.0.5"]
    assert certificate.created_by == operator

    fullchain = client.get(f"/ca/certificates/{certificate.pk}/download/fullchain/")
    assert fullchain.content.count(b"-----BEGIN CERTIFICATE-----") == 3
    assert b"-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----" in fullchain.content
    assert fullchain.content.endswith(b"-----END CERTIFICATE-----\n")  # SPEC R1.4
    bundle = client.get(f"/ca/certificates/{certificate.pk}/download/chain/").content
    assert bundle.count(b"BEGIN CERTIFICATE") == 2


def test_a_der_csr_can_be_uploaded(client_as, operator, issuing_ca):
    der = make_csr("recorder.example.com").public_bytes(serialization.Encoding.DER)
    upload = SimpleUploadedFile("recorder.csr", der)
    response = client_as(operator).post("/ca/sign/", {"step": "preview", "csr_file": upload})
    assert response.status_code == 200
    assert "recorder.example.com" in response.content.decode()


def _bad_csrs(tmp_path, rsa2048_key):
    good = pem(make_csr()).decode()
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    der = bytearray(make_csr(key=rsa2048_key).public_bytes(serialization.Encoding.DER))
    der[-1] ^= 1
    broken = x509.load_der_x509_csr(bytes(der))
    return {
        "garbage": ("hello world", "not a readable certificate signing request"),
        "truncated": (good[: len(good) // 2], "not a readable"),
        "a certificate": (
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "not a CSR",
        ),
        "huge": ("A" * (1024 * 1024 + 10), "larger than"),
        "broken signature": (pem(broken).decode(), "does not verify"),
        "RSA-1024": (pem(make_csr(key=weak)).decode(), "at least 2048"),
        "SHA-1": (openssl_sha1_csr(tmp_path).decode(), "SHA-1"),
        "no CN, no SAN": (pem(make_csr(cn=None)).decode(), "neither a CN"),
        "empty": ("", "Paste a CSR or choose a file"),
    }


def test_bad_csrs_give_a_form_error_and_save_nothing(
    client_as, operator, issuing_ca, tmp_path, rsa2048_key
):
    client = client_as(operator)
    counts = (Certificate.objects.count(), SigningRequest.objects.count())
    for name, (text, message) in _bad_csrs(tmp_path, rsa2048_key).items():
        response = client.post("/ca/sign/", {"step": "preview", "csr_text": text})
        assert response.status_code == 200, name
        assert message in response.content.decode(), name
        signed = client.post(
            "/ca/sign/",
            {"step": "sign", "csr_pem": text, "ca": issuing_ca.pk, "profile": "server", "days": 1},
        )
        assert signed.status_code in (200, 302), name
    assert (Certificate.objects.count(), SigningRequest.objects.count()) == counts


def test_bad_signing_choices_are_form_errors(client_as, operator, issuing_ca):
    client = client_as(operator)
    csr = pem(make_csr()).decode()
    base = {"step": "sign", "csr_pem": csr, "ca": issuing_ca.pk, "profile": "server", "days": 30}
    for change, message in [
        ({"days": 0}, "greater than or equal to 1"),
        ({"profile": "ca"}, "Select a valid choice"),
        ({"ca": 999999}, "Select a valid choice"),
        ({"san": "not a host!"}, "not a valid DNS name"),
    ]:
        response = client.post("/ca/sign/", {**base, **change})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Certificate.objects.filter(profile="server").exists()


def test_a_ca_admin_creates_a_root_and_an_intermediate_in_the_browser(client_as, ca_admin):
    client = client_as(ca_admin)
    response = client.post(
        "/ca/new/", {"name": "Lab Root", "subject": "CN=Lab Root,O=Lab,C=JP", "key_type": "ec256"}
    )
    assert response.status_code == 302 and response["Location"] == "/ca/lab-root/"
    root = CertificateAuthority.objects.get(slug="lab-root")
    response = client.post(
        "/ca/new/", {"name": "Lab Issuing", "parent": root.pk, "key_type": "ec256", "days": 365}
    )
    assert response.status_code == 302
    assert CertificateAuthority.objects.get(slug="lab-issuing").parent == root
    assert AuditEvent.objects.filter(action="ca.create", actor=ca_admin).count() == 2
    page = client.get("/ca/lab-issuing/").content.decode()
    assert "Lab Root" in page and "CN=Lab Issuing" in page


def test_bad_ca_input_is_a_form_error(client_as, ca_admin, root_ca):
    client = client_as(ca_admin)
    for data, message in [
        ({"name": "Example Root CA", "key_type": "ec256"}, "exists already"),
        ({"name": "X", "subject": "CN=X,C=Japan", "key_type": "ec256"}, "two-letter"),
        ({"name": "new", "key_type": "ec256"}, "reserved"),
        ({"name": "Y", "key_type": "dsa"}, "Select a valid choice"),
    ]:
        response = client.post("/ca/new/", data)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert CertificateAuthority.objects.count() == 1


def test_a_ca_admin_revokes_from_the_certificate_page(client_as, ca_admin, issued):
    client = client_as(ca_admin)
    assert "revoke-link" in client.get(f"/ca/certificates/{issued.pk}/").content.decode()
    client.post(
        f"/ca/certificates/{issued.pk}/revoke/", {"reason": "keyCompromise", "confirm": "yes"}
    )
    issued.refresh_from_db()
    assert issued.revocation_reason == "keyCompromise"
    page = client.get(f"/ca/certificates/{issued.pk}/").content.decode()
    assert "revoke-link" not in page and "Key compromise" in page


def test_the_private_key_download_needs_a_post_and_is_audited(client_as, ca_admin, issued):
    client = client_as(ca_admin)
    confirm = client.get(f"/ca/certificates/{issued.pk}/key/")
    assert confirm.status_code == 200 and b"PRIVATE KEY" not in confirm.content
    assert not AuditEvent.objects.filter(action="key.download").exists()
    response = client.post(
        f"/ca/certificates/{issued.pk}/key/",
        {"password": "long enough pw", "password_again": "long enough pw"},
    )
    assert response["Content-Disposition"] == 'attachment; filename="cb1_example_com.key"'
    assert response.content.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    event = AuditEvent.objects.get(action="key.download")
    assert event.actor == ca_admin
    mismatch = client.post(
        f"/ca/certificates/{issued.pk}/key/",
        {"password": "long enough pw", "password_again": "other pw!!"},
    )
    assert "The two passwords differ" in mismatch.content.decode()


def test_the_certificate_list_searches_and_filters(client_as, viewer, issuing_ca, issued):
    services.certificate_issue(
        ca=issuing_ca, csr=make_csr("xmpp.example.com"), profile="server", days=30, actor=None
    )
    client = client_as(viewer)
    by_cn = client.get("/ca/certificates/", {"q": "xmpp"}).content.decode()
    assert "xmpp.example.com" in by_cn and "cb1.example.com" not in by_cn
    serial = issued.serial_number
    colon = ":".join(serial[i : i + 2] for i in range(0, len(serial), 2)).lower()
    by_serial = client.get("/ca/certificates/", {"q": colon}).content.decode()
    assert "cb1.example.com" in by_serial and "xmpp.example.com" not in by_serial
    services.certificate_revoke(certificate=issued, reason="superseded", actor=None)
    revoked = client.get("/ca/certificates/", {"status": "revoked"}).content.decode()
    assert "cb1.example.com" in revoked and "xmpp.example.com" not in revoked
    by_ca = client.get("/ca/certificates/", {"ca": "example-root-ca"}).content.decode()
    assert "xmpp.example.com" not in by_ca and "Example Issuing CA" in by_ca


def test_the_certificate_list_is_paginated(client_as, viewer, issuing_ca):
    csr = make_csr("many.example.com")
    for _ in range(30):
        services.certificate_issue(ca=issuing_ca, csr=csr, profile="server", days=1, actor=None)
    page = client_as(viewer).get("/ca/certificates/", {"q": "many"}).content.decode()
    # Keyset pages (issue 10 item 21): no "Page N of M", a Next link that keeps the search.
    assert page.count("many.example.com</a>") == 25 and 'rel="next"' in page
    assert "?q=many&amp;after=" in page and 'rel="prev"' not in page


def test_the_audit_log_filters_by_action_and_actor(client_as, ca_admin, operator, issuing_ca):
    services.certificate_issue(
        ca=issuing_ca, csr=make_csr("a.example.com"), profile="server", days=1, actor=operator
    )
    client = client_as(ca_admin)
    page = client.get("/ca/audit/", {"action": "certificate.sign"}).content.decode()
    assert "a.example.com" in page and "Created root CA" not in page
    page = client.get("/ca/audit/", {"actor": "operator"}).content.decode()
    assert "a.example.com" in page
    page = client.get("/ca/audit/", {"actor": "somebody-else"}).content.decode()
    assert "No events match" in page

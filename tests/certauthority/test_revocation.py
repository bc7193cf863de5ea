"""Revocation: CRLs and OCSP answers that openssl accepts (RFC 5280, RFC 6960)."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from certauthority import services
from certauthority.models import AuditEvent
from certauthority.pki.errors import PKIError

from .conftest import make_csr, pem

pytestmark = pytest.mark.django_db


def _issue(ca, cn="www.example.com"):
    return services.certificate_issue(
        ca=ca, csr=make_csr(cn), profile="server", days=30, actor=None
    ).certificate


def test_openssl_refuses_a_revoked_certificate_with_the_crl(
    issuing_ca, chain_files, write, openssl, client
):
    root, intermediate = chain_files
    row = _issue(issuing_ca)
    leaf = write("leaf.pem", row.pem)
    crl = write("before.crl", client.get("/crl/example-issuing-ca.crl?encoding=pem").content)
    ok = openssl(
        "verify", "-crl_check", "-CRLfile", crl, "-CAfile", root, "-untrusted", intermediate, leaf
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr

    services.certificate_revoke(certificate=row, reason="keyCompromise", actor="cli:admin")
    crl = write("after.crl", client.get("/crl/example-issuing-ca.crl?encoding=pem").content)
    refused = openssl(
        "verify", "-crl_check", "-CRLfile", crl, "-CAfile", root, "-untrusted", intermediate, leaf
    )
    assert refused.returncode != 0
    assert "certificate revoked" in refused.stdout + refused.stderr


def test_each_new_crl_has_a_higher_number_and_lists_the_reason(issuing_ca, client):
    row = _issue(issuing_ca)
    first = x509.load_der_x509_crl(client.get("/crl/example-issuing-ca.crl").content)
    services.certificate_revoke(certificate=row, reason="superseded", actor=None)
    response = client.get("/crl/example-issuing-ca.crl")
    assert response["Content-Type"] == "application/pkix-crl"
    second = x509.load_der_x509_crl(response.content)
    number = lambda crl: crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number  # noqa: E731
    assert number(second) > number(first)
    entry = second.get_revoked_certificate_by_serial_number(int(row.serial_number, 16))
    assert entry is not None
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.superseded
    )
    assert AuditEvent.objects.filter(action="crl.generate").exists()
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


def test_a_certificate_cannot_be_revoked_twice(issuing_ca):
    row = _issue(issuing_ca)
    services.certificate_revoke(certificate=row, reason="unspecified", actor=None)
    with pytest.raises(PKIError, match="already revoked"):
        services.certificate_revoke(certificate=row, reason="unspecified", actor=None)


def test_an_unknown_reason_is_refused(issuing_ca):
    with pytest.raises(PKIError, match="Unknown revocation reason"):
        services.certificate_revoke(certificate=_issue(issuing_ca), reason="bored", actor=None)


def _ocsp_request(cert: x509.Certificate, issuer: x509.Certificate) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303 (openssl default)
    return builder.build().public_bytes(serialization.Encoding.DER)


def test_ocsp_answers_good_then_revoked_over_post_and_get(issuing_ca, client):
    row = _issue(issuing_ca)
    leaf = x509.load_pem_x509_certificate(row.pem.encode())
    issuer = services.ca_chain(ca=issuing_ca)[0]
    request = _ocsp_request(leaf, issuer)

    response = client.post(
        "/ocsp/example-issuing-ca/", data=request, content_type="application/ocsp-request"
    )
    assert response["Content-Type"] == "application/ocsp-response"
    answer = ocsp.load_der_ocsp_response(response.content)
    assert answer.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD

    services.certificate_revoke(certificate=row, reason="keyCompromise", actor=None)
    encoded = base64.b64encode(request).decode()
    answer = ocsp.load_der_ocsp_response(client.get(f"/ocsp/example-issuing-ca/{encoded}").content)
    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_reason == x509.ReasonFlags.key_compromise


def test_ocsp_says_unknown_for_a_serial_the_ca_never_issued(issuing_ca, client):
    other = services.ca_create_root(name="Other", subject="CN=Other", key_type="ec256", actor=None)
    stranger = x509.load_pem_x509_certificate(_issue(other).pem.encode())
    # Same issuer name and key as the issuing CA, but a serial it never used.
    issuer = services.ca_chain(ca=issuing_ca)[0]
    fake = (
        x509.CertificateBuilder()
        .subject_name(stranger.subject)
        .issuer_name(issuer.subject)
        .public_key(stranger.public_key())
        .serial_number(12345)
        .not_valid_before(stranger.not_valid_before_utc)
        .not_valid_after(stranger.not_valid_after_utc)
        .sign(services.ca_issuer(ca=other).private_key, hashes.SHA256())
    )
    response = client.post(
        "/ocsp/example-issuing-ca/",
        data=_ocsp_request(fake, issuer),
        content_type="application/ocsp-request",
    )
    assert ocsp.load_der_ocsp_response(response.content).certificate_status == (
        ocsp.OCSPCertStatus.UNKNOWN
    )


def test_ocsp_refuses_garbage_and_questions_for_another_ca(issuing_ca, root_ca, client):
    garbage = client.post(
        "/ocsp/example-issuing-ca/", data=b"hello", content_type="application/ocsp-request"
    )
    assert ocsp.load_der_ocsp_response(garbage.content).response_status == (
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )
    leaf = x509.load_pem_x509_certificate(_issue(issuing_ca).pem.encode())
    request = _ocsp_request(leaf, services.ca_chain(ca=issuing_ca)[0])
    wrong = client.post(
        "/ocsp/example-root-ca/", data=request, content_type="application/ocsp-request"
    )
    assert ocsp.load_der_ocsp_response(wrong.content).response_status == (
        ocsp.OCSPResponseStatus.UNAUTHORIZED
    )
    assert client.get("/ocsp/example-issuing-ca/%%%").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_openssl_ocsp_gets_good_then_revoked_from_the_live_responder(live_server, write, openssl):
    root_ca = services.ca_create_root(
        name="Live Root", subject="CN=Live Root", key_type="ec256", actor=None
    )
    ca = services.ca_create_intermediate(
        name="Live Issuing", parent=root_ca, subject="CN=Live Issuing", key_type="ec256", actor=None
    )
    chain = services.ca_chain(ca=ca)
    root = write("root.pem", pem(chain[-1]))
    issuer = write("issuer.pem", pem(chain[0]))
    row = _issue(ca, "cb1.example.com")
    leaf = write("leaf.pem", row.pem)
    url = f"{live_server.url}/ocsp/{ca.slug}/"

    def ask() -> str:
        result = openssl("ocsp", "-issuer", issuer, "-cert", leaf, "-url", url, "-CAfile", root)
        assert "Response verify OK" in result.stderr + result.stdout, result.stderr
        return result.stdout

    assert f"{leaf}: good" in ask()
    services.certificate_revoke(certificate=row, reason="keyCompromise", actor=None)
    answer = ask()
    assert f"{leaf}: revoked" in answer
    assert "Reason: keyCompromise" in answer


def test_crl_and_ocsp_are_public_but_other_ca_pages_need_login(issuing_ca, client):
    assert client.get("/crl/example-issuing-ca.crl").status_code == 200
    assert client.get("/ocsp/example-issuing-ca/").status_code == 200
    assert client.get("/crl/no-such-ca.crl").status_code == 404
    response = client.get("/ca/example-issuing-ca/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

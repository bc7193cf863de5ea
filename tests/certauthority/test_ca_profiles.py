"""What the internal CA writes into certificates (issue 9, items 5 and 6), judged by openssl
and pkilint: keyUsage, the caIssuers URL and what it serves, validity limits of TLS server
certificates, RFC 5280 lint of every profile and of the CRL, and the changeable base URL."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.management import call_command
from pkilint import loader, pkix
from pkilint.pkix import certificate as pkix_certificate
from pkilint.pkix import crl as pkix_crl
from pkilint.pkix import extension, name
from pkilint.validation import ValidationFindingSeverity

from certauthority import services
from certauthority.models import AuditEvent, CertificateAuthority
from certauthority.pki.errors import PKIError
from certauthority.pki.sign import TLS_SERVER_MAX_DAYS, TLS_SERVER_WARN_DAYS, CertProfile

from .conftest import make_csr, pem

LEAF_PROFILES = [p for p in CertProfile if p is not CertProfile.CA]


def _issue(ca, *, profile="server", days=30, key=None, **kwargs):
    return services.certificate_issue(
        ca=ca, csr=make_csr(key=key), profile=profile, days=days, actor=None, **kwargs
    )


def _x509(issued) -> x509.Certificate:
    return x509.load_pem_x509_certificate(issued.certificate.pem.encode())


# --- keyUsage (item 6) ------------------------------------------------------------------------


@pytest.mark.parametrize("profile", LEAF_PROFILES)
def test_an_ec_leaf_has_digital_signature_only(issuing_ca, write, openssl, profile):
    issued = _issue(issuing_ca, profile=profile)
    text = openssl(
        "x509", "-noout", "-ext", "keyUsage", "-in", write("c.pem", issued.certificate.pem)
    )
    assert "Digital Signature" in text.stdout
    assert "Key Agreement" not in text.stdout


def test_an_rsa_leaf_keeps_key_encipherment(issuing_ca, rsa2048_key, write, openssl):
    issued = _issue(issuing_ca, key=rsa2048_key)
    text = openssl(
        "x509", "-noout", "-ext", "keyUsage", "-in", write("c.pem", issued.certificate.pem)
    )
    assert "Digital Signature, Key Encipherment" in text.stdout


# --- caIssuers (item 6) -----------------------------------------------------------------------


def _ca_issuers_url(openssl, path) -> str:
    text = openssl("x509", "-noout", "-ext", "authorityInfoAccess", "-in", path, check=True).stdout
    line = next(line for line in text.splitlines() if "CA Issuers - URI:" in line)
    return line.split("URI:", 1)[1].strip()


def test_the_caissuers_url_of_a_leaf_serves_its_issuer_without_login(
    client, issuing_ca, write, openssl, tmp_path
):
    leaf = write("leaf.pem", _issue(issuing_ca).certificate.pem)
    url = _ca_issuers_url(openssl, leaf)
    assert url == f"http://127.0.0.1:8000/crl/{issuing_ca.slug}.crt"
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))  # anonymous
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-cert"
    issuer_der = tmp_path / "issuer.der"
    issuer_der.write_bytes(response.content)
    issuer_pem = tmp_path / "issuer.pem"
    openssl("x509", "-inform", "DER", "-in", issuer_der, "-out", issuer_pem, check=True)
    # openssl: what the URL serves is the certificate that signed the leaf.
    verified = openssl("verify", "-partial_chain", "-CAfile", issuer_pem, leaf)
    assert verified.returncode == 0 and "OK" in verified.stdout, verified.stderr
    pem_response = client.get(url.removeprefix("http://127.0.0.1:8000") + "?encoding=pem")
    assert pem_response.content.startswith(b"-----BEGIN CERTIFICATE-----")


def test_an_intermediate_points_to_its_root_and_the_root_serves_itself(
    client, root_ca, issuing_ca, write, openssl
):
    intermediate = write("int.pem", issuing_ca.certificate.pem)
    url = _ca_issuers_url(openssl, intermediate)
    assert url.endswith(f"/crl/{root_ca.slug}.crt")
    served = client.get(url.removeprefix("http://127.0.0.1:8000")).content
    assert (
        x509.load_der_x509_certificate(served).subject
        == x509.load_pem_x509_certificate(root_ca.certificate.pem.encode()).subject
    )
    assert client.get("/crl/no-such-ca.crt").status_code == 404


# --- validity of TLS server certificates (item 6) --------------------------------------------


@pytest.mark.parametrize("profile", ["server", "server-client"])
def test_a_server_certificate_above_825_days_is_refused_unless_forced(issuing_ca, profile):
    with pytest.raises(PKIError) as caught:
        _issue(issuing_ca, profile=profile, days=TLS_SERVER_MAX_DAYS + 1)
    assert "Apple" in str(caught.value) and f"at most {TLS_SERVER_MAX_DAYS}" in str(caught.value)
    forced = _issue(issuing_ca, profile=profile, days=TLS_SERVER_MAX_DAYS + 1, force=True)
    assert any("Apple" in w for w in forced.warnings)


def test_a_server_certificate_above_398_days_is_signed_with_a_warning(issuing_ca):
    issued = _issue(issuing_ca, days=TLS_SERVER_WARN_DAYS + 1)
    assert any(f"{TLS_SERVER_WARN_DAYS} days" in w for w in issued.warnings)
    assert _issue(issuing_ca, days=TLS_SERVER_WARN_DAYS).warnings == []


def test_an_825_day_certificate_spans_exactly_825_days_as_apple_counts(issuing_ca):
    cert = _x509(_issue(issuing_ca, days=TLS_SERVER_MAX_DAYS))
    span = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert span.total_seconds() == TLS_SERVER_MAX_DAYS * 86400


def test_a_client_certificate_is_not_limited_to_825_days(issuing_ca):
    issued = _issue(issuing_ca, profile="client", days=1000)
    assert issued.certificate.profile == "client"


def test_ca_sign_refuses_1000_days_and_signs_with_force(issuing_ca, tmp_path):
    import io

    from django.core.management import CommandError

    csr = tmp_path / "s.csr"
    csr.write_bytes(pem(make_csr()))
    args = ["ca", "sign", str(csr), "--ca", issuing_ca.name, "--profile", "server",
            "--days", "1000", "--out", str(tmp_path / "s.crt")]  # fmt: skip
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert caught.value.returncode == 1 and "825" in str(caught.value)
    assert not (tmp_path / "s.crt").exists()
    err = io.StringIO()
    call_command(*args, "--force", stdout=io.StringIO(), stderr=err)
    assert (tmp_path / "s.crt").exists() and "Warning:" in err.getvalue()


def test_the_web_sign_form_refuses_1000_days_unless_the_box_is_ticked(
    client_as, operator, issuing_ca
):
    client = client_as(operator)
    base = {
        "step": "sign",
        "csr_pem": pem(make_csr()).decode(),
        "ca": issuing_ca.pk,
        "profile": "server",
        "days": 1000,
    }
    refused = client.post("/ca/sign/", base)
    assert "Apple" in refused.content.decode()
    assert issuing_ca.issued_certificates.count() == 0
    forced = client.post("/ca/sign/", {**base, "force": "on"}, follow=True)
    assert "Apple" in forced.content.decode()  # the warning after signing
    assert issuing_ca.issued_certificates.count() == 1


# --- pkilint: no RFC 5280 finding for any profile, RSA or EC, nor the CRL ------------------------


def _pkix_certificate_findings(der: bytes) -> list[str]:
    validator = pkix_certificate.create_pkix_certificate_validator_container(
        pkix_certificate.create_decoding_validators(
            name.ATTRIBUTE_TYPE_MAPPINGS, extension.EXTENSION_MAPPINGS
        ),
        [
            pkix_certificate.create_issuer_validator_container([]),
            pkix_certificate.create_validity_validator_container(),
            pkix_certificate.create_subject_validator_container([]),
            pkix_certificate.create_extensions_validator_container([]),
            pkix_certificate.create_spki_validator_container([]),
        ],
    )
    document = loader.RFC5280CertificateDocumentLoader().load_der_document(der, "cert")
    return _findings(validator.validate(document.root))


def _pkix_crl_findings(der: bytes) -> list[str]:
    validator = pkix_crl.create_pkix_crl_validator_container(
        [
            pkix.create_attribute_decoder(name.ATTRIBUTE_TYPE_MAPPINGS),
            pkix.create_extension_decoder(extension.EXTENSION_MAPPINGS),
        ],
        [
            pkix_crl.create_issuer_validator_container([]),
            pkix_crl.create_validity_validator_container([]),
            pkix_crl.create_extensions_validator_container([]),
        ],
    )
    document = loader.RFC5280CertificateListDocumentLoader().load_der_document(der, "crl")
    return _findings(validator.validate(document.root))


def _findings(results) -> list[str]:
    """Every finding from FATAL to NOTICE as "SEVERITY code at path".

    INFO is left out: it reports facts, not problems (e.g. "the SKI was made with
    method 1 of RFC 5280 4.2.1.2").
    """
    return [
        f"{finding.finding.severity.name} {finding.finding.code} at {result.node.path}"
        for result in results
        for finding in result.finding_descriptions
        if finding.finding.severity <= ValidationFindingSeverity.NOTICE
    ]


@pytest.mark.parametrize("key_kind", ["rsa", "ec"])
@pytest.mark.parametrize("profile", LEAF_PROFILES)
def test_every_profile_lints_clean_with_pkilint(issuing_ca, profile, key_kind, rsa2048_key):
    key = rsa2048_key if key_kind == "rsa" else ec.generate_private_key(ec.SECP256R1())
    cert = _x509(_issue(issuing_ca, profile=profile, key=key))
    from cryptography.hazmat.primitives import serialization

    assert _pkix_certificate_findings(cert.public_bytes(serialization.Encoding.DER)) == []


def test_the_ca_certificates_and_the_crl_lint_clean_with_pkilint(root_ca, issuing_ca):
    from cryptography.hazmat.primitives import serialization

    for ca in (root_ca, issuing_ca):
        cert = x509.load_pem_x509_certificate(ca.certificate.pem.encode())
        assert _pkix_certificate_findings(cert.public_bytes(serialization.Encoding.DER)) == []
    leaf = _issue(issuing_ca).certificate
    services.certificate_revoke(certificate=leaf, reason="keyCompromise", actor=None)
    assert _pkix_crl_findings(services.crl_generate(ca=issuing_ca, actor=None)) == []


def test_an_rsa_ca_lints_clean_too(db):
    root = services.ca_create_root(name="RSA Root", subject="CN=RSA Root,O=Example", actor=None)
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(root.certificate.pem.encode())
    assert isinstance(cert.public_key(), rsa.RSAPublicKey)
    assert _pkix_certificate_findings(cert.public_bytes(serialization.Encoding.DER)) == []
    assert _pkix_crl_findings(services.crl_generate(ca=root, actor=None)) == []


# --- the CRL/OCSP base URL (item 5) ----------------------------------------------------------


def test_a_ca_admin_changes_the_base_url_for_certificates_signed_from_then_on(
    issuing_ca, write, openssl
):
    before = write("before.pem", _issue(issuing_ca).certificate.pem)
    services.ca_set_base_url(ca=issuing_ca, base_url="https://pki.example.com/", actor="admin")
    after = write("after.pem", _issue(issuing_ca).certificate.pem)
    new_text = openssl("x509", "-noout", "-text", "-in", after, check=True).stdout
    assert f"URI:https://pki.example.com/crl/{issuing_ca.slug}.crl" in new_text
    assert f"OCSP - URI:https://pki.example.com/ocsp/{issuing_ca.slug}/" in new_text
    assert f"CA Issuers - URI:https://pki.example.com/crl/{issuing_ca.slug}.crt" in new_text
    old_text = openssl("x509", "-noout", "-text", "-in", before, check=True).stdout
    assert "http://127.0.0.1:8000/crl/" in old_text  # signed before: unchanged
    event = AuditEvent.objects.filter(action="ca.change").get()
    assert "https://pki.example.com" in event.summary and event.actor_name == "admin"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://pki.example.com", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https://pki.example.com/a b", "space"),
        ("https://pki.example.com/\x00", "control character"),
        ("https://pki.example.com/\nreboot", "control character"),
        ("https://user:pw@pki.example.com", "without user name"),
        ("https://pki.example.com/?q=1", "query"),
        ("https://" + "a" * 250 + ".example.com", "the limit is 200"),
        ("https://", "without user name"),
        ("", "empty"),
    ],
)
def test_a_bad_base_url_is_refused_with_a_message_and_nothing_changes(issuing_ca, url, message):
    with pytest.raises(PKIError) as caught:
        services.ca_set_base_url(ca=issuing_ca, base_url=url, actor=None)
    assert message in str(caught.value)
    assert CertificateAuthority.objects.get(pk=issuing_ca.pk).base_url == "http://127.0.0.1:8000"
    assert not AuditEvent.objects.filter(action="ca.change").exists()


def test_the_ca_page_lets_a_ca_admin_change_the_url_and_refuses_others(
    client_as, ca_admin, operator, issuing_ca
):
    path = f"/ca/{issuing_ca.slug}/urls/"
    assert client_as(operator).post(path, {"base_url": "https://x.example.com"}).status_code == 403
    admin = client_as(ca_admin)
    page = admin.get(f"/ca/{issuing_ca.slug}/").content.decode()
    assert "loopback" in page and 'name="base_url"' in page
    bad = admin.post(path, {"base_url": "ftp://x.example.com"})
    assert bad.status_code == 400 and "http:// or https://" in bad.content.decode()
    good = admin.post(path, {"base_url": "https://pki.example.com"}, follow=True)
    assert f"https://pki.example.com/crl/{issuing_ca.slug}.crl" in good.content.decode()
    assert CertificateAuthority.objects.get(pk=issuing_ca.pk).base_url == "https://pki.example.com"


def test_the_new_ca_form_shows_the_urls_that_will_be_written(client_as, ca_admin, settings):
    settings.CERTDESK_PUBLIC_URL = "https://certdesk.example.com"
    page = client_as(ca_admin).get("/ca/new/").content.decode()
    assert "https://certdesk.example.com/crl/short-name.crl" in page
    assert "https://certdesk.example.com/ocsp/short-name/" in page
    assert "https://certdesk.example.com/crl/short-name.crt" in page
    response = client_as(ca_admin).post(
        "/ca/new/",
        {"name": "Url Root", "key_type": "ec256", "base_url": "https://pki.example.org"},
    )
    assert response.status_code == 302
    assert CertificateAuthority.objects.get(slug="url-root").crl_url == (
        "https://pki.example.org/crl/url-root.crl"
    )


def test_a_ca_created_later_follows_certdesk_public_url(db, settings):
    settings.CERTDESK_PUBLIC_URL = "https://certdesk.example.com"
    ca = services.ca_create_root(name="Later Root", subject="CN=Later Root", key_type="ec256",
                                 actor=None)  # fmt: skip
    assert ca.ocsp_url == "https://certdesk.example.com/ocsp/later-root/"


def test_the_deploy_check_warns_about_a_loopback_public_url(settings):
    from certauthority.checks import ca_urls_reachable, public_url_reachable

    settings.DEBUG = False
    settings.CERTDESK_PUBLIC_URL = "http://127.0.0.1:8000"
    assert [w.id for w in public_url_reachable(None)] == ["certauthority.W001"]
    settings.CERTDESK_PUBLIC_URL = "http://localhost"
    assert [w.id for w in public_url_reachable(None)] == ["certauthority.W001"]
    settings.CERTDESK_PUBLIC_URL = "https://certdesk.example.com"
    assert public_url_reachable(None) == []
    settings.DEBUG = True
    settings.CERTDESK_PUBLIC_URL = "http://127.0.0.1:8000"
    assert public_url_reachable(None) == []
    assert ca_urls_reachable(None, databases=None) == []


@pytest.mark.django_db
def test_the_database_check_names_each_ca_with_a_loopback_url(root_ca, settings):
    from certauthority.checks import ca_urls_reachable

    settings.DEBUG = False
    warnings = ca_urls_reachable(None, databases=["default"])
    assert [w.id for w in warnings] == ["certauthority.W002"]
    assert root_ca.name in warnings[0].msg and f"set-url {root_ca.slug}" in warnings[0].hint
    services.ca_set_base_url(ca=root_ca, base_url="https://pki.example.com", actor=None)
    assert ca_urls_reachable(None, databases=["default"]) == []

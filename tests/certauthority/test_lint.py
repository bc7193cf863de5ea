"""Issue 14 (the lint part): pkilint over what CertDesk makes and what it is given, on the
certificate page and as ``pki lint``."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.urls import reverse

from certauthority import services
from certauthority.pki.lint import lint_certificate, lint_crl
from certauthority.pki.sign import CertProfile
from certauthority.selectors import certificate_lint
from tests.cli.test_pki_command import pki

from .conftest import make_csr

pytestmark = pytest.mark.django_db


def _broken_leaf() -> x509.Certificate:
    """A TLS server certificate a careless script would make: no AKI/SKI, basicConstraints
    missing, the name only in the CN (no subjectAltName), one-day-old clock."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "join.example.com")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("key_type", ["ec", "rsa"])
@pytest.mark.parametrize("profile", [p for p in CertProfile if p is not CertProfile.CA])
def test_every_profile_certdesk_issues_has_no_lint_finding(
    issuing_ca, profile, key_type, rsa2048_key
):
    key = rsa2048_key if key_type == "rsa" else ec.generate_private_key(ec.SECP256R1())
    issued = services.certificate_issue(
        ca=issuing_ca, csr=make_csr(key=key), profile=profile, days=30, actor=None
    )
    assert certificate_lint(certificate=issued.certificate) == []


def test_the_cas_and_the_crl_have_no_lint_finding(root_ca, issuing_ca):
    for ca in (root_ca, issuing_ca):
        assert certificate_lint(certificate=ca.certificate) == []
    assert lint_crl(services.crl_generate(ca=issuing_ca, actor=None)) == []


def test_a_broken_certificate_is_flagged_and_the_forum_s_rules_apply_only_when_public():
    private = lint_certificate(_der(_broken_leaf()))
    codes = {f.code for f in private}
    assert any(f.is_error for f in private)
    assert "pkix.authority_key_identifier_extension_absent" in codes
    assert all(f.standard == "RFC 5280" for f in private)
    public = lint_certificate(_der(_broken_leaf()), public=True)
    forum = [f for f in public if f.standard == "CA/B Forum"]
    assert forum and any("san" in f.code or "subject" in f.code for f in forum)


def test_the_page_shows_lint_and_the_forum_s_rules_only_for_a_public_ca_s_certificate(
    client_as, viewer
):
    pem = _broken_leaf().public_bytes(serialization.Encoding.PEM)
    imported = services.certificate_import(pem=pem, source="imported", key=None, actor=None)
    client = client_as(viewer)
    page = client.get(reverse("certauthority:certificate-detail", args=[imported.pk]))
    html = page.content.decode()
    assert 'id="lint-findings"' in html and "authority_key_identifier_extension_absent" in html
    assert "cabf." not in html
    imported.source = "public"
    imported.save()
    html = client.get(reverse("certauthority:certificate-detail", args=[imported.pk])).content
    assert b"cabf.serverauth" in html


def test_pki_lint_says_no_finding_for_certdesk_s_own_and_exits_1_on_errors(issuing_ca, tmp_path):
    issued = services.certificate_issue(
        ca=issuing_ca, csr=make_csr(), profile="server", days=30, actor=None
    )
    (tmp_path / "good.crt").write_text(issued.certificate.pem)
    (tmp_path / "bad.crt").write_bytes(_der(_broken_leaf()))  # DER is read too
    (tmp_path / "ca.crl").write_bytes(services.crl_generate(ca=issuing_ca, actor=None))
    (tmp_path / "junk.txt").write_text("not a certificate")
    ok = pki(tmp_path, "lint", "good.crt", "ca.crl")
    assert ok.code == 0, ok.err
    assert "good.crt: certificate" in ok.out and ok.out.count("no finding") == 2
    assert "ca.crl: CRL of" in ok.out
    bad = pki(tmp_path, "lint", "good.crt", "bad.crt")
    assert bad.code == 1
    assert "bad.crt: certificate CN=join.example.com: ERROR pkix." in bad.out
    assert "lint errors" in bad.err and "Traceback" not in bad.err
    public = pki(tmp_path, "lint", "--public", "bad.crt")
    assert "(CA/B Forum)" in public.out
    junk = pki(tmp_path, "lint", "junk.txt")
    assert junk.code == 1 and junk.err.strip() and "Traceback" not in junk.err


def test_a_plan_entry_holding_a_broken_certificate_shows_it_in_the_deployment_s_findings(
    load_example, internal_ca, client_as, viewer
):
    from deployments import selectors as dep_selectors
    from deployments import services as dep_services

    deployment = load_example("single-split", internal_ca=internal_ca.name)
    dep_services.deployment_issue(deployment=deployment, actor="test")
    assert dep_selectors.deployment_lint_findings(deployment=deployment) == []
    row = deployment.certificate_plans.filter(certificate__isnull=False).order_by("pk").first()
    pem = _broken_leaf().public_bytes(serialization.Encoding.PEM)
    row.certificate = services.certificate_import(pem=pem, source="imported", key=None, actor=None)
    row.save()
    found = dep_selectors.deployment_lint_findings(deployment=deployment)
    assert found and all(f.component == row.basename for f in found)
    assert any(f.severity == "error" and f.rule == "RFC 5280" for f in found)
    page = client_as(viewer).get(reverse("deployments:findings", args=[deployment.pk]))
    assert f"{row.basename}.crt breaks a rule of RFC 5280" in page.content.decode()


@pytest.mark.parametrize("key_type", ["ec", "rsa"])
def test_a_self_signed_lab_certificate_lints_clean(key_type, rsa2048_key):
    """R6.1's lab certificates are leaves: RFC 5280 wants their AKI (pkilint found it missing)."""
    from certauthority.pki.csr import CsrRequest
    from certauthority.pki.names import classify_names
    from certauthority.pki.selfsigned import build_self_signed

    key = rsa2048_key if key_type == "rsa" else ec.generate_private_key(ec.SECP256R1())
    request = CsrRequest(
        attributes={"cn": "lab.example.com"}, alt_names=classify_names(["lab.example.com"])
    )
    assert lint_certificate(_der(build_self_signed(key, request, days=365))) == []

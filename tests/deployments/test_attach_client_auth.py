"""Attach warns when a certificate that the component presents as a TLS client lacks clientAuth
(issue 9 item 4; SPEC R2.5, R4.7.1, R5.4): public CAs are dropping it from server certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID

from deployments import services

from .test_attach import PublicCA, pem

pytestmark = pytest.mark.django_db


def _leaf(ca: PublicCA, csr_pem: str, eku: list[x509.ObjectIdentifier]) -> x509.Certificate:
    csr = x509.load_pem_x509_csr(csr_pem.encode())
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca.inter.subject)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=200))
        .add_extension(san, critical=False)
        .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        .sign(ca.inter_key, hashes.SHA256())
    )


@pytest.fixture
def federated(load_example, internal_ca):
    # R2.4: Lync federation makes the Call Bridge's certificate public.
    deployment = load_example(
        "single-combined", internal_ca=internal_ca.name, options={"lync_federation": True}
    )
    services.deployment_issue(deployment=deployment, actor="test")
    return deployment


def _not_lint(warnings: list[str]) -> list[str]:
    return [w for w in warnings if not w.startswith("Lint: ")]


def test_a_call_bridge_certificate_without_client_auth_is_attached_with_a_warning(federated):
    ca = PublicCA()
    plan = federated.certificate_plans.get(basename="callbridge")
    leaf = _leaf(ca, plan.signing_request.pem, [ExtendedKeyUsageOID.SERVER_AUTH])
    result = services.plan_attach_certificate(
        plan=plan, data=pem(leaf, ca.inter, ca.root), actor="test"
    )
    assert result.plan.certificate is not None
    usage = _not_lint(result.warnings)  # this test CA's leaves also draw lint (issue 14)
    assert len(usage) == 1 and "clientAuth" in usage[0]
    # The deployment's findings say it too, as an error (R5.4).
    found = services.selectors.deployment_findings(deployment=federated)
    assert any(f.component == "callbridge" and "clientAuth" in f.problem for f in found)


def test_with_client_auth_there_is_no_warning(federated):
    ca = PublicCA()
    plan = federated.certificate_plans.get(basename="callbridge")
    leaf = _leaf(
        ca,
        plan.signing_request.pem,
        [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
    )
    result = services.plan_attach_certificate(
        plan=plan, data=pem(leaf, ca.inter, ca.root), actor="test"
    )
    assert _not_lint(result.warnings) == []


def test_the_command_line_prints_the_warning(federated, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    ca = PublicCA()
    plan = federated.certificate_plans.get(basename="callbridge")
    leaf = _leaf(ca, plan.signing_request.pem, [ExtendedKeyUsageOID.SERVER_AUTH])
    answer = tmp_path / "answer.pem"
    answer.write_bytes(pem(leaf, ca.inter, ca.root))
    out, err = StringIO(), StringIO()
    call_command(
        "deployment", "attach", federated.name, "callbridge", str(answer), stdout=out, stderr=err
    )
    assert "attached" in out.getvalue()
    assert "WARNING" in err.getvalue() and "clientAuth" in err.getvalue()

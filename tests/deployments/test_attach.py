"""The public CA's answer comes back: attach it to its plan entry (SPEC R3.1, R3.11, R4.3)."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from certauthority.models import Certificate
from deployments import services
from deployments.models import CertificatePlan

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, issuer_name, public_key, signing_key, *, ca, san=None, days=365):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(san, critical=False)
    return builder.sign(signing_key, hashes.SHA256())


class PublicCA:
    """A stand-in for the public CA: a root and an intermediate that sign CSRs as asked."""

    def __init__(self) -> None:
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _cert(_name("Public Root"), _name("Public Root"), self.root_key.public_key(),
                          self.root_key, ca=True)  # fmt: skip
        self.inter_key = ec.generate_private_key(ec.SECP256R1())
        self.inter = _cert(_name("Public Issuing"), self.root.subject,
                           self.inter_key.public_key(), self.root_key, ca=True)  # fmt: skip

    def sign(self, csr_pem: str, *, san_override=None) -> x509.Certificate:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        if san_override is not None:
            san = x509.SubjectAlternativeName([x509.DNSName(n) for n in san_override])
        return _cert(csr.subject, self.inter.subject, csr.public_key(), self.inter_key,
                     ca=False, san=san)  # fmt: skip


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@pytest.fixture
def issued(load_example, internal_ca):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    services.deployment_issue(deployment=deployment, actor="test")
    return deployment


@pytest.fixture
def public_ca():
    return PublicCA()


def _webbridge(deployment) -> CertificatePlan:
    return deployment.certificate_plans.get(basename="webbridge")


def test_the_leaf_and_chain_in_any_order_become_certificate_and_ordered_bundle(
    issued, public_ca, openssl, tmp_path
):
    plan = _webbridge(issued)
    leaf = public_ca.sign(plan.signing_request.pem)
    shuffled = [leaf, public_ca.root, public_ca.inter]
    random.Random(4).shuffle(shuffled)
    services.plan_attach_certificate(plan=plan, data=pem(*shuffled), actor="test")
    plan.refresh_from_db()
    assert plan.status == "issued"
    assert plan.certificate.source == "public"
    assert plan.certificate.key_id == plan.keypair_id
    # R3.11 / R1.4: issuing CA first, root last, no blank lines, one trailing newline.
    assert plan.bundle_pem == pem(public_ca.inter, public_ca.root).decode()

    out = tmp_path / "out"
    services.deployment_scripts_write(deployment=issued, out_dir=out, actor="test")
    edge = out / "edge1"
    result = openssl("verify", "-CAfile", edge / "webbridge_bundle.crt", edge / "webbridge.crt")
    assert result.returncode == 0, result.stderr
    match = openssl("x509", "-in", edge / "webbridge.crt", "-noout", "-pubkey").stdout
    assert match == openssl("pkey", "-in", edge / "webbridge.key", "-pubout").stdout


def test_the_bundle_may_come_in_a_separate_file(issued, public_ca):
    plan = _webbridge(issued)
    leaf = public_ca.sign(plan.signing_request.pem)
    services.plan_attach_certificate(
        plan=plan, data=pem(leaf), bundle=pem(public_ca.root, public_ca.inter), actor="test"
    )
    plan.refresh_from_db()
    assert plan.bundle_pem.count("BEGIN CERTIFICATE") == 2


def test_a_certificate_for_another_key_is_refused_and_nothing_is_saved(issued, public_ca):
    plan = _webbridge(issued)
    xmpp = issued.certificate_plans.get(basename="xmppserver")
    wrong = public_ca.sign(xmpp.signing_request.pem)
    before = Certificate.objects.count()
    with pytest.raises(services.DeploymentError, match="does not belong to the key of webbridge"):
        services.plan_attach_certificate(plan=plan, data=pem(wrong, public_ca.inter), actor="t")
    plan.refresh_from_db()
    assert plan.certificate is None and plan.bundle_pem == ""
    assert Certificate.objects.count() == before


def test_a_certificate_missing_a_planned_name_is_refused(issued, public_ca):
    # SPEC R3.7 / R5.2: the XMPP certificate must hold the XMPP domain as well.
    xmpp = issued.certificate_plans.get(basename="xmppserver")
    leaf = public_ca.sign(xmpp.signing_request.pem, san_override=["xmpp.example.com"])
    with pytest.raises(services.DeploymentError, match=r"does not cover example\.com"):
        services.plan_attach_certificate(plan=xmpp, data=pem(leaf), actor="test")


def test_garbage_instead_of_a_certificate_gets_a_clear_error(issued):
    from certauthority.pki.errors import PKIError

    with pytest.raises(PKIError, match="not a certificate"):
        services.plan_attach_certificate(plan=_webbridge(issued), data=b"\x00garbage", actor="test")


def test_scripts_write_the_csrs_still_waiting_for_the_public_ca(issued, tmp_path):
    written = services.deployment_scripts_write(deployment=issued, out_dir=tmp_path, actor="t")
    csrs = sorted(p.name for p in written if p.parent.name == "csr")
    # The split example's public-CA entries (R2.4, R3.10).
    assert csrs == ["turn.csr", "webbridge.csr", "xmppserver.csr"]
    assert (tmp_path / "csr" / "webbridge.csr").read_text() == (
        _webbridge(issued).signing_request.pem.strip() + "\n"
    )


def test_the_cli_attaches_and_exits_1_with_one_line_on_a_mismatch(issued, public_ca, tmp_path):
    plan = _webbridge(issued)
    good = tmp_path / "answer.pem"
    good.write_bytes(pem(public_ca.sign(plan.signing_request.pem), public_ca.inter, public_ca.root))
    out = io.StringIO()
    call_command("deployment", "attach", issued.name, "webbridge", str(good), stdout=out)
    assert "webbridge: attached CN=join.example.com" in out.getvalue()
    assert "bundle of 2 certificate(s)" in out.getvalue()

    turn = issued.certificate_plans.get(basename="turn")
    with pytest.raises(CommandError) as exc:
        call_command("deployment", "attach", issued.name, "turn", str(good))
    assert exc.value.returncode == 1
    assert "does not belong to the key of turn" in str(exc.value)
    turn.refresh_from_db()
    assert turn.certificate is None


def test_an_operator_downloads_the_csr_and_attaches_the_answer_in_the_browser(
    client_as, operator, issued, public_ca
):
    client = client_as(operator)
    plan = _webbridge(issued)
    page = client.get(reverse("deployments:plan", args=[issued.pk])).content.decode()
    assert "Download webbridge.csr" in page
    csr = client.get(reverse("deployments:plan-csr", args=[issued.pk, plan.pk]))
    assert csr["Content-Disposition"] == 'attachment; filename="webbridge.csr"'
    answer = pem(public_ca.sign(csr.content.decode()), public_ca.inter, public_ca.root)
    response = client.post(
        reverse("deployments:plan-attach", args=[issued.pk, plan.pk]),
        {f"attach-{plan.pk}-certificate_file": SimpleUploadedFile("webbridge.cer", answer)},
        follow=True,
    )
    assert "webbridge: certificate attached" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "issued"


def test_a_viewer_can_download_the_csr_but_not_attach(client_as, viewer, issued, public_ca):
    client = client_as(viewer)
    plan = _webbridge(issued)
    assert client.get(reverse("deployments:plan-csr", args=[issued.pk, plan.pk])).status_code == 200
    page = client.get(reverse("deployments:plan", args=[issued.pk])).content.decode()
    assert "Attach the certificate the CA returned" not in page
    answer = pem(public_ca.sign(plan.signing_request.pem))
    response = client.post(
        reverse("deployments:plan-attach", args=[issued.pk, plan.pk]),
        {f"attach-{plan.pk}-certificate_text": answer.decode()},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "upload",
    [b"", b"\x00\xff" * 300, b"-----BEGIN CERTIFICATE-----\nMIIB\n", b"A" * 3_000_000],
    ids=["empty", "random", "truncated", "huge"],
)
def test_a_bad_upload_on_the_plan_page_says_what_is_wrong_and_saves_nothing(
    client_as, operator, issued, upload
):
    client = client_as(operator)
    plan = _webbridge(issued)
    before = Certificate.objects.count()
    response = client.post(
        reverse("deployments:plan-attach", args=[issued.pk, plan.pk]),
        {f"attach-{plan.pk}-certificate_file": SimpleUploadedFile("x.cer", upload)},
        follow=True,
    )
    assert response.status_code < 500
    html = response.content.decode()
    if response.status_code == 200:
        assert 'class="alert alert-danger' in html and "webbridge:" in html
    assert Certificate.objects.count() == before
    plan.refresh_from_db()
    assert plan.certificate is None


def test_attaching_says_what_pkilint_finds_before_the_certificate_is_installed(issued, public_ca):
    """Issue 14: this test CA's leaves lack what the CA/B Forum asks of a public CA (e.g.
    certificatePolicies), which the admin hears at attach time, and again in the findings."""
    plan = _webbridge(issued)
    leaf = public_ca.sign(plan.signing_request.pem)
    result = services.plan_attach_certificate(
        plan=plan, data=pem(leaf, public_ca.inter, public_ca.root), actor="test"
    )
    lint = [w for w in result.warnings if w.startswith("Lint: ")]
    assert lint and any("(CA/B Forum)" in w for w in lint)
    from deployments.selectors import deployment_lint_findings

    assert {f.component for f in deployment_lint_findings(deployment=issued)} == {"webbridge"}

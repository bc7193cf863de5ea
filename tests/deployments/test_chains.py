"""Issue 9 item 1: chains of certificates from outside CertDesk, and scripts that name only
files they deliver. The public CA is made by the openssl binary (root -> intermediate)."""

from __future__ import annotations

import re

import pytest
from cryptography import x509
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certauthority.models import Certificate
from deployments import documents, rules, services
from deployments.models import PlanStatus
from deployments.rules.checks.chains import chain_gap

from .publicca import OpenSSLPublicCA

# A file name as the install scripts write them; MMP-side files CertDesk never makes.
FILE_NAME = re.compile(r"(?<![\w/<-])[\w-]+(?:\.[\w-]+)*\.(?:crt|key|pem|cer|csr|dat)\b")
MMP_SIDE = {"license.dat"}  # R4.4: the XMPP licence lives on the server already


@pytest.fixture
def public_ca(tmp_path):
    return OpenSSLPublicCA(tmp_path / "public-ca")


def _load(path):
    return x509.load_pem_x509_certificates(path.read_bytes())


def test_chain_gap_follows_issuer_links_to_a_root(public_ca, tmp_path):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name.from_rfc4514_string("CN=join.example.com"))
        .sign(key, hashes.SHA256())
    )
    leaf = _load(public_ca.sign(csr.public_bytes(serialization.Encoding.PEM).decode(), "x"))[0]
    inter = x509.load_pem_x509_certificate(public_ca.inter)
    root = x509.load_pem_x509_certificate(public_ca.root)
    assert chain_gap(leaf, []) == inter.subject
    assert chain_gap(leaf, [inter]) == root.subject
    assert chain_gap(leaf, [root, inter]) is None  # any order
    assert chain_gap(leaf, [inter], known=[root]) is None  # a known root need not be sent
    assert chain_gap(leaf, [root]) == inter.subject  # the root alone skips the intermediate


@pytest.mark.django_db
def test_the_web_attach_refuses_a_leaf_alone_and_accepts_it_when_the_root_is_vouched_for(
    client_as, operator, load_example, internal_ca, public_ca
):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    services.deployment_issue(deployment=deployment, actor="test")
    plan = deployment.certificate_plans.get(basename="webbridge")
    leaf = public_ca.sign(plan.signing_request.pem, "webbridge").read_bytes()
    client = client_as(operator)
    url = reverse("deployments:plan-attach", args=[deployment.pk, plan.pk])
    before = Certificate.objects.count()
    field = f"attach-{plan.pk}-certificate_file"
    response = client.post(url, {field: SimpleUploadedFile("w.cer", leaf)}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "incomplete" in html and public_ca.issuer_cn in html and "bundle field" in html
    assert Certificate.objects.count() == before
    plan.refresh_from_db()
    assert plan.certificate is None

    page = client.get(reverse("deployments:plan", args=[deployment.pk])).content.decode()
    assert "The issuer is a root that clients trust" in page
    response = client.post(
        url,
        {
            field: SimpleUploadedFile("w.cer", leaf),
            f"attach-{plan.pk}-issuer_is_trusted_root": "on",
        },
        follow=True,
    )
    assert "webbridge: certificate attached" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ISSUED and plan.issuer_is_trusted_root


@pytest.mark.django_db
@pytest.mark.parametrize("example", [p.stem for p in documents.example_paths()])
def test_every_file_an_install_script_names_is_in_that_servers_folder(
    example, load_example, internal_ca, public_ca, tmp_path, openssl
):
    deployment = load_example(example, internal_ca=internal_ca.name)
    services.deployment_issue(deployment=deployment, actor="test")
    for plan in deployment.certificate_plans.filter(certificate__isnull=True):
        assert plan.signer == rules.Signer.PUBLIC_CA, plan.basename
        leaf = public_ca.sign(plan.signing_request.pem, plan.basename)
        services.plan_attach_certificate(
            plan=plan, data=leaf.read_bytes(), bundle=public_ca.inter + public_ca.root, actor="t"
        )
    out = tmp_path / "out"
    services.deployment_scripts_write(deployment=deployment, out_dir=out, actor="test")
    installs = sorted(out.glob("*/install.txt"))
    assert len(installs) == deployment.servers.count()
    for install in installs:
        folder = install.parent
        text = install.read_text()
        # Every line the admin acts on: uploads and commands. Comments may describe what a
        # delivered trust bundle joins (R4.7.1: "… joins core1-callbridge.crt, …").
        acted_on = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        named = set(FILE_NAME.findall(acted_on)) - MMP_SIDE
        assert named, f"{install} names no file"
        missing = sorted(name for name in named if not (folder / name).is_file())
        assert not missing, f"{folder.name}/install.txt names {missing}, not delivered"
        # And what is delivered chains: OpenSSL verifies every certificate with its bundle.
        for line in text.splitlines():
            if line.startswith("pki verify "):
                _, _, cert, bundle = line.split(" ")
                result = openssl("verify", "-CAfile", folder / bundle, folder / cert)
                assert result.returncode == 0, f"{line}: {result.stderr}"

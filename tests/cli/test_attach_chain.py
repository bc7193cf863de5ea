"""Issue 9 items 1 and 3 on the command line: a public CA's answer without its chain, and
the guidance while a public CSR is pending. The public CA is made by the openssl binary."""

from __future__ import annotations

import io
import shlex

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deployments import services
from deployments.models import CertificatePlan
from tests.deployments.publicca import OpenSSLPublicCA

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(load_example, internal_ca):
    deployment = load_example("single-split")
    deployment.internal_ca = internal_ca
    deployment.save()
    services.deployment_issue(deployment=deployment, actor="test")
    return deployment


@pytest.fixture
def public_ca(tmp_path):
    return OpenSSLPublicCA(tmp_path / "public-ca")


def _plan(deployment, basename="webbridge") -> CertificatePlan:
    return deployment.certificate_plans.get(basename=basename)


def _attach(deployment, basename, *args: str) -> str:
    out = io.StringIO()
    call_command("deployment", "attach", deployment.name, basename, *args, stdout=out)
    return out.getvalue()


def _install(tmp_path, deployment, server="edge1") -> str:
    out = tmp_path / "out"
    call_command("deployment", "scripts", deployment.name, "--out", str(out), stdout=io.StringIO())
    return (out / server / "install.txt").read_text()


# --- item 1: the chain ----------------------------------------------------------------------


def test_a_leaf_alone_is_refused_with_what_is_missing_and_how_to_add_it(issued, public_ca):
    leaf = public_ca.sign(_plan(issued).signing_request.pem, "webbridge")
    with pytest.raises(CommandError) as raised:
        _attach(issued, "webbridge", str(leaf))
    message = str(raised.value)
    assert raised.value.returncode == 1
    assert "incomplete" in message and public_ca.issuer_cn in message
    assert "--bundle chain.pem" in message and "--issuer-is-trusted-root" in message
    assert _plan(issued).certificate is None  # nothing saved


def test_the_leaf_with_the_chain_file_is_attached_and_openssl_verifies_what_is_delivered(
    issued, public_ca, tmp_path, openssl
):
    leaf = public_ca.sign(_plan(issued).signing_request.pem, "webbridge")
    out = _attach(issued, "webbridge", str(leaf), "--bundle", str(public_ca.chain_file()))
    assert "bundle of 2 certificate(s)" in out
    install = _install(tmp_path, issued)
    edge = tmp_path / "out" / "edge1"
    result = openssl("verify", "-CAfile", edge / "webbridge_bundle.crt", edge / "webbridge.crt")
    assert result.returncode == 0, result.stderr
    assert "webbridge certs webbridge.key webbridge.crt webbridge_bundle.crt" in install


def test_an_intermediate_without_its_unknown_root_needs_the_operator_to_vouch(issued, public_ca):
    plan = _plan(issued)
    leaf = public_ca.sign(plan.signing_request.pem, "webbridge")
    inter_only = str(public_ca.chain_file(root=False))
    with pytest.raises(CommandError, match="Public-like Root CA"):
        _attach(issued, "webbridge", str(leaf), "--bundle", inter_only)
    out = _attach(
        issued, "webbridge", str(leaf), "--bundle", inter_only, "--issuer-is-trusted-root"
    )
    assert "bundle of 1 certificate(s)" in out and "declared a root" in out
    plan.refresh_from_db()
    assert plan.certificate is not None and plan.issuer_is_trusted_root


def test_a_leaf_under_a_declared_root_gets_a_script_that_names_no_missing_bundle(
    issued, public_ca, tmp_path
):
    leaf = public_ca.sign(_plan(issued).signing_request.pem, "webbridge")
    _attach(issued, "webbridge", str(leaf), "--issuer-is-trusted-root")
    install = _install(tmp_path, issued)
    assert not (tmp_path / "out" / "edge1" / "webbridge_bundle.crt").exists()
    assert "webbridge_bundle.crt" not in install
    assert "webbridge certs webbridge.key webbridge.crt\n" in install
    # The declared root counts as complete: no R1.3 finding for webbridge.
    out = io.StringIO()
    try:
        call_command("deployment", "check", issued.name, stdout=out)
    except CommandError:
        pass  # errors elsewhere in the deployment are not this test's business
    assert not [line for line in out.getvalue().splitlines() if "R1.3\twebbridge" in line]


def test_check_finds_an_incomplete_chain_attached_before_the_fix(issued, public_ca, tmp_path):
    from certauthority import services as ca_services

    plan = _plan(issued)
    leaf = public_ca.sign(plan.signing_request.pem, "webbridge")
    # What the old attach saved: the leaf and an empty bundle.
    plan.certificate = ca_services.certificate_import(
        pem=leaf.read_bytes(), source="public", key=plan.keypair, actor="test"
    )
    plan.bundle_pem = ""
    plan.save()
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("deployment", "check", issued.name, stdout=out)
    assert raised.value.returncode == 1
    lines = [line for line in out.getvalue().splitlines() if "\twebbridge\t" in line]
    assert any(line.startswith("ERROR\tR1.3") and public_ca.issuer_cn in line for line in lines)
    assert any("--bundle chain.pem" in line for line in lines)


# --- item 3: a pending public CSR -----------------------------------------------------------


def test_a_pending_csr_says_send_it_and_attach_never_make_a_new_key(issued, public_ca, tmp_path):
    install = _install(tmp_path, issued)
    lines = install.splitlines()
    assert not any(line.startswith(("pki csr", "openssl")) for line in lines)
    assert "-newkey" not in install
    assert "send csr/webbridge.csr" in install
    assert (tmp_path / "out" / "csr" / "webbridge.csr").is_file()
    attach = next(
        line for line in install.splitlines() if line.startswith("python manage.py deployment")
    )
    assert "attach example-split" in attach
    # The command shown works as written, once the CA's answer and chain are saved under the
    # names it uses.
    csr = (tmp_path / "out" / "csr" / "webbridge.csr").read_text()
    leaf = public_ca.sign(csr, "webbridge")
    words = shlex.split(attach)[2:]
    assert words[:4] == ["deployment", "attach", "example-split", "webbridge"]
    answer, chain = tmp_path / "answer.pem", tmp_path / "chain.pem"
    answer.write_bytes(leaf.read_bytes())
    chain.write_bytes(public_ca.chain_file().read_bytes())
    args = [
        str(answer) if w == "answer.pem" else str(chain) if w == "chain.pem" else w for w in words
    ]
    out = io.StringIO()
    call_command(*args, stdout=out)
    assert "webbridge: attached" in out.getvalue()


def test_key_making_commands_appear_only_when_certdesk_holds_no_key(load_example, tmp_path):
    deployment = load_example("single-split")  # not issued: CertDesk holds no key yet
    install = _install(tmp_path, deployment)
    assert "pki csr webbridge CN:join.example.com" in install
    assert "openssl req -out webbridge.csr -new -newkey" in install

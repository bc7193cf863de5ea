"""Files `deployment scripts` writes per server, judged by openssl: the SIP/LDAP trust bundle
(R4.10), what a remote Call Bridge receives (R4.8, Appendix A) and a self-signed test-lab
certificate (R6.1). Database and the internal CA's services involved."""

from __future__ import annotations

import pytest

from deployments import selectors, services
from deployments.models import CertificatePlan

pytestmark = pytest.mark.django_db


def _files(directory) -> set[str]:
    return {p.name for p in directory.iterdir()}


def test_r4_10_sip_and_ldap_trust_bundles_hold_the_internal_ca_that_signs_the_peers(
    load_example, internal_ca, tmp_path, openssl
):
    deployment = load_example(
        "single-combined",
        internal_ca="Lab Root",
        key_type="ec256",
        options={"sip_tls": True, "ldap_tls": True},
    )
    services.deployment_issue(deployment=deployment, actor="test")
    services.deployment_scripts_write(deployment=deployment, out_dir=tmp_path, actor="test")
    cms1 = tmp_path / "cms1"
    install = (cms1 / "install.txt").read_text()
    for service in ("sip", "ldap"):
        bundle = cms1 / f"tls_{service}_trust.crt"
        assert f"tls {service} trust tls_{service}_trust.crt\ntls {service} verify enable\n" in (
            install
        )
        text = bundle.read_text()
        assert text.count("BEGIN CERTIFICATE") == 1 and "\n\n" not in text
        subject = openssl("x509", "-in", bundle, "-noout", "-subject", check=True).stdout
        assert "CN = Lab Root CA" in subject
        # A peer whose certificate the internal CA signed is trusted through the bundle.
        verdict = openssl("verify", "-no-CApath", "-CAfile", bundle, cms1 / "callbridge.crt")
        assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def test_r4_8_a_remote_call_bridge_receives_only_the_client_pair_and_the_ca_bundle(
    load_example, internal_ca, tmp_path, openssl
):
    deployment = load_example("scalable", internal_ca="Lab Root", key_type="ec256")
    services.deployment_issue(deployment=deployment, actor="test")
    services.deployment_scripts_write(deployment=deployment, out_dir=tmp_path, actor="test")
    db_files = {"dbcluster_client.key", "dbcluster_client.crt", "dbcluster_ca.crt"}
    server_files = {"dbcluster_server.key", "dbcluster_server.crt"}
    core3 = _files(tmp_path / "core3")
    assert db_files <= core3 and not server_files & core3
    assert db_files | server_files <= _files(tmp_path / "db1")

    core3_dir = tmp_path / "core3"
    client = openssl(
        "x509", "-in", core3_dir / "dbcluster_client.crt", "-noout", "-text", check=True
    ).stdout
    subject_line = next(line for line in client.splitlines() if "Subject:" in line)
    assert subject_line.endswith(", CN = postgres")  # SPEC R3.9: exactly postgres
    assert "TLS Web Client Authentication" in client
    verdict = openssl(
        "verify",
        "-no-CApath",
        "-CAfile",
        core3_dir / "dbcluster_ca.crt",
        core3_dir / "dbcluster_client.crt",
    )
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    server = openssl(
        "x509", "-in", tmp_path / "db1" / "dbcluster_server.crt", "-noout", "-text", check=True
    ).stdout
    assert "TLS Web Server Authentication" in server
    assert "DNS:core1.example.com, DNS:core2.example.com, DNS:db1.example.com" in server


def test_r6_1_a_self_signed_plan_entry_is_issued_as_its_own_anchor_without_a_bundle(
    load_example, internal_ca, tmp_path, openssl
):
    deployment = load_example("single-combined", internal_ca="Lab Root", key_type="ec256")
    services.plan_set_signer(
        plan=CertificatePlan.objects.get(basename="webadmin"), signer="self_signed"
    )
    results = {
        r.basename: r.status for r in services.deployment_issue(deployment=deployment, actor="test")
    }
    assert results["webadmin"] == "self-signed"
    services.deployment_scripts_write(deployment=deployment, out_dir=tmp_path, actor="test")
    cms1 = tmp_path / "cms1"
    assert {"webadmin.key", "webadmin.crt"} <= _files(cms1)
    assert "webadmin_bundle.crt" not in _files(cms1)
    crt = cms1 / "webadmin.crt"
    text = openssl("x509", "-in", crt, "-noout", "-subject", "-issuer", check=True).stdout
    assert "subject=CN = cms1.example.com" in text and "issuer=CN = cms1.example.com" in text
    verdict = openssl("verify", "-no-CApath", "-CAfile", crt, crt)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    key_pub = openssl("pkey", "-in", cms1 / "webadmin.key", "-pubout", check=True).stdout
    assert key_pub == openssl("x509", "-in", crt, "-noout", "-pubkey", check=True).stdout
    install = (cms1 / "install.txt").read_text()
    assert "webadmin certs webadmin.key webadmin.crt\nwebadmin restart\n" in install
    assert "pki verify webadmin.crt" not in install
    findings = selectors.deployment_findings(deployment=deployment)
    assert [(f.severity, f.rule, f.component) for f in findings] == [
        ("warning", "R6.1", "webadmin")
    ]

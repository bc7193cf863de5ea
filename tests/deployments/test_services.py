"""Deployments in the database: load, export, the stored plan, issuing and the findings on
real certificates (the internal CA's services sign them)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509

from certauthority.models import KeyPair
from deployments import documents, rules, selectors, services
from deployments.models import CertificatePlan, Component, Deployment, PlanStatus

pytestmark = pytest.mark.django_db


def test_loading_an_example_creates_servers_components_and_the_plan(load_example):
    deployment = load_example("single-split")
    assert [s.name for s in deployment.servers.all()] == ["core1", "edge1"]
    trunk = Component.objects.get(kind="trunk")
    assert trunk.load_balancer.tag == "Edge1toLB"
    assert list(deployment.certificate_plans.values_list("basename", flat=True)) == [
        "callbridge",
        "webbridge",
        "xmppserver",
        "turn",
        "core1-webadmin",
        "edge1-webadmin",
        "edge1",
        "core1",
    ]
    edge1 = CertificatePlan.objects.get(basename="edge1")
    assert [c.ref for c in edge1.components.all()] == ["edge1:load_balancer:Edge1toLB"]


def test_loading_the_same_file_twice_updates_instead_of_duplicating(load_example):
    first = load_example("scalable")
    second = load_example("scalable")
    assert first.pk == second.pk
    assert Deployment.objects.count() == 1
    assert second.certificate_plans.count() == 20


def test_export_then_load_round_trips_exactly(load_example):
    deployment = load_example("scalable")
    exported = selectors.deployment_document(deployment=deployment)
    services.deployment_load_document(document=exported, actor="test")
    again = selectors.deployment_document(
        deployment=Deployment.objects.get(name="example-scalable")
    )
    assert again == exported
    assert documents.validate_document(exported) is exported


def test_a_deployment_naming_an_unknown_internal_ca_is_refused_and_nothing_is_saved(load_example):
    with pytest.raises(documents.DocumentError) as exc:
        load_example("single-split", internal_ca="Nope CA")
    assert exc.value.errors == ["internal_ca: no CA called Nope CA exists in CertDesk."]
    assert Deployment.objects.count() == 0


def test_changing_a_name_drops_the_old_csr_but_keeps_unchanged_entries(load_example, internal_ca):
    deployment = load_example("single-split", internal_ca="Lab Root")
    services.deployment_issue(deployment=deployment, actor="test")
    Component.objects.filter(kind="web_bridge").update(fqdn="meet.example.com")
    services.deployment_plan_sync(deployment=deployment)
    wb = CertificatePlan.objects.get(basename="webbridge")
    assert (wb.common_name, wb.status) == ("meet.example.com", PlanStatus.PLANNED)
    assert CertificatePlan.objects.get(basename="callbridge").status == PlanStatus.ISSUED


def test_an_operator_can_choose_self_signed_and_rederiving_keeps_that_choice(
    load_example, internal_ca
):
    deployment = load_example("single-split", internal_ca="Lab Root")
    plan = CertificatePlan.objects.get(basename="core1-webadmin")
    services.plan_set_signer(plan=plan, signer="self_signed")
    services.deployment_plan_sync(deployment=deployment)
    assert CertificatePlan.objects.get(basename="core1-webadmin").signer == "self_signed"
    findings = selectors.deployment_findings(deployment=deployment)
    assert [(f.severity, f.rule, f.component) for f in findings] == [
        ("warning", "R6.1", "core1-webadmin")
    ]


def test_issue_needs_an_internal_ca_when_the_plan_has_internal_certificates(load_example):
    deployment = load_example("single-split")
    with pytest.raises(services.DeploymentError, match="choose its internal CA"):
        services.deployment_issue(deployment=deployment, actor="test")


def test_renewing_an_expired_internal_certificate_without_an_internal_ca_says_what_to_do(
    load_example, internal_ca, time_machine
):
    deployment = load_example("single-split", internal_ca="Lab Root")
    services.deployment_issue(deployment=deployment, actor="test")
    deployment = load_example("single-split")  # the file again, now without internal_ca
    callbridge = CertificatePlan.objects.get(basename="callbridge")
    time_machine.move_to(callbridge.certificate.not_after + dt.timedelta(days=1))
    keys_before = KeyPair.objects.count()
    with pytest.raises(services.DeploymentError) as exc:
        services.deployment_issue(deployment=deployment, actor="test")
    # What `manage.py deployment issue` prints, instead of a crash on the missing CA; it is
    # said before any new key is made, so nothing is half-issued.
    assert str(exc.value) == (
        "5 certificates are for the internal CA but the deployment has none: "
        "choose its internal CA first."
    )
    assert KeyPair.objects.count() == keys_before
    callbridge.refresh_from_db()
    assert callbridge.status == PlanStatus.EXPIRED


def test_issue_signs_internal_certificates_and_leaves_public_ones_as_csrs(
    load_example, internal_ca
):
    deployment = load_example("single-split", internal_ca="Lab Root")
    results = {
        r.basename: r.status for r in services.deployment_issue(deployment=deployment, actor="t")
    }
    assert results == {
        "callbridge": "issued",
        "webbridge": "csr",
        "xmppserver": "csr",
        "turn": "csr",
        "core1-webadmin": "issued",
        "edge1-webadmin": "issued",
        "edge1": "issued",
        "core1": "issued",
    }
    xmpp = CertificatePlan.objects.get(basename="xmppserver")
    csr = x509.load_pem_x509_csr(xmpp.signing_request.pem.encode())
    names = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["xmpp.example.com", "example.com"]
    assert "O=Example Inc." in csr.subject.rfc4514_string()
    # Issuing again keeps what exists.
    again = {
        r.basename: r.status for r in services.deployment_issue(deployment=deployment, actor="t")
    }
    assert again["callbridge"] == "kept"


def test_the_trunk_and_load_balancer_get_different_keys(load_example, internal_ca):
    deployment = load_example("single-split", internal_ca="Lab Root")
    services.deployment_issue(deployment=deployment, actor="test")
    core1 = CertificatePlan.objects.get(basename="core1")
    edge1 = CertificatePlan.objects.get(basename="edge1")
    assert core1.keypair.public_key_sha256 != edge1.keypair.public_key_sha256


def test_a_scalable_deployment_issued_by_its_internal_ca_has_no_findings(load_example, internal_ca):
    deployment = load_example("scalable", internal_ca="Lab Root")
    services.deployment_issue(deployment=deployment, actor="test")
    assert selectors.deployment_findings(deployment=deployment) == []
    client = CertificatePlan.objects.get(basename="dbcluster_client")
    assert client.certificate.common_name == "postgres"


def test_findings_see_a_load_balancer_reusing_the_trunks_key(load_example, internal_ca):
    # SPEC R5.5 on real certificates
    deployment = load_example("single-split", internal_ca="Lab Root")
    services.deployment_issue(deployment=deployment, actor="test")
    core1 = CertificatePlan.objects.get(basename="core1")
    edge1 = CertificatePlan.objects.get(basename="edge1")
    edge1.certificate = core1.certificate
    edge1.save()
    found = [f for f in selectors.deployment_findings(deployment=deployment) if f.rule == "R5.5"]
    assert [f.component for f in found] == ["edge1"]


def test_scripts_write_the_files_that_exist_and_install_txt(load_example, internal_ca, tmp_path):
    deployment = load_example("single-split", internal_ca="Lab Root")
    services.deployment_issue(deployment=deployment, actor="test")
    services.deployment_scripts_write(deployment=deployment, out_dir=tmp_path, actor="test")
    edge = sorted(p.name for p in (tmp_path / "edge1").iterdir())
    assert edge == [
        "callbridge.crt",
        "core1.crt",
        "edge1-webadmin.crt",
        "edge1-webadmin.key",
        "edge1-webadmin_bundle.crt",
        "edge1.crt",
        "edge1.key",
        "edge1_bundle.crt",
        "install.txt",
    ]
    assert (tmp_path / "edge1" / "edge1.key").stat().st_mode & 0o777 == 0o600
    bundle = (tmp_path / "edge1" / "edge1_bundle.crt").read_text()
    assert bundle.endswith("-----END CERTIFICATE-----\n") and "\n\n" not in bundle  # SPEC R1.4
    install = (tmp_path / "edge1" / "install.txt").read_text()
    # The public CA certificates still to obtain come first. CertDesk made their key and CSR,
    # so the script says to send that CSR, never to make a new key (issue 9 item 3).
    assert "send csr/webbridge.csr" in install
    assert "pki csr webbridge" not in install and "-newkey" not in install
    assert (tmp_path / "csr" / "webbridge.csr").is_file()


def test_the_plan_status_follows_the_certificate(load_example, internal_ca):
    import datetime as dt

    deployment = load_example("single-split", internal_ca="Lab Root")
    services.deployment_issue(deployment=deployment, actor="test")
    row = CertificatePlan.objects.get(basename="callbridge")
    assert row.get_status_display() == "Issued"
    cert = row.certificate
    type(cert).objects.filter(pk=cert.pk).update(
        not_before=cert.not_before - dt.timedelta(days=800),
        not_after=cert.not_before - dt.timedelta(days=1),
    )
    row.refresh_from_db()
    assert row.status == PlanStatus.EXPIRED
    assert CertificatePlan.objects.get(basename="webbridge").status == PlanStatus.CSR_READY


def test_the_database_refuses_two_components_with_one_tag(load_example):
    from django.db import IntegrityError, transaction

    deployment = load_example("single-split")
    server = deployment.servers.get(name="edge1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Component.objects.create(
            deployment=deployment, server=server, kind=rules.Kind.LOAD_BALANCER, tag="Edge1toLB"
        )


def test_the_database_refuses_a_basename_with_a_dot(load_example):
    from django.db import IntegrityError, transaction

    deployment = load_example("single-combined")
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificatePlan.objects.create(
            deployment=deployment,
            basename="call.bridge",
            purpose="call_bridge",
            common_name="x.example.com",
            signer="internal_ca",
            profile="server",
        )

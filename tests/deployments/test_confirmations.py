"""Issue 10 item 11: deleting a server or component and revoking a certificate go through a
confirmation page that lists what will be lost (GET changes nothing, POST without the page's
confirm field changes nothing, one audit row per action, roles checked on the server)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certauthority.models import AuditEvent, Certificate
from deployments import services
from deployments.models import CertificatePlan, Component, Server

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_split(load_example, internal_ca):
    deployment = load_example("single-split", internal_ca="Lab Root", key_type="ec256")
    services.deployment_issue(deployment=deployment, actor="test")
    return deployment


def _audits() -> int:
    return AuditEvent.objects.filter(action="deployment.change").count()


def test_the_server_confirmation_lists_its_components_and_certificates(
    client_as, operator, issued_split
):
    edge = issued_split.servers.get(name="core1")
    plans = CertificatePlan.objects.filter(deployment=issued_split, components__server=edge)
    issued = [p for p in plans.distinct() if p.certificate_id]
    assert issued, "the example must give edge1 an issued certificate"
    audits = _audits()
    page = client_as(operator).get(
        reverse("deployments:server-delete", args=[issued_split.pk, edge.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Delete server core1?" in html
    for component in edge.components.all():
        assert str(component) in html
    for plan in issued:
        assert plan.basename in html
        assert plan.certificate.serial_number in html
    # Looking changed nothing: the rehearsal inside the page was rolled back.
    assert Server.objects.filter(pk=edge.pk).exists()
    assert CertificatePlan.objects.filter(pk=issued[0].pk, certificate__isnull=False).exists()
    assert _audits() == audits


def test_a_post_without_the_confirmation_deletes_nothing(client_as, operator, issued_split):
    edge = issued_split.servers.get(name="core1")
    component = edge.components.first()
    client = client_as(operator)
    url = reverse("deployments:server-delete", args=[issued_split.pk, edge.pk])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    curl = reverse("deployments:component-delete", args=[issued_split.pk, edge.pk, component.pk])
    assert client.post(curl, {"confirm": "no"})["Location"] == curl
    assert Server.objects.filter(pk=edge.pk).exists()
    assert Component.objects.filter(pk=component.pk).exists()


def test_a_confirmed_server_delete_deletes_and_writes_one_audit_row(
    client_as, operator, issued_split
):
    edge = issued_split.servers.get(name="core1")
    audits = _audits()
    response = client_as(operator).post(
        reverse("deployments:server-delete", args=[issued_split.pk, edge.pk]),
        {"confirm": "yes"},
        follow=True,
    )
    assert "Server deleted." in response.content.decode()
    assert not Server.objects.filter(pk=edge.pk).exists()
    assert _audits() == audits + 1
    event = AuditEvent.objects.filter(action="deployment.change").latest("pk")
    assert "core1" in event.summary and event.actor_name == operator.username


def test_a_confirmed_component_delete_writes_one_audit_row(client_as, operator, issued_split):
    core = issued_split.servers.get(name="core1")
    component = core.components.filter(kind="webadmin").first() or core.components.last()
    client = client_as(operator)
    url = reverse("deployments:component-delete", args=[issued_split.pk, core.pk, component.pk])
    confirm = client.get(url).content.decode()
    assert "Delete component" in confirm and 'name="confirm"' in confirm
    audits = _audits()
    client.post(url, {"confirm": "yes"})
    assert not Component.objects.filter(pk=component.pk).exists()
    assert _audits() == audits + 1


def test_a_load_balancer_with_trunks_says_why_on_the_confirmation(
    client_as, operator, issued_split
):
    lb = Component.objects.filter(deployment=issued_split, trunks__isnull=False).first()
    assert lb is not None
    url = reverse("deployments:component-delete", args=[issued_split.pk, lb.server_id, lb.pk])
    html = client_as(operator).get(url).content.decode()
    assert "Trunks still connect to this load balancer" in html
    assert 'name="confirm"' not in html


def test_a_server_whose_load_balancer_other_trunks_use_cannot_be_deleted(
    client_as, operator, issued_split
):
    edge = issued_split.servers.get(name="edge1")
    url = reverse("deployments:server-delete", args=[issued_split.pk, edge.pk])
    client = client_as(operator)
    html = client.get(url).content.decode()
    assert "Trunks on other servers still connect" in html and 'name="confirm"' not in html
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert response.status_code == 200
    assert "Trunks on other servers still connect" in response.content.decode()
    assert Server.objects.filter(pk=edge.pk).exists()


def test_a_viewer_gets_403_on_the_confirmations_and_their_posts(client_as, viewer, issued_split):
    edge = issued_split.servers.get(name="core1")
    component = edge.components.first()
    client = client_as(viewer)
    for url in (
        reverse("deployments:server-delete", args=[issued_split.pk, edge.pk]),
        reverse("deployments:component-delete", args=[issued_split.pk, edge.pk, component.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"confirm": "yes"}).status_code == 403, url
    assert Server.objects.filter(pk=edge.pk).exists()


# --- revoke ----------------------------------------------------------------------------------


def _used_certificate(deployment) -> tuple[CertificatePlan, Certificate]:
    plan = CertificatePlan.objects.filter(deployment=deployment, certificate__isnull=False).first()
    return plan, plan.certificate


def test_the_revoke_confirmation_names_the_certificate_the_crl_and_its_deployments(
    client_as, ca_admin, issued_split
):
    plan, certificate = _used_certificate(issued_split)
    page = client_as(ca_admin).get(
        reverse("certauthority:certificate-revoke", args=[certificate.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert certificate.serial_number in html
    assert "CRL" in html and "cannot be undone" in html
    assert issued_split.name in html and plan.basename in html
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_a_revoke_post_without_the_confirmation_revokes_nothing(client_as, ca_admin, issued_split):
    _plan, certificate = _used_certificate(issued_split)
    url = reverse("certauthority:certificate-revoke", args=[certificate.pk])
    response = client_as(ca_admin).post(url, {"reason": "superseded"})
    assert response.status_code == 302 and response["Location"] == url
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert not AuditEvent.objects.filter(action="certificate.revoke").exists()


def test_a_confirmed_revoke_writes_one_audit_row(client_as, ca_admin, issued_split):
    _plan, certificate = _used_certificate(issued_split)
    client_as(ca_admin).post(
        reverse("certauthority:certificate-revoke", args=[certificate.pk]),
        {"reason": "superseded", "confirm": "yes"},
    )
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "superseded"
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


def test_an_operator_gets_403_on_the_revoke_confirmation(client_as, operator, issued_split):
    _plan, certificate = _used_certificate(issued_split)
    url = reverse("certauthority:certificate-revoke", args=[certificate.pk])
    client = client_as(operator)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "superseded", "confirm": "yes"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_the_certificate_page_links_to_its_deployment_and_copies_the_pem(
    client_as, viewer, issued_split
):
    """Issue 10 item 16: a way back to the deployment, and the install page's copy button."""
    plan, certificate = _used_certificate(issued_split)
    html = (
        client_as(viewer)
        .get(reverse("certauthority:certificate-detail", args=[certificate.pk]))
        .content.decode()
    )
    assert reverse("deployments:detail", args=[issued_split.pk]) in html
    assert plan.basename in html
    assert 'data-copy-target="#certificate-pem"' in html


def test_after_creating_a_deployment_the_next_step_is_a_hint_not_an_error(client_as, operator):
    """Issue 10 item 16: the empty deployment's next step was shown as a red error."""
    response = client_as(operator).post(
        reverse("deployments:create"),
        {
            "name": "lab",
            "domain": "lab.example.com",
            "topology": "single_combined",
            "strategy": "dedicated",
            "lync_trusted_ca": "internal_ca",
            "key_type": "rsa2048",
            "webrtc": "on",
        },
        follow=True,
    )
    html = response.content.decode()
    assert 'id="next-step"' in html and "add this deployment's servers" in html
    assert "alert-danger" not in html


def test_the_trust_table_shows_labels_not_internal_ids(client_as, viewer, issued_split):
    """Issue 10 item 16: no `edge1:load_balancer:Edge1toLB`; File and Holds are one column."""
    html = client_as(viewer).get(reverse("deployments:plan", args=[issued_split.pk])).content
    table = html.decode().split('id="trust-table"')[1].split("</table>")[0]
    assert "edge1:load_balancer:Edge1toLB" not in table
    assert "Load balancer Edge1toLB" in table
    assert "Trust file and what it holds" in table and ">Holds<" not in table

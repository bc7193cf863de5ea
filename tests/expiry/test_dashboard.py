"""Issue 12: the home page says what expires when, filters it, and renews from the row."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from certauthority import services as ca_services
from deployments import services as dep_services
from deployments.models import CertificatePlan
from expiry.selectors import expiry_dashboard
from tests.conftest import create_root_ca, issue_server_certificate

pytestmark = pytest.mark.django_db


def _count(html: str, key: str) -> int:
    return int(re.search(rf'id="count-{key}">(\d+)<', html).group(1))


@pytest.fixture
def issued(load_example, internal_ca):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    dep_services.deployment_issue(deployment=deployment, actor="test")
    return deployment


def test_the_bands_count_each_watched_certificate_once(client_as, viewer):
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now - dt.timedelta(days=40), tick=False):
        ca = create_root_ca("Past Root", "CN=Past Root")
        issue_server_certificate(ca, "c.example.com")  # expired 10 days ago
    with time_machine.travel(now - dt.timedelta(days=25), tick=False):
        issue_server_certificate(ca, "b.example.com")  # 5 days left now
    issue_server_certificate(ca, "a.example.com")  # 30 days
    gone = issue_server_certificate(ca, "d.example.com")
    ca_services.certificate_revoke(certificate=gone, actor="test")
    html = client_as(viewer).get(reverse("dashboard")).content.decode()
    counts = {k: _count(html, k) for k in ("expired", "under_7", "under_30", "under_60", "fine")}
    # a is 30 days out (the 30-day band includes its last day); the root CA is fine.
    assert counts == {"expired": 1, "under_7": 1, "under_30": 1, "under_60": 0, "fine": 1}
    assert "d.example.com" not in html  # revoked
    assert html.index("c.example.com") < html.index("b.example.com") < html.index("a.example.com")
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'id="expiry-timeline"' in svg and svg.count("<rect") == 12
    assert re.search(r"this month|\d{4}-\d{2}: 1 certificates expire", svg)


def test_the_table_filters_by_deployment_server_component_ca_and_source(
    client_as, viewer, issued, internal_ca
):
    issue_server_certificate(internal_ca, "stray.example.com")
    client = client_as(viewer)
    html = client.get(reverse("dashboard"), {"deployment": issued.pk}).content.decode()
    assert "stray.example.com" not in html and "callbridge.example.com" in html
    plan = CertificatePlan.objects.filter(deployment=issued, basename="callbridge").get()
    component = plan.components.first()
    html = client.get(reverse("dashboard"), {"component": component.pk}).content.decode()
    rows = re.findall(r'<tr data-band="[a-z_0-9]+">', html)
    assert len(rows) == 1 and plan.certificate.common_name in html
    html = client.get(reverse("dashboard"), {"server": component.server_id}).content.decode()
    assert "stray.example.com" not in html
    html = client.get(reverse("dashboard"), {"source": "imported"}).content.decode()
    assert "No certificate matches" in html
    html = client.get(reverse("dashboard"), {"ca": internal_ca.slug, "band": "under_30"})
    assert "stray.example.com" in html.content.decode()
    bad = client.get(reverse("dashboard"), {"deployment": "not-a-number", "page": "x"})
    assert bad.status_code == 200 and "is ignored" in bad.content.decode()


def test_the_dashboard_pages_and_its_queries_do_not_grow_with_the_inventory(
    internal_ca, django_assert_max_num_queries, client_as, viewer
):
    for i in range(30):
        issue_server_certificate(internal_ca, f"n{i:02d}.example.com")
    with django_assert_max_num_queries(8):
        board = expiry_dashboard(size=25)
    assert board.page.paginator.num_pages == 2 and board.total == 31
    html = client_as(viewer).get(reverse("dashboard"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in html and "n29.example.com" in html and "n00.example.com" not in html


def test_an_operator_renews_from_the_row_and_lands_on_the_install_script(
    client_as, operator, viewer, issued
):
    plan = CertificatePlan.objects.filter(deployment=issued, basename="callbridge").get()
    old = plan.certificate
    html = client_as(viewer).get(reverse("dashboard")).content.decode()
    assert "Sign the same CSR again" not in html  # a Viewer sees no renewal
    assert (
        client_as(viewer).post(reverse("expiry:renew", args=[old.pk]), {"mode": "same"}).status_code
        == 403
    )
    client = client_as(operator)
    assert "Sign the same CSR again" in client.get(reverse("dashboard")).content.decode()
    response = client.post(reverse("expiry:renew", args=[old.pk]), {"mode": "same"})
    component = plan.components.first()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "deployments:server-script", args=[issued.pk, component.server_id]
    )
    plan.refresh_from_db()
    assert plan.certificate_id != old.pk and plan.keypair_id == old.key_id
    response = client.post(reverse("expiry:renew", args=[plan.certificate_id]), {"mode": "new"})
    newer = CertificatePlan.objects.get(pk=plan.pk)
    assert newer.keypair_id != old.key_id and newer.certificate.key_id == newer.keypair_id
    assert (
        client.post(reverse("expiry:renew", args=[old.pk]), {"mode": "sideways"}).status_code == 400
    )
    html = client.get(reverse("dashboard")).content.decode()
    assert old.serial_number not in html  # the replaced one is no longer watched


def test_a_certificate_outside_any_plan_is_signed_again_by_its_ca(client_as, operator, internal_ca):
    cert = issue_server_certificate(internal_ca, "alone.example.com")
    client = client_as(operator)
    client.post(reverse("expiry:renew", args=[cert.pk]), {"mode": "same"})
    renewed = cert.signing_request.certificates.exclude(pk=cert.pk)
    assert renewed.count() == 1
    html = client.get(reverse("certauthority:certificate-detail", args=[renewed.get().pk]))
    assert 'id="renew"' in html.content.decode()


def test_new_key_for_a_certificate_outside_any_plan_says_why_not(client_as, operator, internal_ca):
    cert = issue_server_certificate(internal_ca, "alone.example.com")
    response = client_as(operator).post(
        reverse("expiry:renew", args=[cert.pk]), {"mode": "new"}, follow=True
    )
    assert "is in no deployment" in response.content.decode()

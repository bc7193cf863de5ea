"""Deployment pages: what each role sees and may change (checked on the server)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deployments.models import Component, Deployment, Server

pytestmark = pytest.mark.django_db


@pytest.fixture
def split(load_example):
    return load_example("single-split")


def test_a_viewer_sees_the_list_the_deployment_plan_findings_and_scripts(client_as, viewer, split):
    client = client_as(viewer)
    listing = client.get(reverse("deployments:list")).content.decode()
    assert "example-split" in listing
    assert "New deployment" not in listing
    detail = client.get(reverse("deployments:detail", args=[split.pk])).content.decode()
    assert "Edge1toLB" in detail and "Add server" not in detail
    plan = client.get(reverse("deployments:plan", args=[split.pk])).content.decode()
    assert "xmpp.example.com, example.com" in plan
    assert "public CA required" in plan
    assert "pki csr xmppserver" in plan
    findings = client.get(reverse("deployments:findings", args=[split.pk])).content.decode()
    # No internal CA chosen yet: the page says why it cannot be issued (issue 10 item 3).
    assert "cannot be issued: no internal CA chosen." in findings
    edge = split.servers.get(name="edge1")
    script = client.get(reverse("deployments:server-script", args=[split.pk, edge.pk]))
    html = script.content.decode()
    assert "loadbalancer auth Edge1toLB edge1.key edge1.crt core1.crt" in html
    assert 'data-copy-target="#install-script"' in html


def test_a_viewer_gets_403_on_every_change(client_as, viewer, split):
    client = client_as(viewer)
    server = split.servers.get(name="core1")
    component = Component.objects.filter(server=server).first()
    plan = split.certificate_plans.first()
    urls = [
        reverse("deployments:create"),
        reverse("deployments:edit", args=[split.pk]),
        reverse("deployments:server-create", args=[split.pk]),
        reverse("deployments:server-edit", args=[split.pk, server.pk]),
        reverse("deployments:component-create", args=[split.pk, server.pk]),
        reverse("deployments:component-edit", args=[split.pk, server.pk, component.pk]),
        reverse("deployments:plan-edit", args=[split.pk, plan.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert (
        client.post(reverse("deployments:server-delete", args=[split.pk, server.pk])).status_code
        == 403
    )
    assert Server.objects.filter(pk=server.pk).exists()


def test_someone_without_a_role_cannot_even_see_deployments(client_as, nobody, split):
    assert client_as(nobody).get(reverse("deployments:list")).status_code == 403


def test_an_operator_creates_a_deployment_and_adds_a_server_and_component(client_as, operator):
    client = client_as(operator)
    response = client.post(
        reverse("deployments:create"),
        {
            "name": "lab",
            "domain": "Lab.Example.com",
            "topology": "single_combined",
            "strategy": "dedicated",
            "lync_trusted_ca": "internal_ca",
            "key_type": "rsa2048",
            "webrtc": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    deployment = Deployment.objects.get(name="lab")
    assert deployment.domain == "lab.example.com"
    client.post(
        reverse("deployments:server-create", args=[deployment.pk]),
        {
            "name": "cms1",
            "fqdn": "cms1.lab.example.com",
            "role": "combined",
            "addresses": "10.0.0.1",
        },
    )
    server = Server.objects.get(name="cms1")
    assert server.addresses == ["10.0.0.1"]
    client.post(
        reverse("deployments:component-create", args=[deployment.pk, server.pk]),
        {
            "kind": "web_bridge",
            "fqdn": "join.lab.example.com",
            "extra_names": "meet.lab.example.com",
        },
    )
    plan = deployment.certificate_plans.get(basename="webbridge")
    assert plan.san == ["join.lab.example.com", "meet.lab.example.com"]
    assert plan.signer == "public_ca"


def test_a_server_name_with_a_dot_is_refused_with_a_message(client_as, operator, split):
    response = client_as(operator).post(
        reverse("deployments:server-create", args=[split.pk]),
        {"name": "edge.2", "fqdn": "edge2.example.com", "role": "edge"},
    )
    assert response.status_code == 200
    assert "no dots" in response.content.decode()


def test_a_second_server_with_the_same_name_is_refused_not_a_500(client_as, operator, split):
    response = client_as(operator).post(
        reverse("deployments:server-create", args=[split.pk]),
        {"name": "edge1", "fqdn": "edge9.example.com", "role": "edge"},
    )
    assert response.status_code == 200
    assert split.servers.filter(name="edge1").count() == 1


def test_a_trunk_without_a_load_balancer_is_refused(client_as, operator, split):
    core = split.servers.get(name="core1")
    response = client_as(operator).post(
        reverse("deployments:component-create", args=[split.pk, core.pk]),
        {"kind": "trunk", "tag": "trunk2"},
    )
    assert response.status_code == 200
    assert "Choose the Edge load balancer" in response.content.decode()


def test_an_operator_edits_a_deployment_and_the_plan_follows(client_as, operator, split):
    client = client_as(operator)
    form = client.get(reverse("deployments:edit", args=[split.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update(webrtc="", native_apps="on", turn_tls="on", internal_ca="")
    data.pop("webrtc")
    assert client.post(reverse("deployments:edit", args=[split.pk]), data).status_code == 302
    assert split.certificate_plans.get(basename="webbridge").signer == "internal_ca"


def test_an_operator_switches_a_plan_entry_to_self_signed_and_sees_the_finding(
    client_as, operator, split
):
    client = client_as(operator)
    plan = split.certificate_plans.get(basename="webbridge")
    client.post(
        reverse("deployments:plan-edit", args=[split.pk, plan.pk]), {"signer": "self_signed"}
    )
    page = client.get(reverse("deployments:findings", args=[split.pk])).content.decode()
    assert "R5.1" in page and "service not trusted" in page


def test_an_operator_issues_the_plan_from_the_plan_page(
    client_as, operator, load_example, internal_ca
):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    client = client_as(operator)
    plan = client.get(reverse("deployments:plan", args=[deployment.pk])).content.decode()
    assert 'id="issue-button"' in plan
    response = client.post(reverse("deployments:plan-issue", args=[deployment.pk]), follow=True)
    html = response.content.decode()
    # Split example: five internal certificates, three public ones waiting as CSRs (R2.4, R2.5).
    assert "5 signed by the internal CA, 3 CSRs waiting for the public CA" in html
    statuses = dict(deployment.certificate_plans.values_list("basename", "certificate__issuer"))
    assert statuses["callbridge"] == internal_ca.subject
    assert statuses["webbridge"] is None


def test_issuing_without_an_internal_ca_says_to_choose_one_and_signs_nothing(
    client_as, operator, split
):
    response = client_as(operator).post(
        reverse("deployments:plan-issue", args=[split.pk]), follow=True
    )
    assert "choose its internal CA first" in response.content.decode()
    assert not split.certificate_plans.filter(certificate__isnull=False).exists()


def test_a_viewer_sees_no_issue_button_and_gets_403_when_posting(client_as, viewer, split):
    client = client_as(viewer)
    plan = client.get(reverse("deployments:plan", args=[split.pk])).content.decode()
    assert 'id="issue-button"' not in plan
    assert client.post(reverse("deployments:plan-issue", args=[split.pk])).status_code == 403


def test_the_plan_explains_each_certificate_in_the_visitors_language(client_as, viewer, split):
    client = client_as(viewer)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    html = client.get(reverse("deployments:plan", args=[split.pk])).content.decode()
    # SPEC R2.4: the Web Bridge needs a public CA when WebRTC clients are used.
    assert "Browsers of WebRTC users connect to the Web Bridge" not in html
    assert "WebRTC" in html and ">R2.4</a>)" in html  # the rule, linked to its page


def test_a_second_call_bridge_on_one_server_is_refused_with_the_rule_not_a_constraint_name(
    client_as, operator, split
):
    core = split.servers.get(name="core1")  # already runs a Call Bridge
    before = Component.objects.count()
    response = client_as(operator).post(
        reverse("deployments:component-create", args=[split.pk, core.pk]),
        {"kind": "call_bridge", "fqdn": "callbridge2.example.com"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "each application runs once per server" in html
    assert "component_kind_once_per_server" not in html
    assert Component.objects.count() == before

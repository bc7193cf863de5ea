"""The layer edges of deployments: selectors raise the model's DoesNotExist (views make it a
404, the command line a one-line error), and the plan page's data comes from one selector."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deployments import rules, selectors
from deployments.models import Deployment

pytestmark = pytest.mark.django_db


def test_an_unknown_deployment_is_the_models_does_not_exist_not_an_http_error():
    with pytest.raises(Deployment.DoesNotExist):
        selectors.deployment_get(name="nope")
    with pytest.raises(Deployment.DoesNotExist):
        selectors.deployment_get(pk=987654)


def test_every_page_of_an_unknown_deployment_is_a_404(client_as, viewer, operator):
    client = client_as(viewer)
    for name in ("detail", "plan", "findings"):
        assert client.get(reverse(f"deployments:{name}", args=[987654])).status_code == 404
    client = client_as(operator)
    assert client.get(reverse("deployments:edit", args=[987654])).status_code == 404
    assert client.get(reverse("deployments:server-create", args=[987654])).status_code == 404


def test_the_plan_page_object_holds_plan_trust_findings_and_scripts(load_example):
    split = load_example("single-split")
    page = selectors.plan_page(deployment=split)
    by_name = {e.row.basename: e for e in page.entries}
    # The plan, as stored, in the rules' shape (R3.8: one identity for the LB, one for the trunk).
    assert [p.basename for p in page.plan] == [
        row.basename for row in split.certificate_plans.all()
    ]
    assert by_name["edge1"].planned.components == ("edge1:load_balancer:Edge1toLB",)
    # Public-CA entries come with the commands to obtain them (Appendix A); internal ones not.
    assert by_name["xmppserver"].obtain[0].startswith("pki csr xmppserver CN:xmpp.example.com")
    assert by_name["callbridge"].obtain == []
    assert by_name["callbridge"].reason
    # Trust (R4.5), findings (chapter 5) and the install scripts (chapter 4).
    assert ("trunk_trust", "core1", "edge1.crt") in {
        (t.purpose, t.server, t.file_name) for t in page.trust
    }
    # No internal CA chosen yet: that one finding, nothing else (issue 10 item 3).
    assert [(f.rule, f.problem) for f in page.findings] == [
        ("R3.1", "5 certificate(s) cannot be issued: no internal CA chosen.")
    ]
    assert list(page.scripts) == ["core1", "edge1"]
    edge = page.scripts["edge1"].text
    assert "loadbalancer auth Edge1toLB edge1.key edge1.crt core1.crt" in edge
    assert isinstance(page.scripts["core1"].script, rules.InstallScript)


def test_the_plan_page_shows_what_the_selector_returns(client_as, viewer, load_example):
    split = load_example("single-split")
    html = client_as(viewer).get(reverse("deployments:plan", args=[split.pk])).content.decode()
    page = selectors.plan_page(deployment=split)
    for entry in page.entries:
        assert entry.row.basename in html
    xmpp = next(e for e in page.entries if e.row.basename == "xmppserver")
    assert xmpp.obtain[0].replace('"', "&quot;") in html

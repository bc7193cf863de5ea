"""The knowledge page answers "what does CertDesk know about the XMPP server?" from the
recipes themselves (issue 8): placement, reasons, trust, MMP steps and their success lines."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from deployments import rules

pytestmark = pytest.mark.django_db


def test_a_viewer_reads_every_recipe_with_its_mmp_steps(client_as, viewer):
    page = client_as(viewer).get(reverse("deployments:knowledge")).content.decode()
    for kind in rules.Kind:
        assert f'id="recipe-{kind.value}"' in page
    assert "xmpp certs &lt;key&gt; &lt;cert&gt; [&lt;bundle&gt;]" in page  # R4.4
    assert "-&gt; SUCCESS: XMPP server enabled" in page
    assert "loadbalancer auth &lt;tag&gt; &lt;key&gt; &lt;cert&gt; &lt;trust&gt;" in page  # R4.5
    assert "Load balancer &lt;tag&gt;" in page
    assert "The native Meeting apps (PC, Mac, iOS) check the XMPP server" in page  # R2.4
    assert "webbridge_trust" in page  # R4.7.1
    assert "Verify SIP TLS peers" in page and "tls sip trust &lt;trust&gt;" in page  # R4.10
    assert "Verify LDAP TLS peers" in page and "tls ldap verify enable" in page


def test_the_page_follows_the_pack_it_is_asked_for(client_as, viewer):
    base = rules.get_pack()
    recipe = dataclasses.replace(
        base.recipe(rules.Kind.WEB_ADMIN),
        reasons=(rules.Reason("A later guide wants Web Admin public.", "R2.4"),),
    )
    rules.register_pack(base.with_recipe(recipe, name="later"))
    try:
        client = client_as(viewer)
        later = client.get(reverse("deployments:knowledge-pack", args=["later"])).content.decode()
        assert "A later guide wants Web Admin public." in later
        default = client.get(reverse("deployments:knowledge")).content.decode()
        assert "A later guide wants Web Admin public." not in default
    finally:
        rules.unregister_pack("later")
    missing = client_as(viewer).get(reverse("deployments:knowledge-pack", args=["cms99"]))
    assert missing.status_code == 404


def test_the_page_needs_a_role(client_as, django_user_model, client):
    assert client.get(reverse("deployments:knowledge")).status_code == 302  # to login
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password-1")
    assert client_as(nobody).get(reverse("deployments:knowledge")).status_code == 403


def test_the_page_speaks_japanese(client_as, viewer):
    client = client_as(viewer)
    client.cookies["django_language"] = "ja"
    page = client.get(reverse("deployments:knowledge"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "CertDesk の知識" in page
    assert "What CertDesk knows" not in page


def test_the_deployment_page_shows_each_component_s_settings_from_its_recipe(
    client_as, viewer, load_example
):
    split = load_example("single-split")
    page = client_as(viewer).get(reverse("deployments:detail", args=[split.pk])).content.decode()
    assert "XMPP domain example.com" in page  # R3.7, defaulting to the deployment's domain
    assert "trunk interface:port a:4999" in page  # R4.5
    assert "Edge load balancer Edge1toLB (edge1)" in page  # R4.5

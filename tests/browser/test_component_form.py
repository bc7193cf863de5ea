"""Issue 10 item 13 in Chromium: adding a component shows only the chosen kind's fields."""

from __future__ import annotations

import pytest

from deployments.models import Component

pytestmark = pytest.mark.django_db(transaction=True)


def test_adding_two_kinds_shows_only_each_kinds_fields(login, operator):
    from deployments import services
    from tests.deployments.helpers import EXAMPLES

    text = (EXAMPLES / "single-split.yaml").read_text(encoding="utf-8")
    split = services.deployment_load(text=text, actor="test")[0]
    split.components.filter(kind="xmpp").delete()
    core = split.servers.get(name="core1")
    page = login("operator", "pw-operator")
    page.goto(f"/deployments/{split.pk}/servers/{core.pk}/components/new/")
    page.click("#add-xmpp")
    page.wait_for_selector("#component-form[data-kind=xmpp]")
    assert page.locator("[name=srv_target]").is_visible()
    assert page.locator("[name=tag]").count() == 0
    page.fill("[name=fqdn]", "xmpp.example.com")
    page.click("#component-form button[type=submit]")
    page.wait_for_url(f"**/deployments/{split.pk}/")
    assert Component.objects.filter(server=core, kind="xmpp").exists()
    page.goto(f"/deployments/{split.pk}/servers/{core.pk}/components/new/?kind=web_admin")
    page.select_option("#kind-select", "trunk")  # the page reloads with the trunk's fields
    page.wait_for_selector("#component-form[data-kind=trunk]")
    assert page.locator("[name=edge_port]").is_visible()
    assert page.locator("[name=srv_target]").count() == 0
    assert not page.locator("#new-target").is_visible()
    page.select_option("#id_load_balancer", "new")
    assert page.locator("#new-target").is_visible()

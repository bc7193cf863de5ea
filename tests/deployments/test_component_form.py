"""Issue 10 item 13: one component form per kind, its fields read from the kind's recipe."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deployments import rules
from deployments.forms import COMPONENT_FIELDS, ComponentForm, component_fields
from deployments.models import Component

pytestmark = pytest.mark.django_db

PACK = rules.get_pack("cms21")


@pytest.fixture
def split(load_example):
    return load_example("single-split")


@pytest.mark.parametrize("recipe", PACK.recipes, ids=lambda r: r.kind)
def test_each_kind_shows_only_the_fields_its_recipe_names(client_as, operator, split, recipe):
    server = split.servers.get(name="core1")
    url = reverse("deployments:component-create", args=[split.pk, server.pk])
    response = client_as(operator).get(url, {"kind": recipe.kind})
    assert response.status_code == 200
    html = response.content.decode()
    for name in COMPONENT_FIELDS:
        shown = f'name="{name}"' in html
        assert shown == (name in component_fields(recipe)), (recipe.kind, name)


def test_the_first_step_offers_the_kinds_of_the_servers_role(client_as, operator, split):
    edge = split.servers.get(name="edge1")
    html = (
        client_as(operator)
        .get(reverse("deployments:component-create", args=[split.pk, edge.pk]))
        .content.decode()
    )
    assert 'href="?kind=load_balancer"' in html
    assert "?kind=call_bridge" not in html  # R2.1: a Core's, not an Edge's


def test_an_unknown_kind_is_a_400_with_a_message(client_as, operator, split):
    core = split.servers.get(name="core1")
    url = reverse("deployments:component-create", args=[split.pk, core.pk])
    response = client_as(operator).get(url, {"kind": "toaster"})
    assert response.status_code == 400
    assert "toaster" in response.content.decode()


def test_another_kinds_field_is_refused_and_nothing_is_saved(client_as, operator, split):
    edge = split.servers.get(name="edge1")
    split.components.filter(kind="web_bridge").delete()
    before = Component.objects.count()
    response = client_as(operator).post(
        reverse("deployments:component-create", args=[split.pk, edge.pk]) + "?kind=web_bridge",
        {"kind": "web_bridge", "fqdn": "join2.example.com", "tag": "sneaky"},
    )
    assert response.status_code == 200
    assert "Web Bridge takes no tag" in response.content.decode()
    assert Component.objects.count() == before


def _trunk_with_new_lb(split, **changes):
    core = split.servers.get(name="core1")
    edge = split.servers.get(name="edge1")
    data = {
        "kind": "trunk",
        "tag": "Core1toLB2",
        "load_balancer": "new",
        "edge_port": "4999",
        "new-server": str(edge.pk),
        "new-tag": "Edge1toLB2",
        "new-trunk_listen": "a:4998",
        "new-public_listen": "b:5223",
    }
    data.update(changes)
    url = reverse("deployments:component-create", args=[split.pk, core.pk]) + "?kind=trunk"
    return url, data


def test_a_trunk_and_its_new_load_balancer_are_saved_together(client_as, operator, split):
    url, data = _trunk_with_new_lb(split)
    response = client_as(operator).post(url, data)
    assert response.status_code == 302, response.content.decode()
    trunk = Component.objects.get(tag="Core1toLB2")
    assert trunk.load_balancer.tag == "Edge1toLB2"
    assert trunk.load_balancer.server.name == "edge1"


def test_a_failing_trunk_leaves_no_half_saved_load_balancer(client_as, operator, split):
    # The same tag for both: only saving them finds it; the new load balancer is rolled back.
    url, data = _trunk_with_new_lb(split, tag="Edge1toLB2")
    before = Component.objects.count()
    response = client_as(operator).post(url, data)
    assert response.status_code == 200
    assert "already has this tag" in response.content.decode()
    assert Component.objects.count() == before


def test_the_form_refuses_a_recipe_less_kind():
    with pytest.raises(ValueError):
        ComponentForm(deployment=type("D", (), {"knowledge_pack": "cms21"})(), kind="toaster")

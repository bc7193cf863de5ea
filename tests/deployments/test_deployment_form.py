"""Issue 10 items 13 and 3: the grouped deployment form, the Lync rule, the sole CA."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deployments.forms import DEPLOYMENT_FIELDSETS, DeploymentForm

pytestmark = pytest.mark.django_db

BASE = {
    "name": "lab",
    "domain": "lab.example.com",
    "topology": "single_combined",
    "strategy": "dedicated",
    "key_type": "rsa2048",
}


def test_every_field_is_in_exactly_one_fieldset_shown_with_its_heading(client_as, operator):
    names = [n for *_h, group in DEPLOYMENT_FIELDSETS for n in group]
    assert sorted(names) == sorted(DeploymentForm().fields)
    assert len(names) == len(set(names))
    html = client_as(operator).get(reverse("deployments:create")).content.decode()
    for key, heading, _help, _fields in DEPLOYMENT_FIELDSETS:
        assert f'id="fieldset-{key}"' in html and str(heading) in html


def test_the_lync_ca_is_required_only_with_a_front_end():
    assert DeploymentForm(BASE).is_valid()
    form = DeploymentForm({**BASE, "lync_frontend": "on", "lync_fqdn": "cms.lab.example.com"})
    assert not form.is_valid()
    assert "R3.13" in " ".join(form.errors["lync_trusted_ca"])
    ok = DeploymentForm(
        {
            **BASE,
            "lync_frontend": "on",
            "lync_fqdn": "cms.lab.example.com",
            "lync_trusted_ca": "public_ca",
        }
    )
    assert ok.is_valid(), ok.errors


def test_the_only_active_ca_is_preselected(root_ca):
    form = DeploymentForm()
    assert form.initial["internal_ca"] == root_ca.pk
    assert root_ca.name in str(form.fields["internal_ca"].help_text)

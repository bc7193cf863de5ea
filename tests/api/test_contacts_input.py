"""Issue 12's new input, the deployment's expiry contacts: hostile values get a 4xx with a
message and save nothing (form and API alike)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BAD = ["not-an-address", "a@example.com\x00b@example.com", "a@example.com\nBcc: x@evil.example",
       "x" * 5000 + "@example.com", '"quoted"@example.com']  # fmt: skip


@pytest.mark.parametrize("value", BAD)
def test_a_hostile_contact_is_refused_by_the_api_and_nothing_is_saved(
    api_as, operator, load_example, value
):
    deployment = load_example("single-split")
    response = api_as(operator).patch(
        f"/api/v1/deployments/{deployment.pk}/", {"contacts": [value]}, format="json"
    )
    assert 400 <= response.status_code < 500, response.content[:200]
    assert response.json()["detail"]
    deployment.refresh_from_db()
    assert deployment.contacts == []


def test_good_contacts_are_kept_in_order(api_as, operator, load_example):
    deployment = load_example("single-split")
    response = api_as(operator).patch(
        f"/api/v1/deployments/{deployment.pk}/",
        {"contacts": ["uc@example.com", "pki@example.com"]},
        format="json",
    )
    assert response.status_code == 200, response.content[:200]
    deployment.refresh_from_db()
    assert deployment.contacts == ["uc@example.com", "pki@example.com"]

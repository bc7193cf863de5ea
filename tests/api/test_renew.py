"""Issue 12 over the API: renewal through the one renewal service, and the dashboard's counts."""

from __future__ import annotations

import pytest

from deployments import services
from deployments.models import CertificatePlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(load_example, internal_ca):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    services.deployment_issue(deployment=deployment, actor="test")
    return deployment


def test_renewing_over_the_api_keeps_the_plan_entry_and_names_the_install_script(
    api_as, operator, issued, openssl, tmp_path
):
    plan = CertificatePlan.objects.get(deployment=issued, basename="callbridge")
    old = plan.certificate
    response = api_as(operator).post(
        f"/api/v1/certificates/{old.pk}/renew/", {"mode": "same"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    plan.refresh_from_db()
    assert body["certificates"] == [plan.certificate_id] and plan.certificate_id != old.pk
    assert body["results"][0]["status"] == "issued"
    assert body["install_scripts"] and "/script/" in body["install_scripts"][0]
    # The renewed certificate still fits the key on the server (same key: only the cert swaps).
    (tmp_path / "new.crt").write_text(plan.certificate.pem)
    (tmp_path / "old.crt").write_text(old.pem)
    new_key = openssl("x509", "-in", str(tmp_path / "new.crt"), "-noout", "-pubkey").stdout
    old_key = openssl("x509", "-in", str(tmp_path / "old.crt"), "-noout", "-pubkey").stdout
    assert new_key == old_key
    summary = api_as(operator).get("/api/v1/expiry/").json()
    assert set(summary["counts"]) == {"expired", "under_7", "under_30", "under_60", "fine"}
    assert len(summary["timeline"]) == 12
    assert (
        sum(summary["counts"].values())
        == sum(
            1 for _ in CertificatePlan.objects.filter(deployment=issued, certificate__isnull=False)
        )
        + 1
    )  # and the internal CA itself


def test_a_new_key_needs_the_right_to_make_keys_and_a_bad_mode_is_a_400(
    api_as, operator, viewer, issued
):
    plan = CertificatePlan.objects.get(deployment=issued, basename="callbridge")
    url = f"/api/v1/certificates/{plan.certificate_id}/renew/"
    old_key = plan.keypair_id
    assert api_as(viewer).post(url, {"mode": "same"}, format="json").status_code == 403
    bad = api_as(operator).post(url, {"mode": "sideways"}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"]
    new = api_as(operator).post(url, {"mode": "new"}, format="json")
    assert new.status_code == 200
    plan.refresh_from_db()
    assert plan.keypair_id != old_key and plan.certificate.key_id == plan.keypair_id

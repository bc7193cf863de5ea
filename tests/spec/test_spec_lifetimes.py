"""How long CertDesk issues a planned certificate for (issue 9 item 6, CA/B ballot SC-081)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509

from deployments import rules, services


@pytest.mark.parametrize(
    ("day", "days"),
    [
        (dt.date(2026, 3, 14), 398),
        (dt.date(2026, 3, 15), 200),
        (dt.date(2026, 12, 3), 200),
        (dt.date(2027, 3, 15), 100),
        (dt.date(2029, 3, 14), 100),
        (dt.date(2029, 3, 15), 47),
    ],
)
def test_the_public_tls_limit_follows_the_date_it_is_issued_on(day, days):
    assert rules.public_tls_max_days(day) == days


def test_internal_entries_get_397_days_and_public_ones_the_limit_in_force():
    on = dt.date(2026, 12, 3)
    assert rules.default_validity_days(public_ca_required=False, on=on) == 397
    assert rules.default_validity_days(public_ca_required=True, on=on) == 200


@pytest.mark.django_db
def test_a_public_entry_signed_in_house_gets_the_public_limit(load_example, internal_ca):
    """An admin who signs the Web Bridge with the internal CA for a lab still gets a lifetime a
    public CA could give (so renewals are rehearsed at the real pace)."""
    deployment = load_example("single-split")
    deployment.internal_ca = internal_ca
    deployment.save()
    services.deployment_plan_sync(deployment=deployment)
    row = deployment.certificate_plans.get(basename="webbridge")
    assert row.public_ca_required
    services.plan_set_signer(plan=row, signer=rules.Signer.INTERNAL_CA)
    services.deployment_issue(deployment=deployment, actor="test")
    by_name = {r.basename: r for r in deployment.certificate_plans.all()}

    def lifetime(name: str) -> int:
        cert = x509.load_pem_x509_certificate(by_name[name].certificate.pem.encode())
        return round((cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() / 86400)

    # Exactly the limit in force on the (UTC) day it was issued: "<=" also passed a 1-day one.
    issued_on = by_name["webbridge"].certificate.not_before.astimezone(dt.UTC).date()
    assert lifetime("webbridge") == rules.public_tls_max_days(issued_on)
    assert lifetime("callbridge") == 397

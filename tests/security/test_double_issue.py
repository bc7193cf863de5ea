"""Issue 9, item 14: a double-click on "Issue certificates" makes one key per plan entry.

Two requests issuing the same plan at once each made a key and a CSR for every entry: three
orphan private keys after a double-click. Here two threads (two database connections, as two
gunicorn workers have) issue the same deployment on PostgreSQL at the same moment; the second
waits for the first and then keeps what it made.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from certauthority.models import Certificate, KeyPair, SigningRequest
from deployments import services
from deployments.models import CertificatePlan
from tests.conftest import LAB_ROOT_NAME, LAB_ROOT_SUBJECT, create_root_ca
from tests.deployments.helpers import EXAMPLES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deployment(require_postgres):
    import yaml

    create_root_ca(LAB_ROOT_NAME, LAB_ROOT_SUBJECT, actor="test")  # the one root-CA helper
    document = yaml.safe_load((EXAMPLES / "single-split.yaml").read_text(encoding="utf-8"))
    document["internal_ca"] = LAB_ROOT_NAME
    return services.deployment_load_document(document=document, actor="test")[0]


def _issue_twice_at_once(deployment) -> list[list[services.IssueResult]]:
    start = threading.Barrier(2)
    results: list[list[services.IssueResult]] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            start.wait()
            results.append(services.deployment_issue(deployment=deployment, actor="double-click"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


def test_two_simultaneous_issues_make_one_key_and_csr_per_plan_entry(deployment):
    results = _issue_twice_at_once(deployment)
    plans = CertificatePlan.objects.filter(deployment=deployment)
    internal = plans.filter(signer="internal_ca")
    assert plans.count() >= 5 and internal.count() >= 1

    plan_keys = set(plans.values_list("keypair", flat=True))
    deployment_keys = KeyPair.objects.exclude(authorities__isnull=False)
    assert deployment_keys.count() == plans.count(), "orphan private keys were left"
    assert set(deployment_keys.values_list("pk", flat=True)) == plan_keys
    assert SigningRequest.objects.count() == plans.count()
    assert Certificate.objects.filter(key__in=plan_keys).count() == internal.count()

    # The first run issued; the second one waited and kept every certificate it found.
    statuses = sorted({r.status for r in results[1]} | {r.status for r in results[0]})
    assert "kept" in statuses
    kept = [r for run in results for r in run if r.status == "kept"]
    assert len(kept) == internal.count()

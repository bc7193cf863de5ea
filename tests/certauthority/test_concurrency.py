"""Signing under load on PostgreSQL: many threads, one CA, no duplicate serials, no errors."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from certauthority import services
from certauthority.models import AuditEvent, Certificate

from .conftest import make_csr

THREADS = 8
TOTAL = 400


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_eight_threads_sign_400_csrs_with_distinct_serials_and_no_error(require_postgres):
    root = services.ca_create_root(
        name="Load Root", subject="CN=Load Root", key_type="ec256", actor=None
    )
    ca = services.ca_create_intermediate(
        name="Load Issuing", parent=root, subject="CN=Load Issuing", key_type="ec256", actor=None
    )
    csrs = [make_csr(f"host{i}.example.com") for i in range(TOTAL)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(part: list) -> None:
        try:
            start.wait()
            for csr in part:
                services.certificate_issue(ca=ca, csr=csr, profile="server", days=30, actor=None)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(csrs[i::THREADS],)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    issued = Certificate.objects.filter(issuer_ca=ca)
    assert issued.count() == TOTAL
    assert issued.values("serial_number").distinct().count() == TOTAL
    assert AuditEvent.objects.filter(action="certificate.sign").count() == TOTAL

"""Issue 12: beat's default jobs exist after migrate, editable in the admin; CRLs are renewed
before their nextUpdate, once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from certauthority import services as ca_services
from expiry import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _defaults_as_migrate_left_them():
    """A transactional test elsewhere flushes the tables migrate filled: create them again
    with the migration's own function (idempotent), so these tests read what migrate writes."""
    from importlib import import_module

    from django.apps import apps

    import_module("expiry.migrations.0002_default_schedules").create(apps, None)


def test_migrate_creates_the_scan_crl_and_probe_schedules_the_probe_off():
    jobs = {t.name: t for t in PeriodicTask.objects.all()}
    assert jobs["Expiry scan"].task == "expiry.scan" and jobs["Expiry scan"].enabled
    assert jobs["Expiry scan"].crontab.hour == "6"
    assert (
        jobs["CRL refresh"].task == "expiry.crl_refresh" and jobs["CRL refresh"].interval.every == 6
    )
    assert jobs["TLS probe"].task == "deployments.probe_components"
    assert not jobs["TLS probe"].enabled


def test_the_schedules_are_editable_in_the_admin(admin_client):
    task = PeriodicTask.objects.get(name="Expiry scan")
    page = admin_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
    assert page.status_code == 200 and "expiry.scan" in page.content.decode()


def test_a_crl_near_its_next_update_is_renewed_once_and_a_fresh_one_is_left(root_ca):
    ca_services.crl_generate(ca=root_ca, actor=None)
    root_ca.refresh_from_db()
    first = root_ca.crl_number
    assert tasks.crl_refresh() == 0  # fresh: left alone
    with time_machine.travel(root_ca.crl_next_update - dt.timedelta(days=2), tick=False):
        assert tasks.crl_refresh() == 1
        assert tasks.crl_refresh() == 0  # run twice: the second finds it fresh
    root_ca.refresh_from_db()
    assert root_ca.crl_number == first + 1

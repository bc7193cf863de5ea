"""The dashboard's first look (issue 10 item 14): where to start, and a worker that reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.celery import HEARTBEAT_SECONDS
from config.celery import app as celery_app
from core.models import WorkerHeartbeat
from core.services import heartbeat_record

pytestmark = pytest.mark.django_db


def _steps(html: str) -> dict[str, str]:
    """step key -> "true"/"false" as the page marks it."""
    import re

    return dict(re.findall(r'id="start-step-(\w+)" data-done="(\w+)"', html))


def test_the_empty_dashboard_lists_three_steps_none_done_with_their_links(client_as, viewer):
    html = client_as(viewer).get(reverse("dashboard")).content.decode()
    assert "Where to start" in html
    assert _steps(html) == {"ca": "false", "deployment": "false", "steps": "false"}
    assert f'href="{reverse("certauthority:ca-create")}"' in html
    assert f'href="{reverse("deployments:create")}"' in html
    assert "deployment load deployments/examples/single-split.yaml" in html
    assert "Then follow the deployment's steps" in html
    assert html.count("Not done yet") == 3


def test_a_ca_then_a_deployment_mark_their_steps_done(client_as, viewer, internal_ca, load_example):
    client = client_as(viewer)
    assert _steps(client.get(reverse("dashboard")).content.decode())["ca"] == "true"
    deployment = load_example("single-split")
    html = client.get(reverse("dashboard")).content.decode()
    assert _steps(html) == {"ca": "true", "deployment": "true", "steps": "false"}
    # The third step leads to the deployment itself (the wizard, issue 11, comes later).
    assert f'href="{reverse("deployments:detail", args=[deployment.pk])}"' in html


def test_once_certificates_are_issued_the_guidance_goes_away(
    client_as, viewer, internal_ca, load_example
):
    from deployments import services

    deployment = load_example("single-split")
    deployment.internal_ca = internal_ca
    deployment.save()
    services.deployment_issue(deployment=deployment, actor="test")
    html = client_as(viewer).get(reverse("dashboard")).content.decode()
    assert "Where to start" not in html
    assert _steps(html) == {}


def test_beat_schedules_the_heartbeat_every_minute():
    entry = celery_app.conf.beat_schedule["core.heartbeat"]
    assert entry["task"] == "core.heartbeat"
    assert entry["schedule"] == HEARTBEAT_SECONDS == 60
    assert celery_app.conf.beat_scheduler.endswith("DatabaseScheduler")


@pytest.mark.django_db(transaction=True)  # the scheduler closes old connections itself
def test_beat_s_database_scheduler_stores_the_heartbeat_entry():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    DatabaseScheduler(app=celery_app, lazy=False)
    task = PeriodicTask.objects.get(name="core.heartbeat")
    assert task.enabled and task.task == "core.heartbeat"
    assert task.interval.every == 60


def test_a_heartbeat_older_than_three_minutes_is_called_out(client_as, viewer):
    heartbeat = heartbeat_record(hostname="worker1")
    WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(
        created_at=timezone.now() - timedelta(minutes=4)
    )
    html = client_as(viewer).get(reverse("dashboard")).content.decode()
    assert "Last seen on worker1" in html
    assert "No heartbeat for more than 3 minutes" in html
    heartbeat_record(hostname="worker1")
    assert (
        "No heartbeat for more" not in client_as(viewer).get(reverse("dashboard")).content.decode()
    )


def test_heartbeats_older_than_a_day_are_forgotten_when_a_new_one_arrives():
    old = heartbeat_record(hostname="w")
    WorkerHeartbeat.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    heartbeat_record(hostname="w")
    assert WorkerHeartbeat.objects.count() == 1
    assert not WorkerHeartbeat.objects.filter(pk=old.pk).exists()


def test_the_guidance_is_in_japanese_for_a_japanese_reader(client_as, viewer):
    client = client_as(viewer)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    html = client.get(reverse("dashboard")).content.decode()
    assert "はじめに" in html and "未完了" in html
    assert "Where to start" not in html

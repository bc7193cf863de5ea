"""Issue 12 with the real parts: Redis as broker, a Celery worker, webhooks over HTTP, and
Redis going down in between (nothing lost, nothing sent twice)."""

from __future__ import annotations

import socket
import time

import pytest
from django.core import mail
from django.urls import reverse

from config.celery import app
from expiry import services, tasks
from expiry.models import Notification, NotificationState, Webhook
from tests.conftest import issue_server_certificate
from tests.integration.conftest import redis_worker  # noqa: F401  (the fixture)
from tests.security.test_heartbeat_broker_down import _reset_celery_connections

DOWN_PORT = 20303  # the app helper's port range 20300..20399 (see test_heartbeat_broker_down)


def _wait(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def mailable(ca_admin):
    ca_admin.email = "pki@example.com"
    ca_admin.save()
    return ca_admin


@pytest.mark.django_db(transaction=True)
def test_the_daily_scan_runs_on_a_worker_through_redis_and_each_channel_hears_once(
    redis_worker,  # noqa: F811
    internal_ca,
    mailable,
    webhook_server,
):
    Webhook.objects.create(name="ops", url=webhook_server.url)
    cert = issue_server_certificate(internal_ca, "worker.example.com")  # 30 days left
    tasks.scan.delay()
    assert _wait(lambda: len(webhook_server.received) == 1 and len(mail.outbox) == 1)
    assert _wait(
        lambda: (
            Notification.objects.filter(certificate=cert, state=NotificationState.SENT).count() == 2
        )
    )
    tasks.scan.delay()  # the next day's run, early: nothing new
    time.sleep(1.5)
    assert len(webhook_server.received) == 1 and len(mail.outbox) == 1
    assert webhook_server.received[0].json["threshold_days"] == 30


@pytest.mark.django_db(transaction=True)
def test_a_failing_webhook_is_retried_with_backoff_and_the_e_mail_is_not_held_up(
    redis_worker,  # noqa: F811
    internal_ca,
    mailable,
    webhook_server,
    settings,
):
    settings.CERTDESK_NOTIFY_RETRY_SECONDS = 0.3
    webhook_server.fail_next = 2
    Webhook.objects.create(name="flaky", url=webhook_server.url)
    issue_server_certificate(internal_ca, "flaky.example.com")
    tasks.scan.delay()
    assert _wait(lambda: len(mail.outbox) == 1)
    assert _wait(lambda: len(webhook_server.received) == 1)
    row = Notification.objects.get(channel__startswith="webhook:")
    assert _wait(lambda: Notification.objects.get(pk=row.pk).state == NotificationState.SENT)
    row.refresh_from_db()
    assert webhook_server.refused == 2 and row.attempts == 3
    assert len(mail.outbox) == 1


@pytest.fixture
def redis_down():
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", DOWN_PORT))  # bound, never listening: connections are refused
    saved = (app.conf.broker_url, app.conf.result_backend)
    app.conf.broker_url = app.conf.result_backend = f"redis://127.0.0.1:{DOWN_PORT}/0"
    _reset_celery_connections()

    def back_up():
        app.conf.broker_url, app.conf.result_backend = saved
        _reset_celery_connections()

    try:
        yield back_up
    finally:
        back_up()
        holder.close()


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_scan_keeps_its_rows_and_they_go_out_once_redis_is_back(
    redis_down, internal_ca, mailable, webhook_server, client_as, viewer, monkeypatch, request
):
    Webhook.objects.create(name="ops", url=webhook_server.url)
    issue_server_certificate(internal_ca, "outage.example.com")
    started = time.monotonic()
    result = services.expiry_scan(send=services.Send.QUEUE)
    assert time.monotonic() - started < 5
    assert len(result.created) == 2
    assert set(Notification.objects.values_list("state", flat=True)) == {"pending"}
    page = client_as(viewer).get(reverse("dashboard"))
    assert page.status_code == 200 and "outage.example.com" in page.content.decode()
    # Redis is back and a worker runs; the next scan sends what waited, once.
    redis_down()
    request.getfixturevalue("redis_worker")
    monkeypatch.setattr(services, "STALE_PENDING", services.dt.timedelta(0))
    again = services.expiry_scan(send=services.Send.QUEUE)
    assert again.created == [] and sorted(again.resent) == sorted(result.created)
    assert _wait(lambda: len(webhook_server.received) == 1 and len(mail.outbox) == 1)
    assert _wait(lambda: not Notification.objects.exclude(state="sent").exists())
    time.sleep(1)
    assert len(webhook_server.received) == 1 and len(mail.outbox) == 1

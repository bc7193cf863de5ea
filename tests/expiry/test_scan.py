"""Issue 12: the expiry scan tells each channel once per threshold, in frozen time."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from certauthority import services as ca_services
from deployments import services as dep_services
from deployments.models import CertificatePlan
from expiry import services
from expiry.models import Notification, NotificationState, Webhook, WebhookFormat
from expiry.selectors import expiry_thresholds, threshold_for
from tests.conftest import issue_server_certificate

pytestmark = pytest.mark.django_db

THRESHOLDS = (60, 30, 14, 7, 1, 0)


def test_the_default_thresholds_are_60_30_14_7_1_days_and_expired():
    assert expiry_thresholds() == THRESHOLDS


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (dt.timedelta(days=61), None),
        (dt.timedelta(days=60), 60),
        (dt.timedelta(days=45), 60),
        (dt.timedelta(days=29, hours=23), 30),
        (dt.timedelta(days=5), 7),  # first seen late: only the tightest notice
        (dt.timedelta(hours=3), 1),
        (dt.timedelta(0), 0),
        (dt.timedelta(days=-40), 0),
    ],
)
def test_a_certificate_is_due_at_the_tightest_threshold_it_has_crossed(left, expected):
    assert threshold_for(left, THRESHOLDS) == expected


@pytest.fixture
def issued(load_example, internal_ca, ca_admin):
    """single-split issued by its internal CA, with a contact; a CA Admin with an address."""
    ca_admin.email = "pki-admins@example.com"
    ca_admin.save()
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    deployment.contacts = ["uc-team@example.com"]
    deployment.save()
    dep_services.deployment_issue(deployment=deployment, actor="test")
    rows = list(CertificatePlan.objects.filter(deployment=deployment, certificate__isnull=False))
    assert rows
    return deployment, rows


@pytest.fixture
def hook(webhook_server):
    Webhook.objects.create(
        name="ops", url=webhook_server.url, format=WebhookFormat.GENERIC, secret="s3cret"
    )
    return webhook_server


def _scan(**kwargs):
    return services.expiry_scan(send=services.Send.INLINE, **kwargs)


def test_crossing_each_threshold_sends_one_message_per_channel_and_a_rescan_sends_nothing(
    issued, hook
):
    deployment, rows = issued
    not_after = rows[0].certificate.not_after
    assert all(r.certificate.not_after - not_after < dt.timedelta(minutes=5) for r in rows)
    count = len(rows)
    with time_machine.travel(not_after - dt.timedelta(days=61), tick=False):
        assert _scan().lines == []
    sent_mail, sent_hooks = 0, 0
    for days in (60, 30, 14, 7, 1, 0):
        moment = not_after - dt.timedelta(days=days) + dt.timedelta(hours=1)
        with time_machine.travel(moment, tick=False):
            result = _scan()
            assert sorted({line.threshold for line in result.lines}) == [days]
            assert len(result.lines) == count
            sent_mail += count
            sent_hooks += count
            assert len(mail.outbox) == sent_mail
            assert len(hook.received) == sent_hooks
            # The second scan the same day, and a retried send of every row, add nothing.
            assert _scan().lines == []
            for row in Notification.objects.all():
                services.notification_send(notification_id=row.pk)
            assert len(mail.outbox) == sent_mail and len(hook.received) == sent_hooks
    message = mail.outbox[0]
    assert set(message.to) == {"uc-team@example.com", "pki-admins@example.com"}
    assert "expires in 60 days" in message.subject
    assert deployment.name in message.body and "R5.4" in message.body
    assert "has expired" in mail.outbox[-1].subject
    assert Notification.objects.filter(state=NotificationState.SENT).count() == 2 * 6 * count


def test_the_webhook_body_is_signed_with_the_shared_secret_and_names_the_certificate(issued, hook):
    _deployment, rows = issued
    with time_machine.travel(rows[0].certificate.not_after - dt.timedelta(days=10), tick=False):
        _scan()
    received = hook.received[0]
    expected = hmac.new(b"s3cret", received.body, hashlib.sha256).hexdigest()
    assert received.headers["x-certdesk-signature"] == f"sha256={expected}"
    body = received.json
    assert body["event"] == "certificate.expiring" and body["threshold_days"] == 14
    names = {r.certificate.common_name for r in rows}
    assert body["certificate"]["common_name"] in names
    assert body["uses"][0]["basename"] in {r.basename for r in rows}


@pytest.mark.parametrize(
    ("fmt", "key"),
    [
        (WebhookFormat.SLACK, "text"),
        (WebhookFormat.WEBEX, "markdown"),
        (WebhookFormat.TEAMS, "@type"),
    ],
)
def test_each_service_gets_the_json_shape_its_incoming_webhooks_accept(
    internal_ca, webhook_server, fmt, key
):
    Webhook.objects.create(name=str(fmt), url=webhook_server.url, format=fmt)
    cert = issue_server_certificate(internal_ca, "lonely.example.com")  # 30 days
    _scan()
    body = webhook_server.received[0].json
    assert key in body
    text = body.get("text") or body.get("markdown")
    assert "lonely.example.com" in text and "expires" in text
    if fmt == WebhookFormat.TEAMS:
        assert body["@type"] == "MessageCard" and "lonely.example.com" in body["title"]
    assert "x-certdesk-signature" not in webhook_server.received[0].headers  # no secret set
    assert cert.expiry_notifications.count() == 2  # e-mail and the webhook


def test_a_failing_webhook_does_not_stop_the_e_mail_and_is_sent_by_the_next_check(issued, hook):
    _deployment, rows = issued
    hook.fail_next = 1000
    moment = rows[0].certificate.not_after - dt.timedelta(days=20)
    with time_machine.travel(moment, tick=False):
        result = _scan()
    assert len(mail.outbox) == len(rows)
    assert len(result.failed) == len(rows)
    failed = Notification.objects.filter(state=NotificationState.FAILED)
    assert failed.count() == len(rows)
    assert "answered HTTP 500" in failed.first().last_error
    hook.fail_next = 0
    with time_machine.travel(moment + dt.timedelta(hours=1), tick=False):
        again = _scan()
    assert again.lines == [] and sorted(again.resent) == sorted(result.failed)
    assert len(hook.received) == len(rows)
    assert len(mail.outbox) == len(rows)  # the e-mails were not sent twice


def test_a_renewed_certificate_silences_the_old_one_and_keeps_its_plan_entry(issued, hook):
    _deployment, rows = issued
    row = rows[0]
    old = row.certificate
    with time_machine.travel(old.not_after - dt.timedelta(days=20), tick=False):
        dep_services.certificate_renew(certificate=old, new_key=False, actor="test")
        row.refresh_from_db()
        assert row.certificate_id != old.pk
        assert row.certificate.signing_request_id == old.signing_request_id  # same CSR
        result = _scan()
    assert old.pk not in {line.certificate_id for line in result.lines}
    assert row.certificate_id not in {line.certificate_id for line in result.lines}
    assert not old.expiry_notifications.exists()


def test_a_certificate_renewed_after_the_scan_is_not_told_about_when_its_turn_comes(issued, hook):
    _deployment, rows = issued
    old = rows[0].certificate
    with time_machine.travel(old.not_after - dt.timedelta(days=20), tick=False):
        services.expiry_scan(send=services.Send.QUEUE)  # rows written; no broker in this test
        dep_services.certificate_renew(certificate=old, new_key=True, actor="test")
        pending = old.expiry_notifications.get(channel="email")
        services.notification_send(notification_id=pending.pk)
    pending.refresh_from_db()
    assert pending.state == NotificationState.GAVE_UP
    assert "renewed or revoked" in pending.last_error


def test_revoked_certificates_are_not_watched(internal_ca, webhook_server):
    cert = issue_server_certificate(internal_ca, "gone.example.com")
    ca_services.certificate_revoke(certificate=cert, reason="superseded", actor="test")
    assert _scan().lines == []


def test_the_scan_costs_the_same_queries_for_3_and_for_30_due_certificates(
    internal_ca, django_assert_max_num_queries
):
    for i in range(3):
        issue_server_certificate(internal_ca, f"few{i}.example.com")
    with django_assert_max_num_queries(12) as few:
        services.expiry_scan(send=services.Send.NOTHING)
    for i in range(27):
        issue_server_certificate(internal_ca, f"many{i}.example.com")
    with django_assert_max_num_queries(12) as many:
        result = services.expiry_scan(send=services.Send.NOTHING)
    assert len(result.lines) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_on_postgresql_write_and_send_each_message_once(
    require_postgres, load_example, internal_ca, ca_admin, webhook_server
):
    ca_admin.email = "pki@example.com"
    ca_admin.save()
    Webhook.objects.create(name="ops", url=webhook_server.url)
    for i in range(12):
        issue_server_certificate(internal_ca, f"race{i}.example.com")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(_scan())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert Notification.objects.count() == 24
    assert sum(len(r.created) for r in results) == 24
    assert len(mail.outbox) == 12 and len(webhook_server.received) == 12


def test_expiry_check_prints_one_line_per_certificate_and_exits_1_once_one_has_expired(
    issued, capsys
):
    deployment, rows = issued
    not_after = rows[0].certificate.not_after
    with time_machine.travel(not_after - dt.timedelta(days=10), tick=False):
        call_command("expiry", "check", "--dry-run")
        out = capsys.readouterr()
        assert not Notification.objects.exists() and "Dry run" in out.err
        lines = out.out.strip().splitlines()
        assert len(lines) == len(rows)
        _cn, days, threshold, dep, where = lines[0].split("\t")
        assert days == "10" and threshold == "14 days" and dep == deployment.name and where
        call_command("expiry", "check")
        assert len(mail.outbox) == len(rows)
        call_command("expiry", "check")
        assert "Nothing to tell" in capsys.readouterr().out
    with time_machine.travel(not_after + dt.timedelta(days=1), tick=False):
        with pytest.raises(CommandError) as exc:
            call_command("expiry", "check", "--days", "0")
        assert exc.value.returncode == 1 and "have expired" in str(exc.value)
        assert "expired" in capsys.readouterr().out


def test_expiry_check_days_limits_what_it_looks_at(internal_ca, capsys):
    issue_server_certificate(internal_ca, "month.example.com")  # 30 days
    call_command("expiry", "check", "--dry-run", "--days", "7")
    assert "Nothing to tell" in capsys.readouterr().out
    call_command("expiry", "check", "--dry-run", "--days", "45")
    assert "month.example.com" in capsys.readouterr().out


def test_nobody_to_e_mail_is_a_visible_failure_not_a_silent_drop(internal_ca):
    issue_server_certificate(internal_ca, "orphan.example.com")
    result = _scan()
    row = Notification.objects.get(channel="email")
    assert row.pk in result.failed and row.state == NotificationState.FAILED
    assert "add expiry contacts" in row.last_error


def test_a_ca_near_its_end_is_told_to_the_ca_admins(ca_admin):
    ca_admin.email = "pki@example.com"
    ca_admin.save()
    ca = ca_services.ca_create_root(
        name="Short Root", subject="CN=Short Root", key_type="ec256", days=20, actor="test"
    )
    result = _scan()
    assert [line.certificate_id for line in result.lines] == [ca.certificate_id]
    assert mail.outbox[0].to == ["pki@example.com"]
    assert "Short Root" in mail.outbox[0].subject and "Issuer:" in mail.outbox[0].body


def test_a_failed_message_and_its_reason_are_listed_in_the_admin(internal_ca, admin_client):
    issue_server_certificate(internal_ca, "unheard.example.com")
    _scan()
    page = admin_client.get("/admin/expiry/notification/?state=failed").content.decode()
    assert "unheard.example.com" in page and "Nobody to e-mail" in page


def test_the_webhook_secret_is_never_sent_back_to_the_browser(admin_client, webhook_server):
    hook = Webhook.objects.create(name="ops", url=webhook_server.url, secret="do-not-show")
    page = admin_client.get(f"/admin/expiry/webhook/{hook.pk}/change/").content.decode()
    assert "do-not-show" not in page
    response = admin_client.post(
        f"/admin/expiry/webhook/{hook.pk}/change/",
        {
            "name": "ops",
            "url": webhook_server.url,
            "format": "slack",
            "secret": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert hook.secret == "do-not-show" and hook.format == "slack"

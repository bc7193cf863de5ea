"""The expiry watch: find what crosses a threshold, write it in the ledger, send each message.

The ledger (``Notification``) is written before anything is sent, one row per certificate,
threshold and channel under a unique constraint: a second scan, two scans at once or a
retried task find the row and send nothing more. A message is sent under a lock on its row
and marked sent in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certauthority.models import Certificate
from core.roles import Role

from . import selectors
from .models import EMAIL_CHANNEL, Notification, NotificationState, Webhook, WebhookFormat

logger = logging.getLogger(__name__)

# A row still pending this long after its scan lost its task (the broker was down): the next
# scan sends it again.
STALE_PENDING = dt.timedelta(minutes=10)


class NotificationFailed(Exception):
    """A channel refused or could not be reached; the row says why and the task retries."""


class Send(enum.Enum):
    QUEUE = "queue"  # one Celery task per message (beat's daily scan)
    INLINE = "inline"  # in this process, one after the other (``expiry check`` from cron)
    NOTHING = "nothing"  # dry run


@dataclass(frozen=True)
class DueLine:
    """One certificate the scan notifies about (``expiry check`` prints one line each)."""

    certificate_id: int
    common_name: str
    days_left: int
    threshold: int
    not_after: dt.datetime
    uses: list[selectors.CertificateUse]

    @property
    def expired(self) -> bool:
        return self.threshold == selectors.EXPIRED


@dataclass
class ScanResult:
    lines: list[DueLine]
    created: list[int] = field(default_factory=list)  # ledger rows this scan wrote
    resent: list[int] = field(default_factory=list)  # stale pending rows sent again
    failed: list[int] = field(default_factory=list)  # rows whose message failed (inline)
    expired: int = 0  # watched certificates past their end, told about before or not


def expiry_scan(
    *,
    now: dt.datetime | None = None,
    within_days: int | None = None,
    send: Send = Send.QUEUE,
) -> ScanResult:
    """Write a ledger row for every channel not yet told about a threshold, then send them.

    Safe to run twice and concurrently: rows that exist are skipped by the unique constraint,
    and only the rows this scan wrote (tagged with its id) are sent by it.
    """
    now = now or timezone.now()
    channels = selectors.expiry_channels()
    due = list(
        selectors.expiry_due(now=now, within_days=within_days, channel_count=len(channels)).only(
            "pk", "common_name", "not_after"
        )
    )
    uses = selectors.certificate_uses_by_id(c.pk for c in due)
    lines = [
        DueLine(
            certificate_id=c.pk,
            common_name=c.common_name,
            days_left=selectors.days_left(c.not_after, now),
            threshold=c.due_threshold,  # type: ignore[attr-defined]
            not_after=c.not_after,
            uses=uses.get(c.pk, []),
        )
        for c in due
    ]
    result = ScanResult(
        lines=lines, expired=selectors.watched_certificates().filter(not_after__lte=now).count()
    )
    if send is Send.NOTHING:
        return result
    scan = uuid.uuid4()
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    certificate_id=line.certificate_id,
                    threshold=line.threshold,
                    channel=channel,
                    webhook=webhook,
                    days_left=line.days_left,
                    scan=scan,
                )
                for line in lines
                for channel, webhook in channels
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        result.created = list(
            Notification.objects.filter(scan=scan).order_by("pk").values_list("pk", flat=True)
        )
        # Rows a lost task left pending; from cron (no worker retries) the failed ones too.
        again = Q(state=NotificationState.PENDING, created_at__lt=now - STALE_PENDING)
        if send is Send.INLINE:
            again |= Q(state=NotificationState.FAILED)
        result.resent = list(
            Notification.objects.filter(again)
            .exclude(scan=scan)
            .order_by("pk")
            .values_list("pk", flat=True)[:1000]
        )
        ids = [*result.created, *result.resent]
        if send is Send.QUEUE:
            transaction.on_commit(lambda: notifications_enqueue(ids))
    if send is Send.INLINE:
        for pk in ids:
            try:
                notification_send(notification_id=pk)
            except NotificationFailed:
                result.failed.append(pk)
    return result


def notifications_enqueue(ids: list[int]) -> int:
    """Queue one send task per row; with the broker down, the rows wait for the next scan."""
    from . import tasks  # tasks import this module

    sent = 0
    for pk in ids:
        try:
            tasks.send_notification.apply_async((pk,), retry=False)
        except Exception as exc:  # kombu's OperationalError and friends: Redis is down
            logger.warning(
                "expiry: the broker cannot be reached (%s); %d notices wait for the next scan",
                type(exc).__name__,
                len(ids) - sent,
            )
            break
        sent += 1
    return sent


# --- one message ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    data: dict[str, Any]


def _absolute(path: str) -> str:
    return settings.CERTDESK_PUBLIC_URL.rstrip("/") + path


def notification_message(*, notification: Notification) -> Message:
    """What a notice says: which certificate, when it ends, where it is used, what to do."""
    cert = notification.certificate
    uses = selectors.certificate_uses_by_id([cert.pk]).get(cert.pk, [])
    name = cert.common_name or cert.subject
    if notification.threshold == selectors.EXPIRED:
        subject = _("[CertDesk] %(name)s has expired") % {"name": name}
        headline = _("The certificate %(name)s expired on %(date)s.")
    else:
        subject = _("[CertDesk] %(name)s expires in %(days)d days") % {
            "name": name,
            "days": max(notification.days_left, 0),
        }
        headline = _("The certificate %(name)s expires on %(date)s.")
    lines = [headline % {"name": name, "date": f"{cert.not_after:%Y-%m-%d %H:%M} UTC"}]
    for use in uses:
        where = ", ".join(use.components) or use.basename
        lines.append(
            _("Used by %(deployment)s: %(where)s (%(basename)s).")
            % {"deployment": use.deployment, "where": where, "basename": use.basename}
        )
    if not uses:
        lines.append(_("Issuer: %(issuer)s.") % {"issuer": cert.issuer})
    url = _absolute(reverse("certauthority:certificate-detail", args=[cert.pk]) + "#renew")
    lines.append(
        _(
            "Renew it before that day, then install the new certificate: the Call Bridge, Web "
            "Bridge and the other services refuse an expired one (SPEC R5.4). %(url)s"
        )
        % {"url": url}
    )
    data = {
        "event": "certificate.expired"
        if notification.threshold == selectors.EXPIRED
        else "certificate.expiring",
        "threshold_days": notification.threshold,
        "days_left": notification.days_left,
        "certificate": {
            "id": cert.pk,
            "common_name": cert.common_name,
            "serial_number": cert.serial_number,
            "issuer": cert.issuer,
            "not_after": cert.not_after.isoformat(),
            "fingerprint_sha256": cert.fingerprint_sha256,
            "url": url.removesuffix("#renew"),
        },
        "uses": [
            {"deployment": u.deployment, "basename": u.basename, "components": list(u.components)}
            for u in uses
        ],
        "renew_url": url,
    }
    return Message(subject=subject, text="\n".join(lines), data=data)


def webhook_payload(*, webhook: Webhook, message: Message) -> dict[str, Any]:
    """The JSON body each kind of incoming webhook accepts."""
    if webhook.format == WebhookFormat.SLACK:
        return {"text": f"*{message.subject}*\n{message.text}"}
    if webhook.format == WebhookFormat.TEAMS:
        expired = message.data["event"] == "certificate.expired"
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": message.subject,
            "themeColor": "D13438" if expired else "FFB900",
            "title": message.subject,
            "text": message.text.replace("\n", "\n\n"),
        }
    if webhook.format == WebhookFormat.WEBEX:
        return {"markdown": f"**{message.subject}**\n\n{message.text}"}
    return {**message.data, "subject": message.subject, "text": message.text}


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The X-CertDesk-Signature header: the body's HMAC-SHA256 under the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post_webhook(webhook: Webhook, message: Message) -> None:
    body = json.dumps(webhook_payload(webhook=webhook, message=message)).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "CertDesk"}
    if webhook.secret:
        headers["X-CertDesk-Signature"] = webhook_signature(secret=webhook.secret, body=body)
    if not webhook.url.lower().startswith(("https://", "http://")):
        raise NotificationFailed(
            _("%(name)s: a webhook URL starts with https:// or http://.") % {"name": webhook.name}
        )
    # Only http(s), checked above: never file: or a custom scheme.
    request = urllib.request.Request(webhook.url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.CERTDESK_WEBHOOK_TIMEOUT) as reply:  # noqa: S310
            reply.read(4096)
    except urllib.error.HTTPError as exc:
        raise NotificationFailed(
            _("%(name)s answered HTTP %(status)d.") % {"name": webhook.name, "status": exc.code}
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotificationFailed(
            _("%(name)s could not be reached: %(reason)s.")
            % {"name": webhook.name, "reason": reason}
        ) from None


def email_recipients(*, certificate: Certificate) -> list[str]:
    """The contacts of every deployment using the certificate, then every CA Admin."""
    uses = selectors.certificate_uses_by_id([certificate.pk]).get(certificate.pk, [])
    contacts = [address for use in uses for address in use.contacts]
    admins = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.CA_ADMIN.value)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys([*contacts, *admins]))


def _send_email(notification: Notification, message: Message) -> list[str]:
    recipients = email_recipients(certificate=notification.certificate)
    if not recipients:
        raise NotificationFailed(
            _(
                "Nobody to e-mail: add expiry contacts to the deployment, or an e-mail address "
                "to a CA Admin."
            )
        )
    EmailMessage(subject=message.subject, body=message.text, to=recipients).send()
    return recipients


def notification_send(*, notification_id: int) -> Notification | None:
    """Send one ledger row's message, once. None when another worker is sending it now.

    Raises ``NotificationFailed`` after writing the failure on the row, so the task can retry.
    """
    failure: NotificationFailed | None = None
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("certificate", "webhook")
            .filter(pk=notification_id)
            .first()
        )
        if row is None or row.state in (NotificationState.SENT, NotificationState.GAVE_UP):
            return row
        if not selectors.watched_certificates().filter(pk=row.certificate_id).exists():
            row.state = NotificationState.GAVE_UP
            row.last_error = _("Not sent: the certificate was renewed or revoked first.")
            row.save(update_fields=["state", "last_error"])
            return row
        row.attempts += 1
        try:
            message = notification_message(notification=row)
            if row.channel == EMAIL_CHANNEL:
                row.recipients = _send_email(row, message)
            elif row.webhook is not None and row.webhook.is_active:
                _post_webhook(row.webhook, message)
                row.recipients = [row.webhook.name]
            else:
                row.state = NotificationState.GAVE_UP
                row.last_error = _("Not sent: the webhook was removed or turned off.")
                row.save(update_fields=["state", "last_error", "attempts"])
                return row
        except NotificationFailed as exc:
            failure = exc
            row.state = NotificationState.FAILED
            row.last_error = str(exc)
        except Exception as exc:  # an SMTP server that refuses, a template that breaks
            failure = NotificationFailed(f"{type(exc).__name__}: {exc}")
            row.state = NotificationState.FAILED
            row.last_error = str(failure)
        else:
            row.state = NotificationState.SENT
            row.sent_at = timezone.now()
            row.last_error = ""
        row.save(update_fields=["state", "attempts", "last_error", "recipients", "sent_at"])
    if failure is not None:
        raise failure
    return row


def notification_give_up(*, notification_id: int) -> None:
    """After the last retry: the row stays failed for good, visible in the admin."""
    Notification.objects.filter(pk=notification_id, state=NotificationState.FAILED).update(
        state=NotificationState.GAVE_UP
    )

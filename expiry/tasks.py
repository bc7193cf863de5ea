"""Background jobs of the expiry watch: thin, they take ids and call one service (issue 12)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

import config.celery  # noqa: F401  (binds @shared_task to the CertDesk app)

from . import services


@shared_task(name="expiry.scan", ignore_result=True)
def scan() -> int:
    """The daily scan (beat): write what is due in the ledger, one send task per message."""
    return len(services.expiry_scan(send=services.Send.QUEUE).created)


@shared_task(bind=True, name="expiry.send_notification", ignore_result=True, max_retries=None)
def send_notification(self, notification_id: int) -> None:
    """Send one message; on failure retry with exponential backoff, then give up (visible)."""
    try:
        services.notification_send(notification_id=notification_id)
    except services.NotificationFailed as exc:
        if self.request.retries >= settings.CERTDESK_NOTIFY_MAX_RETRIES:
            services.notification_give_up(notification_id=notification_id)
            return
        countdown = settings.CERTDESK_NOTIFY_RETRY_SECONDS * 2**self.request.retries
        raise self.retry(countdown=countdown, exc=exc) from None


@shared_task(name="expiry.crl_refresh", ignore_result=True)
def crl_refresh() -> int:
    """Issue a new CRL for every active CA whose current one nears its nextUpdate."""
    from certauthority.services import crl_refresh_due

    return len(crl_refresh_due())

"""What the expiry watch sends and to where (issue 12).

``Notification`` is the ledger: one row per certificate, threshold and channel, guarded by a
unique constraint, so a second scan, a retried task or two workers at once cannot send a
message twice. A row is written before its message is sent; its state says what happened.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", _("Generic JSON")
    SLACK = "slack", _("Slack incoming webhook")
    TEAMS = "teams", _("Microsoft Teams incoming webhook")
    WEBEX = "webex", _("Webex incoming webhook")


class Webhook(models.Model):
    """A URL told about every expiry notification, in the JSON shape its service accepts."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    format = models.CharField(
        _("format"), max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC
    )
    secret = models.CharField(
        _("shared secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "When set, each POST carries X-CertDesk-Signature: sha256=<HMAC of the body>, so "
            "the receiver can tell it came from CertDesk."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(format__in=WebhookFormat.values), name="webhook_format_known"
            )
        ]

    def __str__(self) -> str:
        return self.name


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (will be retried)")
    GAVE_UP = "gave_up", _("Failed (gave up)")


EMAIL_CHANNEL = "email"


class Notification(models.Model):
    """One message about one certificate crossing one threshold, on one channel."""

    certificate = models.ForeignKey(
        "certauthority.Certificate", on_delete=models.CASCADE, related_name="expiry_notifications"
    )
    # Days before notAfter; 0 is "expired".
    threshold = models.IntegerField(_("threshold (days)"))
    # "email", or "webhook:<id>" (kept when the webhook is deleted, so nothing is resent).
    channel = models.CharField(_("channel"), max_length=40)
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    days_left = models.IntegerField(_("days left when found"))
    scan = models.UUIDField(_("scan"), db_index=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=NotificationState.choices,
        default=NotificationState.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expiry notification")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "threshold", "channel"],
                name="notification_once_per_certificate_threshold_channel",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=NotificationState.values),
                name="notification_state_known",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="notification_state_idx")]

    def __str__(self) -> str:
        return f"{self.certificate} {self.threshold}d {self.channel} ({self.state})"

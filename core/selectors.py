"""Reads for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from certauthority.models import Certificate, CertificateAuthority

from .models import WorkerHeartbeat

EXPIRY_WARNING = timedelta(days=30)
# Beat sends a heartbeat every HEARTBEAT_SECONDS (config/celery.py); a worker silent for
# longer than this is reported as not answering.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


@dataclass(frozen=True)
class StartStep:
    """One step of the empty dashboard's "where to start" list (issue 10 item 14)."""

    key: str  # "ca", "deployment", "steps": the template words each one
    done: bool
    url: str


def getting_started() -> list[StartStep]:
    """Create a CA, then load or create a deployment, then follow the deployment's steps."""
    from deployments.models import CertificatePlan, Deployment

    has_ca = CertificateAuthority.objects.active().exists()
    latest = Deployment.objects.order_by("-pk").only("pk").first()
    issued = CertificatePlan.objects.filter(certificate__isnull=False).exists()
    return [
        StartStep("ca", has_ca, reverse("certauthority:ca-create")),
        StartStep("deployment", latest is not None, reverse("deployments:create")),
        StartStep(
            "steps",
            issued,
            reverse("deployments:detail", args=[latest.pk])
            if latest
            else reverse("deployments:list"),
        ),
    ]


@dataclass(frozen=True)
class DashboardSummary:
    authorities: int
    certificates_current: int
    certificates_expiring: int
    certificates_expired: int
    certificates_revoked: int
    expiring_soon: list[Certificate]
    last_heartbeat: WorkerHeartbeat | None
    worker_stale: bool
    start_steps: list[StartStep]

    @property
    def started(self) -> bool:
        return all(step.done for step in self.start_steps)


def dashboard_summary() -> DashboardSummary:
    certificates = Certificate.objects.all()
    counts = certificates.status_counts(within=EXPIRY_WARNING)
    soon = certificates.expiring(within=EXPIRY_WARNING).order_by("not_after")
    last_heartbeat = WorkerHeartbeat.objects.first()
    return DashboardSummary(
        authorities=CertificateAuthority.objects.active().count(),
        certificates_current=counts["current"],
        certificates_expiring=counts["expiring"],
        certificates_expired=counts["expired"],
        certificates_revoked=counts["revoked"],
        expiring_soon=list(soon.only("id", "common_name", "issuer", "not_after")[:10]),
        last_heartbeat=last_heartbeat,
        worker_stale=last_heartbeat is not None
        and timezone.now() - last_heartbeat.created_at > HEARTBEAT_STALE_AFTER,
        start_steps=getting_started(),
    )

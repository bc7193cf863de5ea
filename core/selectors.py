"""Reads for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from certauthority.models import Certificate, CertificateAuthority

from .models import WorkerHeartbeat

EXPIRY_WARNING = timedelta(days=30)


@dataclass(frozen=True)
class DashboardSummary:
    authorities: int
    certificates_current: int
    certificates_expiring: int
    certificates_expired: int
    certificates_revoked: int
    expiring_soon: list[Certificate]
    last_heartbeat: WorkerHeartbeat | None


def dashboard_summary() -> DashboardSummary:
    certificates = Certificate.objects.all()
    return DashboardSummary(
        authorities=CertificateAuthority.objects.active().count(),
        certificates_current=certificates.current().count(),
        certificates_expiring=certificates.expiring(within=EXPIRY_WARNING).count(),
        certificates_expired=certificates.expired().count(),
        certificates_revoked=certificates.revoked().count(),
        expiring_soon=list(certificates.expiring(within=EXPIRY_WARNING).order_by("not_after")[:10]),
        last_heartbeat=WorkerHeartbeat.objects.first(),
    )

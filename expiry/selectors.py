"""Reads of the expiry watch: which certificates are watched, which are due, and the dashboard.

A certificate is watched from the day CertDesk knows it until it is revoked or replaced. It is
replaced when a later certificate for the same name from the same issuer is stored and it is
no longer what a plan entry or an active CA uses: the renewal of a plan entry keeps the entry and
points it at the new certificate, so the old one falls silent (issue 12).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from certauthority.models import Certificate, CertificateAuthority
from deployments.models import CertificatePlan

from .models import EMAIL_CHANNEL, Notification, Webhook

EXPIRED = 0  # the threshold of a certificate past its notAfter


def expiry_thresholds() -> tuple[int, ...]:
    """The configured thresholds in days, largest first, ending with 0 ("expired")."""
    days = {int(str(value).strip()) for value in settings.CERTDESK_EXPIRY_THRESHOLDS if value}
    return (*sorted((d for d in days if d > 0), reverse=True), EXPIRED)


def threshold_for(remaining: dt.timedelta, thresholds: Sequence[int]) -> int | None:
    """The tightest threshold a certificate with ``remaining`` time left has crossed.

    Only the tightest one: a certificate first seen five days before its end gets the 7-day
    notice, not the 60-, 30- and 14-day ones as well.
    """
    if remaining <= dt.timedelta(0):
        return EXPIRED
    crossed = [t for t in thresholds if t > 0 and remaining <= dt.timedelta(days=t)]
    return min(crossed) if crossed else None


def days_left(not_after: dt.datetime, now: dt.datetime) -> int:
    """Days until ``not_after``, a started day counting as one (0 or less once it has passed):
    59 days and 23 hours is "60 days left", as the 60-day notice says."""
    return -((now - not_after) // dt.timedelta(days=1))


def watched_certificates() -> QuerySet[Certificate]:
    """Every certificate the watch reports on: not revoked, and not replaced by a renewal
    (``replaced_at``, set when the later one is stored) unless a plan or an active CA still
    uses it."""
    in_use = Exists(CertificatePlan.objects.filter(certificate=OuterRef("pk")))
    a_ca = Exists(CertificateAuthority.objects.filter(certificate=OuterRef("pk"), is_active=True))
    return Certificate.objects.filter(revoked_at__isnull=True).filter(
        Q(replaced_at__isnull=True) | in_use | a_ca
    )


def _threshold_case(now: dt.datetime, thresholds: Sequence[int]) -> Case:
    """SQL for ``threshold_for``: the tightest crossed threshold of each row."""
    whens = [When(not_after__lte=now, then=Value(EXPIRED))]
    for days in sorted(t for t in thresholds if t > 0):
        whens.append(When(not_after__lte=now + dt.timedelta(days=days), then=Value(days)))
    return Case(*whens, default=Value(None), output_field=IntegerField())


def expiry_channels() -> list[tuple[str, Webhook | None]]:
    """Where each notice goes: e-mail, then every active webhook."""
    webhooks = Webhook.objects.filter(is_active=True).order_by("pk")
    return [(EMAIL_CHANNEL, None), *((f"webhook:{w.pk}", w) for w in webhooks)]


def expiry_due(
    *, now: dt.datetime, within_days: int | None = None, channel_count: int = 1
) -> QuerySet[Certificate]:
    """Watched certificates past a threshold that some channel has not been told about yet.

    Annotated with ``due_threshold``. A fixed number of queries whatever the inventory size:
    the threshold and what was already sent are computed by the database.
    """
    thresholds = expiry_thresholds()
    horizon = max(thresholds)
    if within_days is not None:
        horizon = min(horizon, within_days)
    already = (
        Notification.objects.filter(certificate=OuterRef("pk"), threshold=OuterRef("due_threshold"))
        .order_by()
        .values("certificate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        watched_certificates()
        .filter(not_after__lte=now + dt.timedelta(days=horizon))
        .annotate(due_threshold=_threshold_case(now, thresholds))
        .filter(due_threshold__isnull=False)
        .annotate(told=Coalesce(Subquery(already, output_field=IntegerField()), 0))
        .filter(told__lt=channel_count)
        .order_by("not_after", "pk")
    )


@dataclass(frozen=True)
class CertificateUse:
    """Where a certificate is used: a deployment's plan entry and the components it serves."""

    deployment_id: int
    deployment: str
    basename: str
    contacts: tuple[str, ...]
    components: tuple[str, ...] = ()


def certificate_uses_by_id(certificate_ids: Iterable[int]) -> dict[int, list[CertificateUse]]:
    """The plan entries (and their components) that use each certificate: two queries."""
    ids = list(certificate_ids)
    components: dict[int, list[str]] = defaultdict(list)
    through = CertificatePlan.components.through
    for plan_id, server, kind, tag in (
        through.objects.filter(certificateplan__certificate_id__in=ids)
        .order_by("component__server__position", "component__position", "component_id")
        .values_list(
            "certificateplan_id", "component__server__name", "component__kind", "component__tag"
        )
    ):
        components[plan_id].append(f"{kind}{f' {tag}' if tag else ''} on {server}")
    uses: dict[int, list[CertificateUse]] = defaultdict(list)
    for plan_id, cert_id, dep_id, dep_name, contacts, basename in (
        CertificatePlan.objects.filter(certificate_id__in=ids)
        .order_by("deployment__name", "position")
        .values_list(
            "pk", "certificate_id", "deployment_id", "deployment__name", "deployment__contacts",
            "basename",
        )
    ):  # fmt: skip
        uses[cert_id].append(
            CertificateUse(
                deployment_id=dep_id,
                deployment=dep_name,
                basename=basename,
                contacts=tuple(contacts or ()),
                components=tuple(components.get(plan_id, ())),
            )
        )
    return uses


# --- the dashboard ---------------------------------------------------------------------------

# The dashboard's bands, tightest first: (key, upper bound in days).
BANDS: tuple[tuple[str, int | None], ...] = (
    ("expired", 0),
    ("under_7", 7),
    ("under_30", 30),
    ("under_60", 60),
    ("fine", None),
)


@dataclass(frozen=True)
class ExpiryFilter:
    deployment: Any = None
    server: Any = None
    component: Any = None
    ca: Any = None
    source: str = ""
    band: str = ""


def _filtered(filters: ExpiryFilter) -> QuerySet[Certificate]:
    certificates = watched_certificates()
    if filters.deployment is not None:
        certificates = certificates.filter(
            Exists(
                CertificatePlan.objects.filter(
                    certificate=OuterRef("pk"), deployment=filters.deployment
                )
            )
        )
    if filters.server is not None:
        certificates = certificates.filter(
            Exists(
                CertificatePlan.objects.filter(
                    certificate=OuterRef("pk"), components__server=filters.server
                )
            )
        )
    if filters.component is not None:
        certificates = certificates.filter(
            Exists(
                CertificatePlan.objects.filter(
                    certificate=OuterRef("pk"), components=filters.component
                )
            )
        )
    if filters.ca is not None:
        certificates = certificates.filter(issuer_ca=filters.ca)
    if filters.source:
        certificates = certificates.filter(source=filters.source)
    return certificates


def _band_q(key: str, now: dt.datetime) -> Q:
    bounds = dict(BANDS)
    previous = [days for k, days in BANDS if k != key and days is not None]
    if key == "expired":
        return Q(not_after__lte=now)
    upper = bounds[key]
    lower = max([d for d in previous if upper is None or d < upper], default=0)
    q = Q(not_after__gt=now + dt.timedelta(days=lower))
    if upper is not None:
        q &= Q(not_after__lte=now + dt.timedelta(days=upper))
    return q


@dataclass(frozen=True)
class TimelineMonth:
    month: dt.date
    count: int


@dataclass
class ExpiryDashboard:
    counts: dict[str, int]
    timeline: list[TimelineMonth]
    page: Page
    uses: dict[int, list[CertificateUse]] = field(default_factory=dict)
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> list[tuple[Certificate, int, str, list[CertificateUse]]]:
        return [
            (cert, days_left(cert.not_after, self.now), band_of(cert.not_after, self.now),
             self.uses.get(cert.pk, []))
            for cert in self.page.object_list
        ]  # fmt: skip


def band_of(not_after: dt.datetime, now: dt.datetime) -> str:
    for key, days in BANDS:
        if days is None or not_after <= now + dt.timedelta(days=days):
            return key
    return "fine"  # pragma: no cover - the last band has no bound


def _month_start(day: dt.date, months_ahead: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months_ahead
    return dt.date(index // 12, index % 12 + 1, 1)


def expiry_dashboard(
    *,
    filters: ExpiryFilter | None = None,
    page: int | str = 1,
    size: int = 25,
    now: dt.datetime | None = None,
) -> ExpiryDashboard:
    """Counts per band, the next 12 months' expiries per month, and one page of the table.

    A fixed number of queries: one pass for the counts and the months, one for the page's
    rows, two for where the page's certificates are used.
    """
    filters = filters or ExpiryFilter()
    now = now or timezone.now()
    certificates = _filtered(filters)
    months = [_month_start(now.date(), i) for i in range(13)]
    starts = [dt.datetime.combine(m, dt.time.min, tzinfo=dt.UTC) for m in months]
    # One pass over the inventory for the bands and the twelve months together.
    aggregates = {key: Count("pk", filter=_band_q(key, now)) for key, _days in BANDS}
    aggregates |= {
        f"month{i}": Count("pk", filter=Q(not_after__gte=starts[i], not_after__lt=starts[i + 1]))
        for i in range(12)
    }
    counts = certificates.aggregate(**aggregates)
    timeline = [TimelineMonth(months[i], counts[f"month{i}"]) for i in range(12)]
    table = certificates.select_related("issuer_ca").order_by("not_after", "pk")
    total = sum(counts[key] for key, _days in BANDS)
    if filters.band:
        table = table.filter(_band_q(filters.band, now))
        total = counts[filters.band]
    table = table.only(
        "pk", "common_name", "serial_number", "issuer", "issuer_ca__name", "issuer_ca__slug",
        "not_after", "source", "signing_request_id", "key_id",
    )  # fmt: skip
    paginator = Paginator(table, size)
    paginator.count = total  # known from the counts: no second COUNT over the inventory
    current = paginator.get_page(page)
    uses = certificate_uses_by_id(c.pk for c in current.object_list)
    return ExpiryDashboard(
        counts={key: counts[key] for key, _days in BANDS},
        timeline=timeline,
        page=current,
        uses=uses,
        now=now,
    )

"""Reads of the CA: parsed certificates (cached), chains, lists with filters."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent, Certificate, CertificateAuthority, CertificateSource
from .pki.lint import LintFinding
from .pki.sign import normalise_serial

# Parsed certificates by SHA-256 fingerprint: a certificate never changes, so entries never
# go stale; the bound only limits memory.
_PARSED: OrderedDict[str, x509.Certificate] = OrderedDict()
_PARSED_LIMIT = 1024
_lock = threading.Lock()

EXPIRING_WITHIN = dt.timedelta(days=30)


def certificate_x509(*, certificate: Certificate) -> x509.Certificate:
    """The parsed X.509 object of a stored certificate (parsed once per process)."""
    fingerprint = certificate.fingerprint_sha256
    with _lock:
        cert = _PARSED.get(fingerprint)
        if cert is not None:
            _PARSED.move_to_end(fingerprint)
            return cert
    cert = x509.load_pem_x509_certificate(certificate.pem.encode("ascii"))
    with _lock:
        _PARSED[fingerprint] = cert
        while len(_PARSED) > _PARSED_LIMIT:
            _PARSED.popitem(last=False)
    return cert


def ca_lineage(*, ca: CertificateAuthority) -> list[CertificateAuthority]:
    """The CA, its parent, … up to the root."""
    lineage = [ca]
    seen = {ca.pk}
    while lineage[-1].parent_id is not None and lineage[-1].parent_id not in seen:
        parent = CertificateAuthority.objects.select_related("certificate").get(
            pk=lineage[-1].parent_id
        )
        seen.add(parent.pk)
        lineage.append(parent)
    return lineage


def ca_chain(*, ca: CertificateAuthority) -> list[x509.Certificate]:
    """The CA's certificate, then its issuers up to the root (issuing CA first, root last)."""
    return [certificate_x509(certificate=item.certificate) for item in ca_lineage(ca=ca)]


def certificate_chain(*, certificate: Certificate) -> list[x509.Certificate]:
    """The issuers of ``certificate`` from its issuing CA to the root; [] for a root or unknown."""
    issuer_ca = certificate.issuer_ca
    if issuer_ca is None:
        issuer_ca = (
            CertificateAuthority.objects.select_related("certificate")
            .filter(subject=certificate.issuer)
            .first()
        )
        if issuer_ca is None:
            return []
    if issuer_ca.certificate_id == certificate.pk:
        return []  # a root: issued by itself
    return ca_chain(ca=issuer_ca)


def ca_list() -> QuerySet[CertificateAuthority]:
    return CertificateAuthority.objects.select_related("certificate", "parent", "key")


def ca_get(*, slug: str) -> CertificateAuthority:
    return ca_list().get(slug=slug)


def ca_sole_active(*, now: dt.datetime | None = None) -> CertificateAuthority | None:
    """The one CA that can sign today (active, not expired), or ``None`` when there are none
    or several: a choice CertDesk may make for the admin only when there is nothing to choose
    (issue 10 item 3)."""
    now = now or timezone.now()
    usable = list(
        CertificateAuthority.objects.active()
        .filter(certificate__not_after__gt=now)
        .select_related("certificate")[:2]
    )
    return usable[0] if len(usable) == 1 else None


def ca_active_names() -> list[str]:
    """The names of the active CAs, for a message that says which ones --ca accepts."""
    return list(
        CertificateAuthority.objects.filter(is_active=True)
        .order_by("name")
        .values_list("name", flat=True)
    )


@dataclass(frozen=True)
class CertificateFilter:
    query: str = ""
    ca: CertificateAuthority | None = None
    source: str = ""
    status: str = ""  # valid | expired | revoked | expiring
    expires_before: dt.date | None = None


def _looks_like_serial(text: str) -> bool:
    cleaned = text.lower().removeprefix("0x").replace(":", "").replace(" ", "")
    return bool(cleaned) and all(c in "0123456789abcdef" for c in cleaned)


def certificate_list(*, filters: CertificateFilter | None = None) -> QuerySet[Certificate]:
    """Certificates matching a search (CN, SAN or serial) and filters, soonest expiry last."""
    filters = filters or CertificateFilter()
    certificates = Certificate.objects.select_related("issuer_ca").order_by("-created_at", "-id")
    if filters.query:
        text = filters.query.strip()
        condition = Q(common_name__icontains=text) | Q(san__icontains=text)
        condition |= Q(subject__icontains=text)
        if _looks_like_serial(text):
            condition |= Q(serial_number=normalise_serial(text))
        certificates = certificates.filter(condition)
    if filters.ca is not None:
        certificates = certificates.filter(issuer_ca=filters.ca)
    if filters.source:
        certificates = certificates.filter(source=filters.source)
    if filters.status == "valid":
        certificates = certificates.current()
    elif filters.status == "expired":
        certificates = certificates.expired()
    elif filters.status == "revoked":
        certificates = certificates.revoked()
    elif filters.status == "expiring":
        certificates = certificates.expiring(within=EXPIRING_WITHIN)
    if filters.expires_before is not None:
        limit = dt.datetime.combine(filters.expires_before, dt.time.min, tzinfo=dt.UTC)
        certificates = certificates.filter(not_after__lt=limit)
    return certificates


# The columns the certificate list shows (and its status badge and keyset need): never the
# PEM, which is most of a row's bytes (issue 10 item 21).
LIST_COLUMNS = (
    "id",
    "created_at",
    "common_name",
    "subject",
    "san",
    "serial_number",
    "issuer",
    "source",
    "not_before",
    "not_after",
    "revoked_at",
    "issuer_ca__id",
    "issuer_ca__name",
)


@dataclass(frozen=True)
class CertificatePage:
    """One keyset page of the certificate list, newest first; cursors are row ids."""

    rows: list[Certificate]
    has_previous: bool
    has_next: bool

    @property
    def first_id(self) -> int | None:
        return self.rows[0].pk if self.rows else None

    @property
    def last_id(self) -> int | None:
        return self.rows[-1].pk if self.rows else None


def _cursor_row(cursor: str | None) -> tuple[dt.datetime, int] | None:
    """(created_at, id) of the cursor's row; None for no, malformed or vanished cursors."""
    if not cursor or not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        return None
    row = Certificate.objects.filter(pk=int(cursor)).values_list("created_at", "id").first()
    return row


def certificate_page(
    *,
    filters: CertificateFilter | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 25,
) -> CertificatePage:
    """A page of ``certificate_list`` by keyset on (created_at, id), so the last page costs
    what the first does: no OFFSET, no COUNT, no PEM. ``after`` = the id of the last row of
    the page before; ``before`` = the id of the first row of the page after. A cursor that
    is not a known id gives the first page.
    """
    certificates = certificate_list(filters=filters).only(*LIST_COLUMNS)
    if (key := _cursor_row(after)) is not None:
        created, pk = key
        # A range on created_at the index can seek to, then the tie on id: an OR of the two
        # makes SQLite walk the index from the top instead.
        older = certificates.filter(created_at__lte=created).exclude(created_at=created, id__gte=pk)
        rows = list(older[: size + 1])
        return CertificatePage(rows=rows[:size], has_previous=True, has_next=len(rows) > size)
    if (key := _cursor_row(before)) is not None:
        created, pk = key
        newer = certificates.filter(created_at__gte=created).exclude(created_at=created, id__lte=pk)
        rows = list(newer.order_by("created_at", "id")[: size + 1])
        has_previous = len(rows) > size
        return CertificatePage(rows=rows[:size][::-1], has_previous=has_previous, has_next=True)
    rows = list(certificates[: size + 1])
    return CertificatePage(rows=rows[:size], has_previous=False, has_next=len(rows) > size)


def certificate_status(*, certificate: Certificate, now: dt.datetime | None = None) -> str:
    """valid, expiring, expired, revoked or not-yet-valid, as a user reads it."""
    now = now or timezone.now()
    if certificate.revoked_at is not None:
        return "revoked"
    if certificate.not_after <= now:
        return "expired"
    if certificate.not_before > now:
        return "not-yet-valid"
    if certificate.not_after <= now + EXPIRING_WITHIN:
        return "expiring"
    return "valid"


def certificate_by_serial(*, ca: CertificateAuthority, serial: str) -> Certificate | None:
    return Certificate.objects.filter(issuer_ca=ca, serial_number=normalise_serial(serial)).first()


def audit_list(
    *,
    action: str = "",
    actor: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_name__icontains=actor)
    zone = timezone.get_current_timezone()
    if since:
        events = events.filter(created_at__gte=_utc_midnight(since, zone))
    if until:
        events = events.filter(created_at__lt=_utc_midnight(until, zone, days_later=1))
    return events


def _utc_midnight(day: dt.date, zone: dt.tzinfo, *, days_later: int = 0) -> dt.datetime:
    """Midnight of ``day`` (+ ``days_later``) in ``zone``, as a UTC datetime.

    At the edges of the calendar (0001-01-01 east of UTC, 9999-12-31) the instant is not
    representable; it is clamped to the first or last representable one instead of crashing.
    """
    try:
        start = dt.datetime.combine(day, dt.time.min, zone) + dt.timedelta(days=days_later)
        return start.astimezone(dt.UTC)
    except OverflowError:
        edge = dt.datetime.min if day.year == dt.MINYEAR else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


def certificate_lint(*, certificate: Certificate) -> list[LintFinding]:
    """pkilint's findings (issue 14): RFC 5280 always; the CA/Browser Forum's TLS rules only
    for a certificate from a public CA, the only ones those rules bind."""
    from .pki.lint import LintError, lint_certificate

    der = certificate_x509(certificate=certificate).public_bytes(serialization.Encoding.DER)
    try:
        return lint_certificate(der, public=certificate.source == CertificateSource.PUBLIC)
    except LintError as exc:
        return [LintFinding("ERROR", "certdesk.undecodable", "", "RFC 5280", str(exc))]

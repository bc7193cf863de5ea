"""The expiry scan and the dashboard over a large inventory (issue 12).

    .venv/bin/python bench/expiry.py [--n 100000] [--repeat 5]
    .venv/bin/python bench/expiry.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Sets Django up on a throwaway database as bench/pages.py does (a temporary SQLite file, or the
PostgreSQL database certdesk_bench_expiry), bulk-creates N certificate rows under one CA, with
expiries spread over two years, one in 20 renewed (an older row with the same name and
issuer, which the watch must skip) and one in 50 already expired. Then prints, side by side,
the median of --repeat runs of:

* a bare indexed SELECT of the ids and notAfter of every row expiring within 60 days (the
  least any scan must read), as the baseline;
* the scan as a dry run (what ``expiry check --dry-run`` does);
* the first real scan, which writes a ledger row per due certificate (sending is left out:
  one task per message is the broker's cost, not the scan's);
* the next day's scan, when everything due was already told (what beat runs daily);
* the dashboard (GET /, through the Django test client as a logged-in superuser);

with the number of SQL queries of each, at N and at N/10: the same number means it does not
grow with the inventory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages

pages.PG_NAME = "certdesk_bench_expiry"


def _fill(start: int, stop: int) -> None:
    """Rows ``start..stop``: expiries over two years; every 20th also has an older renewed twin
    (same name and issuer, which the watch must skip), every 50th an expired neighbour."""
    from django.utils import timezone

    from certauthority import services
    from certauthority.models import Certificate, CertificateAuthority
    from certauthority.services.certificates_store import certificates_mark_replaced

    ca = CertificateAuthority.objects.first() or services.ca_create_root(
        name="Bench Root", subject="CN=Bench Root,O=Bench", key_type="ec256", actor=None
    )
    pem = ca.certificate.pem
    now = timezone.now()
    sources = ["internal", "imported", "public"]

    def row(serial: int, cn: str, not_after: dt.datetime, source: str) -> Certificate:
        return Certificate(
            pem=pem, serial_number=f"{serial:040x}", subject=f"CN={cn},O=Bench", common_name=cn,
            san=[cn], issuer="CN=Bench Root,O=Bench", issuer_ca=ca, profile="server",
            not_before=now - dt.timedelta(days=400), not_after=not_after,
            fingerprint_sha256=f"{serial:064x}", source=source,
        )  # fmt: skip

    batch = []
    for i in range(start, stop):
        cn = f"host{i}.example.com"
        batch.append(row(i + 1, cn, now + dt.timedelta(days=1 + i % 700), sources[i % 3]))
        if i % 20 == 0:
            batch.append(row(10**9 + i, cn, now + dt.timedelta(days=i % 30 - 5), "internal"))
        if i % 50 == 0:
            old = now - dt.timedelta(days=1 + i % 90)
            batch.append(row(2 * 10**9 + i, f"old{i}.example.com", old, "imported"))
        if len(batch) >= 5000:
            Certificate.objects.bulk_create(batch)
            certificates_mark_replaced(batch)  # as every way of storing a certificate does
            batch = []
    Certificate.objects.bulk_create(batch)
    certificates_mark_replaced(batch)
    from django.db import connection

    if connection.vendor == "postgresql":  # what autovacuum does after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _timed(fn, repeat: int) -> tuple[float, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = fn()
    count = len(queries.captured_queries)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, count, result


def measure(repeat: int) -> dict[str, tuple[float, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from expiry import services
    from expiry.models import Notification

    services.notifications_enqueue = lambda ids: len(ids)  # the scan, not the broker

    def bare():
        horizon = timezone.now() + dt.timedelta(days=60)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, not_after FROM certauthority_certificate "
                "WHERE not_after <= %s AND revoked_at IS NULL",
                [horizon],
            )
            return len(cursor.fetchall())

    def dry():
        return len(services.expiry_scan(send=services.Send.NOTHING).lines)

    def first():
        # Each repeat starts from an empty ledger again, inside a transaction rolled back.
        with transaction.atomic():
            created = len(services.expiry_scan(send=services.Send.QUEUE).created)
            transaction.set_rollback(True)
        return created

    figures = {}
    figures["bare indexed SELECT (60 days)"] = _timed(bare, repeat)
    figures["scan, dry run"] = _timed(dry, repeat)
    figures["scan, first (writes ledger)"] = _timed(first, repeat)
    services.expiry_scan(send=services.Send.QUEUE)
    told = Notification.objects.count()
    figures["scan, next day (all told)"] = _timed(dry, repeat)
    user = get_user_model().objects.filter(username="bench").first() or (
        get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
    )
    client = Client()
    client.force_login(user)

    def dashboard():
        response = client.get("/")
        assert response.status_code == 200
        return len(response.content)

    figures["dashboard GET /"] = _timed(dashboard, repeat)
    Notification.objects.all().delete()
    return {k: (ms, q, r) for k, (ms, q, r) in figures.items()} | {"_told": (0, 0, told)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = pages._setup(args.database_url, Path(tmp))
        label = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        try:
            from certauthority.models import Certificate

            small_n = max(args.n // 10, 10)
            _fill(0, small_n)
            small = measure(args.repeat)
            _fill(small_n, args.n)
            total = Certificate.objects.count()
            large = measure(args.repeat)
            print(f"# {label}: {total} certificate rows; median of {args.repeat} runs")
            print(
                f"{'':<32}{'ms at N':>10}{'queries':>9}{'rows':>8}{'ms at N/10':>12}{'queries':>9}"
            )
            for key in large:
                if key.startswith("_"):
                    continue
                ms, q, r = large[key]
                sms, sq, _sr = small[key]
                rows = r if isinstance(r, int) and key != "dashboard GET /" else ""
                print(f"{key:<32}{ms:>10.1f}{q:>9}{rows:>8}{sms:>12.1f}{sq:>9}")
            print(f"ledger rows written by the first scan at N: {large['_told'][2]}")
        finally:
            cleanup()


if __name__ == "__main__":
    main()

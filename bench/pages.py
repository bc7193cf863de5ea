"""Page timings at scale: the certificate list (first and last page) and the dashboard.

    .venv/bin/python bench/pages.py [--n 100000] [--repeat 5]
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Sets Django up on a throwaway database (a temporary SQLite file, or the PostgreSQL database
certdesk_bench_pager, created and dropped on the server of --database-url), bulk-creates N
certificate rows (each with a real certificate's PEM) under one CA, then times, through the
Django test client as a logged-in superuser:

* old: the list as it was before issue 10 item 21, reproduced here: Django's Paginator
  (COUNT + OFFSET) over the full rows, PEM included, rendered with the same template;
* new: the list view as shipped (keyset on (created_at, id), only the shown columns);
* the dashboard.

Prints the median of --repeat requests (after one warm-up) of each, side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import types
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_NAME = "certdesk_bench_pager"


def _throwaway_postgres(url: str):
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{PG_NAME}")), drop


def _setup(database_url: str | None, workdir: Path):
    cleanup = lambda: None  # noqa: E731
    if database_url and database_url.startswith("postgres"):
        database_url, cleanup = _throwaway_postgres(database_url)
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "CERTDESK_VAR_DIR": str(workdir / "var"),
            "SECRET_KEY": "bench-secret-key-" + uuid.uuid4().hex,
            "CERTDESK_KEY_ENCRYPTION_KEY": "bench-key-encryption-" + uuid.uuid4().hex,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CERTDESK_ENV_FILE": str(workdir / "no.env"),
            "ALLOWED_HOSTS": "testserver",
            "DEBUG": "false",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # No collectstatic here: plain static storage, as the tests use.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}

    call_command("migrate", verbosity=0)
    return database_url, cleanup


def _fill(n: int):
    from django.utils import timezone

    from certauthority import services
    from certauthority.models import Certificate

    ca = services.ca_create_root(
        name="Bench Root", subject="CN=Bench Root,O=Bench", key_type="rsa2048", actor=None
    )
    pem = ca.certificate.pem
    now = timezone.now()
    sources = ["internal", "imported", "public"]
    batch = []
    for i in range(n):
        batch.append(
            Certificate(
                pem=pem,
                serial_number=f"{i + 1:040x}",
                subject=f"CN=host{i}.example.com,O=Bench",
                common_name=f"host{i}.example.com",
                san=[f"host{i}.example.com", f"alt{i}.example.com"],
                issuer="CN=Bench Root,O=Bench",
                issuer_ca=ca,
                profile="server",
                not_before=now - dt.timedelta(days=1),
                not_after=now + dt.timedelta(days=1 + i % 700),
                fingerprint_sha256=f"{i:064x}",
                source=sources[i % 3],
            )
        )
        if len(batch) == 5000:
            Certificate.objects.bulk_create(batch)
            batch = []
    Certificate.objects.bulk_create(batch)
    return len(pem)


def _old_list_view(request):
    """The certificate list before issue 10 item 21: Paginator over full rows (baseline)."""
    from django.core.paginator import Paginator
    from django.shortcuts import render

    from certauthority import selectors
    from certauthority.forms import CertificateFilterForm
    from certauthority.views import PAGE_SIZE

    form = CertificateFilterForm(request.GET or None)
    page = Paginator(selectors.certificate_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, selectors.certificate_status(certificate=c)) for c in page.object_list]
    context = {"form": form, "page": page, "rows": rows, "query": ""}
    return render(request, "certauthority/certificate_list.html", context)


def _install_baseline_url() -> None:
    from django.conf import settings
    from django.urls import clear_url_caches, path

    import config.urls

    module = types.ModuleType("bench_pages_urls")
    module.urlpatterns = [path("bench/old-list/", _old_list_view), *config.urls.urlpatterns]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


def _median_ms(client, url: str, repeat: int) -> float:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def run(n: int, repeat: int, label: str) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from certauthority.models import Certificate
    from certauthority.views import PAGE_SIZE

    start = time.perf_counter()
    pem_bytes = _fill(n)
    total = Certificate.objects.count()
    print(
        f"# {label}: {total} certificate rows ({pem_bytes}-byte PEM each) "
        f"in {time.perf_counter() - start:.1f} s"
    )
    _install_baseline_url()
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
    client = Client()
    client.force_login(user)

    last_page = (total + PAGE_SIZE - 1) // PAGE_SIZE
    skipped = (last_page - 1) * PAGE_SIZE
    cursor = Certificate.objects.order_by("-created_at", "-id").values_list("id", flat=True)[
        skipped - 1
    ]
    list_url = "/ca/certificates/"
    figures = [
        ("list, first page", "/bench/old-list/", list_url),
        ("list, last page", f"/bench/old-list/?page={last_page}", f"{list_url}?after={cursor}"),
    ]
    print(
        f"{'page':<22}{'old (OFFSET, all columns)':>28}{'new (keyset, no PEM)':>24}{'old/new':>9}"
    )
    for name, old_url, new_url in figures:
        old = _median_ms(client, old_url, repeat)
        new = _median_ms(client, new_url, repeat)
        print(f"{name:<22}{old:>25.1f} ms{new:>21.1f} ms{old / new:>8.1f}x")
    dashboard = _median_ms(client, "/", repeat)
    print(f"{'dashboard':<22}{'':>28}{dashboard:>21.1f} ms   (target < 300 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = _setup(args.database_url, Path(tmp))
        try:
            run(args.n, args.repeat, urlsplit(url).scheme)
        finally:
            cleanup()


if __name__ == "__main__":
    main()

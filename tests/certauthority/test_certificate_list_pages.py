"""Issue 10 item 21: the certificate list pages by keyset and never loads the PEM."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certauthority import selectors
from certauthority.models import Certificate

pytestmark = pytest.mark.django_db

URL = reverse("certauthority:certificate-list")
NEXT = re.compile(r'rel="next" href="\?([^"]*)"')
PREV = re.compile(r'rel="prev" href="\?([^"]*)"')
ROW = re.compile(r'href="/ca/certificates/(\d+)/"')


@pytest.fixture
def many(issuing_ca):
    """70 rows: 40 imported, 30 internal; 20 share one created_at to test the tie-break."""
    now = timezone.now()
    rows = [
        Certificate(
            pem=f"-----BEGIN CERTIFICATE-----\nROW{i}\n-----END CERTIFICATE-----\n",
            serial_number=f"{i:04x}",
            subject=f"CN=host{i}.example.com",
            common_name=f"host{i}.example.com",
            san=[f"host{i}.example.com"],
            issuer="CN=Example Issuing CA",
            issuer_ca=issuing_ca if i % 7 else None,
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=i + 1),
            fingerprint_sha256=f"{i:064x}",
            source="imported" if i < 40 else "internal",
        )
        for i in range(70)
    ]
    created = Certificate.objects.bulk_create(rows)
    tie = [c.pk for c in created[10:30]]
    Certificate.objects.filter(pk__in=tie).update(created_at=now - dt.timedelta(hours=1))
    return created


def _walk(client, query: str, pattern=NEXT) -> list[list[int]]:
    pages = []
    seen_queries = set()
    while True:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        html = response.content.decode()
        pages.append([int(pk) for pk in ROW.findall(html)])
        match = pattern.search(html)
        if not match:
            return pages
        query = match.group(1).replace("&amp;", "&")
        assert query not in seen_queries, "the links loop"
        seen_queries.add(query)


def test_walking_next_visits_every_row_once_in_order(client_as, viewer, many):
    pages = _walk(client_as(viewer), "")
    visited = [pk for page in pages for pk in page]
    expected = list(Certificate.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert visited == expected
    assert len(visited) == len(set(visited)) == Certificate.objects.count()
    assert all(len(page) == 25 for page in pages[:-1]) and len(pages) >= 3


def test_filters_stay_in_the_links_and_walking_back_returns_the_same_pages(client_as, viewer, many):
    client = client_as(viewer)
    forward = _walk(client, "source=imported")
    visited = [pk for page in forward for pk in page]
    imported = set(Certificate.objects.filter(source="imported").values_list("pk", flat=True))
    assert len(visited) == len(imported) == 40 and set(visited) == imported
    # From the last page, "Previous" walks back through the same pages.
    last_html = client.get(f"{URL}?source=imported&after={forward[-2][-1]}").content.decode()
    start = PREV.search(last_html).group(1).replace("&amp;", "&")
    assert "source=imported" in start
    backward = _walk(client, start, pattern=PREV)
    assert backward == forward[-2::-1]


@pytest.mark.parametrize(
    "query",
    [
        "after=abc",
        "after=-1",
        "before=999999999",
        "after=99999999999999999999999",
        "after=1e3",
        # Hostile ones: a superscript digit passes str.isdigit() but not int() (was a 500),
        # Arabic-Indic digits, a NUL, and a megabyte of digits.
        "after=%C2%B2",
        "before=%D9%A1%D9%A2",
        "after=1%002",
        "after=" + "9" * 1_000_000,
    ],
    ids=lambda q: q[:30],
)
def test_a_bad_cursor_gives_the_first_page(client_as, viewer, many, query):
    client = client_as(viewer)
    first = ROW.findall(client.get(URL).content.decode())
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert ROW.findall(response.content.decode()) == first


def test_the_list_never_selects_the_pem(client_as, viewer, many):
    client = client_as(viewer)
    for query in ("", f"after={many[40].pk}", f"before={many[5].pk}", "q=host1&source=imported"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        listing = [
            q["sql"] for q in captured.captured_queries if "certauthority_certificate" in q["sql"]
        ]
        assert listing, "the list ran no certificate query"
        for sql in listing:
            assert '"pem"' not in sql and ".pem" not in sql, sql
        assert "OFFSET" not in " ".join(listing).upper()
        assert "COUNT(" not in " ".join(listing).upper()


def test_the_selector_rows_read_without_more_queries(many):
    page = selectors.certificate_page(size=10)
    with CaptureQueriesContext(connection) as captured:
        for cert in page.rows:
            selectors.certificate_status(certificate=cert)
            _ = (cert.common_name, cert.san, cert.issuer_ca and cert.issuer_ca.name, cert.issuer)
    assert captured.captured_queries == []
    assert page.has_next and not page.has_previous


def test_status_counts_agree_with_the_named_reads(many):
    Certificate.objects.filter(pk=many[3].pk).update(
        revoked_at=timezone.now(), revocation_reason="superseded"
    )
    Certificate.objects.filter(pk=many[4].pk).update(not_after=timezone.now())
    within = dt.timedelta(days=30)
    certificates = Certificate.objects.all()
    assert certificates.status_counts(within=within) == {
        "current": certificates.current().count(),
        "expiring": certificates.expiring(within=within).count(),
        "expired": certificates.expired().count(),
        "revoked": certificates.revoked().count(),
    }
    assert (
        certificates.status_counts(within=within)["expiring"] == 28
    )  # 30 within 30 days, less one revoked, one expired

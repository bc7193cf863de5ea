"""Every page, rendered in Japanese with a populated deployment, shows no English leftovers.

Strings built outside gettext (the pki layer's "valid, 89 days left", a role's name, a raw
choice value such as rsa2048) slip past the catalogue checks of test_translations.py; this
sweep renders each page of the app server-side and looks for English words a Japanese admin
would notice. Technical tokens (CN, SAN, PEM, MMP commands), product names and values that
come from the database are allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.deployments.helpers import example_document

# Words and phrases that must not appear on a Japanese page (whole words, case-sensitive).
ENGLISH = [
    "days left", "day left", "valid", "expired", "Download", "Certificate", "certificate",
    "Server", "server", "bits", "Issue", "Sign", "Revoke", "Delete", "Edit", "Save", "Cancel",
    "Deployment", "deployment", "Subject", "Issuer", "Expires", "Name", "Status", "none",
    "addresses", "interfaces", "the certificate", "TURN over TLS", "CA Admin", "Operator",
    "Viewer", "Digital Signature", "Key Encipherment", "Server Authentication",
    "Client Authentication", "rsa2048", "rsa3072", "ec256", "Yes", "No", "Back", "Create",
    "Upload", "Choose", "Unknown", "required", "optional", "internal", "public",
]  # fmt: skip
# Product names stay in English in the Japanese edition of the guide.
PRODUCT_NAMES = [
    "Cisco Meeting Server", "Meeting Server", "Web Bridge", "Call Bridge", "Web Admin",
    "Skype for Business", "Microsoft AD CS", "Active Directory",
]  # fmt: skip
_WORDS = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")
# Elements whose text is technical: commands, file contents, code.
_SKIP = {"code", "pre", "script", "style", "textarea", "kbd", "samp"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        for name, value in attrs:  # what a user reads in attributes
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in _SKIP and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def _database_values() -> list[str]:
    """Values the admin typed or loaded (names, FQDNs, descriptions, subjects): allowed.

    Every text column of the CA and deployment models without choices, except the plan's
    stored reason, which the pages must show in the visitor's language."""
    from django.apps import apps
    from django.db import models

    values: set[str] = set()
    for label in ("certauthority", "deployments"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if field.choices or field.name in ("reason",):
                    continue
                if not isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                    continue
                for value in model.objects.values_list(field.name, flat=True):
                    items = value if isinstance(value, list) else [value]
                    values |= {str(v) for v in items if isinstance(v, str)}
    return sorted((v for v in values if len(v) > 2), key=len, reverse=True)


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


# Pages that are not HTML for a reader, or act on a POST only.
NOT_PAGES = {
    "logout", "set_language", "heartbeat", "certauthority:crl", "certauthority:ocsp",
    "certauthority:ocsp-get", "certauthority:ca-issuer-certificate", "certauthority:ca-certificate",
    "certauthority:ca-chain", "certauthority:certificate-download", "deployments:plan-csr",
    "deployments:plan-issue", "deployments:issue-job",
}  # fmt: skip


@pytest.fixture
def populated(db, internal_ca):
    """Every example deployment, issued by the lab CA, plus a revoked certificate."""
    from certauthority import services as ca_services
    from deployments import services

    deployments = []
    for name in ("single-combined", "single-split", "scalable"):
        document = {**example_document(name), "internal_ca": internal_ca.name}
        deployment = services.deployment_load_document(document=document, actor="test")[0]
        services.deployment_issue(deployment=deployment, actor="test")
        deployments.append(deployment)
    split = deployments[1]
    plans = split.certificate_plans.filter(certificate__isnull=False)
    revoked = plans.first().certificate
    ca_services.certificate_revoke(certificate=revoked, reason="superseded", actor="test")
    return {"deployments": deployments, "ca": internal_ca, "plan": plans.last(), "revoked": revoked}


def _arguments(populated) -> dict[str, object]:
    split = populated["deployments"][1]
    server = split.servers.order_by("pk").first()
    component = server.components.order_by("pk").first()
    return {
        "pk": split.pk,
        "server_pk": server.pk,
        "component_pk": component.pk,
        "plan_pk": populated["plan"].pk,
        "slug": populated["ca"].slug,
        "pack": "cms21",
        "number": "R4.7.1",
    }


def _urls(populated) -> list[str]:
    args = _arguments(populated)
    urls = []
    for name, pattern in _patterns(get_resolver()):
        if name in NOT_PAGES or name.startswith("api:"):  # the REST API answers JSON, not pages
            continue
        wanted = list(pattern.pattern.regex.groupindex)
        kwargs = {k: args[k] for k in wanted}
        if name.startswith("certauthority:certificate"):
            kwargs = {"pk": populated["revoked"].pk} if "pk" in wanted else kwargs
        urls.append(reverse(name, kwargs=kwargs))
    return urls


def test_every_page_in_japanese_has_no_english_leftovers(client, ca_admin, populated):
    client.force_login(ca_admin)
    client.cookies["django_language"] = "ja"
    allowed = _database_values()
    urls = _urls(populated)
    assert len(urls) > 20
    urls += [reverse("certauthority:certificate-detail", args=[populated["plan"].certificate_id])]
    leftovers = []
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
        if response.status_code == 405:  # acts on POST only (revoke, delete)
            continue
        assert response.status_code == 200, (url, response.status_code)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        text = visible_text(response.content.decode())
        for value in [*allowed, *PRODUCT_NAMES]:
            text = text.replace(value, " ")
        leftovers += [(url, m.group(), _context(text, m)) for m in _WORDS.finditer(text)]
    assert leftovers == [], "\n".join(f"{u}: {w!r} in …{c}…" for u, w, c in leftovers)


def _context(text: str, match: re.Match) -> str:
    return " ".join(text[max(0, match.start() - 40) : match.end() + 40].split())


def test_english_form_labels_start_with_a_capital(db):
    from core.forms import ToolForm
    from deployments.forms import ServerForm

    class Pair(ToolForm):
        pairs = (("cert", "the certificate", False),)

    labels = [str(f.label) for f in ServerForm(deployment=None).fields.values()]
    labels.append(str(Pair().fields["cert_file"].label))
    assert "Addresses" in labels and "Interfaces" in labels
    assert "The certificate (file)" in labels


def test_the_validity_and_the_key_read_in_japanese(root_ca):
    import datetime as dt

    from cryptography import x509
    from django.utils import translation

    from certauthority import labels
    from certauthority.pki.inspect import describe_certificate

    cert = x509.load_pem_x509_certificate(root_ca.certificate.pem.encode())
    info = describe_certificate(cert, dt.datetime.now(dt.UTC))
    with translation.override("ja"):
        assert labels.validity_status(info) == f"有効、残り {info.days_left} 日"
        assert labels.key_description("RSA 3072 bits") == "RSA 3072 ビット"
        assert labels.key_usage_names(["Digital Signature", "CRL Sign"]) == [
            "デジタル署名",
            "CRL の署名",
        ]
    with translation.override("en"):
        assert labels.validity_status(info) == f"valid, {info.days_left} days left"

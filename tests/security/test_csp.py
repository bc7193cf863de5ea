"""Issue 9, item 16: a strict Content-Security-Policy on every answer, DEBUG or not.

The policy allows only CertDesk's own origin, so templates must not carry inline code: a
<script> without src, a <style> element, a style="" or on…="" attribute, or a javascript: URL
would be refused by the browser. tests/browser/ run with the header on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def _directives(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, "no Content-Security-Policy header"
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/no-such-page/"])
def test_an_anonymous_page_carries_the_strict_policy(client, settings, path):
    assert settings.DEBUG is False
    policy = _directives(client.get(path))
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] in ("'self'", "'none'")
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in " ".join(policy.values())
    assert "unsafe-eval" not in " ".join(policy.values())


def test_every_page_of_a_logged_in_user_carries_it(client_as, ca_admin):
    client = client_as(ca_admin)
    for name in ("dashboard", "tools", "certauthority:sign", "deployments:list"):
        assert _directives(client.get(reverse(name)))["default-src"] == "'self'", name


def test_a_policy_can_be_switched_to_report_only_by_setting(client, settings, db):
    settings.CERTDESK_CSP_REPORT_ONLY = True
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy" not in response.headers
    assert "default-src 'self'" in response.headers["Content-Security-Policy-Report-Only"]


def test_the_templates_folder_has_templates_to_walk():
    assert len(TEMPLATES) >= 20


INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_carries_inline_script_style_or_handlers(template):
    text = template.read_text(encoding="utf-8")
    found = [what for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == [], f"{template.name}: {', '.join(found)} (move it to static/)"

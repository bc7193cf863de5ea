"""Chromium enforces CertDesk's Content-Security-Policy (issue 9, item 16): the pages work and
the browser reports no refused script, style or image."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

PAGES = ["/", "/deployments/", "/ca/", "/ca/sign/", "/ca/certificates/", "/tools/"]


def test_the_main_pages_load_without_a_single_policy_violation(page, login, operator):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/accounts/login/")
    login("operator", "pw-operator")
    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
    assert refused == []


def test_the_language_switch_still_works_without_its_inline_handler(login, viewer):
    page = login("viewer", "pw-viewer")
    with page.expect_navigation():
        page.select_option("#language-switcher select", "ja")
    assert page.locator("html").get_attribute("lang") == "ja"

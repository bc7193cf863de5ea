"""A person at a browser: logs in, finds the navigation, switches to Japanese."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_a_viewer_logs_in_and_sees_the_dashboard_with_the_main_navigation(login, viewer):
    page = login("viewer", "pw-viewer")
    assert page.locator("h1").inner_text() == "Dashboard"
    nav = page.locator("#mainnav").inner_text()
    for item in ("Dashboard", "Deployments", "Certificate Authority", "Tools"):
        assert item in nav
    assert "viewer · Viewer" in nav


def test_a_wrong_password_keeps_the_visitor_on_the_login_page(page, viewer):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert, .invalid-feedback, .errorlist").count() > 0


def test_choosing_japanese_in_the_switcher_translates_the_page(login, viewer):
    page = login("viewer", "pw-viewer")
    with page.expect_navigation():
        page.select_option("#language-switcher select", "ja")
    assert page.locator("h1").inner_text() == "ダッシュボード"
    assert page.locator("html").get_attribute("lang") == "ja"

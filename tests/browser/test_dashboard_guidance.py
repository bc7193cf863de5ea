"""A new admin's first look at the dashboard in Chromium (issue 10 item 14)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_the_empty_dashboard_shows_where_to_start_and_the_first_link_opens_the_ca_form(
    login, ca_admin
):
    page = login("caadmin", "pw-caadmin")
    guide = page.locator("#getting-started")
    assert guide.is_visible()
    steps = guide.locator("ol > li")
    assert steps.count() == 3
    texts = [steps.nth(i).inner_text() for i in range(3)]
    assert "Create a certificate authority" in texts[0]
    assert "Create a deployment" in texts[1]
    assert "Then follow the deployment's steps" in texts[2]
    assert all("Not done yet" in text for text in texts)
    with page.expect_navigation():
        steps.nth(0).locator("a").click()
    assert page.url.endswith("/ca/new/")


def test_a_created_ca_shows_as_done_on_the_dashboard(login, ca_admin):
    from tests.conftest import create_root_ca

    create_root_ca()
    page = login("caadmin", "pw-caadmin")
    first = page.locator("#start-step-ca")
    assert "Done" in first.inner_text()
    assert "Not done yet" in page.locator("#start-step-deployment").inner_text()

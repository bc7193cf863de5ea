"""A Viewer finds a server's install script and copies it to the clipboard in one click."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

EXAMPLES = Path(__file__).resolve().parents[2] / "deployments" / "examples"


@pytest.fixture
def split():
    from deployments import services

    text = (EXAMPLES / "single-split.yaml").read_text(encoding="utf-8")
    return services.deployment_load(text=text, actor="test")[0]


def test_the_copy_button_puts_the_whole_edge_script_on_the_clipboard(login, viewer, split):
    page = login("viewer", "pw-viewer")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#mainnav >> text=Deployments")
    page.click("main >> text=example-split")
    page.locator("#server-edge1").get_by_role("link", name="Install script").click()
    script = page.locator("#install-script").inner_text()
    # SPEC R4.5: the Edge's load balancer trusts the Core's trunk certificate.
    assert "loadbalancer auth Edge1toLB edge1.key edge1.crt core1.crt" in script
    button = page.locator("[data-copy-target='#install-script']")
    button.click()
    expect(button).to_have_text("Copied")  # the clipboard write is asynchronous
    assert page.evaluate("navigator.clipboard.readText()") == script

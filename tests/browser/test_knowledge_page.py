"""The knowledge page in Chromium: every recipe is there, long MMP commands stay inside their
block (the page fits a 1366 px screen), and it reads in Japanese."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_knowledge_page_fits_the_screen_and_lists_every_kind(login, viewer):
    page = login("viewer", "pw-viewer")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/deployments/")
    page.click("#knowledge-link")
    page.wait_for_selector("#recipe-xmpp")
    assert page.locator("section[id^=recipe-]").count() == 11
    assert "SUCCESS: XMPP server enabled" in page.inner_text("#recipe-xmpp")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"the page is {width} px wide"
    if os.environ.get("CERTDESK_SCREENSHOTS"):
        page.screenshot(path=os.environ["CERTDESK_SCREENSHOTS"] + "/knowledge.png", full_page=False)


def test_the_knowledge_page_speaks_japanese(login, viewer):
    page = login("viewer", "pw-viewer")
    page.context.add_cookies([{"name": "django_language", "value": "ja", "url": page.url}])
    page.goto("/deployments/knowledge/")
    assert "CertDesk の知識" in page.inner_text("h1")
    assert "配置先" in page.inner_text("#recipe-call_bridge")

"""Issue 10 items 11 and 12 in a real Chromium.

Item 12: every page of the app, full of an issued deployment with every <details> opened, fits a
1,366 px laptop window (document scrollWidth), in English and in Japanese.
Item 11: deleting a component and revoking a certificate go through a confirmation page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

EXAMPLES = Path(__file__).resolve().parents[2] / "deployments" / "examples"
WIDTH = 1366


@pytest.fixture
def issued_split(internal_ca):
    """single-split with every internal certificate issued; public ones wait (their
    "Obtain from the public CA" blocks carry the longest commands)."""
    import yaml

    from deployments import services

    doc = yaml.safe_load((EXAMPLES / "single-split.yaml").read_text(encoding="utf-8"))
    doc["internal_ca"] = "Lab Root"
    deployment = services.deployment_load_document(document=doc, actor="test")[0]
    services.deployment_issue(deployment=deployment, actor="test")
    return deployment


def _every_page(deployment) -> dict[str, str]:
    """URL name -> URL of each page a CA Admin can open (GET), filled from ``deployment``."""
    from certauthority.models import CertificateAuthority
    from deployments.models import CertificatePlan

    ca = CertificateAuthority.objects.get(name="Lab Root")
    plan = CertificatePlan.objects.filter(deployment=deployment, certificate__isnull=False).first()
    server = deployment.servers.get(name="core1")
    component = server.components.first()
    d, s, c = deployment.pk, server.pk, component.pk
    return {
        "dashboard": reverse("dashboard"),
        "tools": reverse("tools"),
        "certauthority:ca-list": reverse("certauthority:ca-list"),
        "certauthority:ca-create": reverse("certauthority:ca-create"),
        "certauthority:ca-detail": reverse("certauthority:ca-detail", args=[ca.slug]),
        "certauthority:sign": reverse("certauthority:sign"),
        "certauthority:certificate-list": reverse("certauthority:certificate-list"),
        "certauthority:certificate-detail": reverse(
            "certauthority:certificate-detail", args=[plan.certificate_id]
        ),
        "certauthority:certificate-revoke": reverse(
            "certauthority:certificate-revoke", args=[plan.certificate_id]
        ),
        "certauthority:certificate-key": reverse(
            "certauthority:certificate-key", args=[plan.certificate_id]
        ),
        "certauthority:audit-list": reverse("certauthority:audit-list"),
        "deployments:list": reverse("deployments:list"),
        "deployments:create": reverse("deployments:create"),
        "deployments:knowledge": reverse("deployments:knowledge"),
        "deployments:detail": reverse("deployments:detail", args=[d]),
        "deployments:edit": reverse("deployments:edit", args=[d]),
        "deployments:plan": reverse("deployments:plan", args=[d]),
        "deployments:plan-edit": reverse("deployments:plan-edit", args=[d, plan.pk]),
        "deployments:findings": reverse("deployments:findings", args=[d]),
        "deployments:server-create": reverse("deployments:server-create", args=[d]),
        "deployments:server-edit": reverse("deployments:server-edit", args=[d, s]),
        "deployments:server-delete": reverse("deployments:server-delete", args=[d, s]),
        "deployments:server-script": reverse("deployments:server-script", args=[d, s]),
        "deployments:component-create": reverse("deployments:component-create", args=[d, s]),
        "deployments:component-edit": reverse("deployments:component-edit", args=[d, s, c]),
        "deployments:component-delete": reverse("deployments:component-delete", args=[d, s, c]),
    }


def _too_wide(page, urls: dict[str, str]) -> dict[str, int]:
    page.set_viewport_size({"width": WIDTH, "height": 768})
    wide = {}
    for name, url in urls.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, name
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[name] = width
    return wide


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_page_fits_a_1366_px_window_with_every_details_open(
    login, ca_admin, issued_split, language
):
    page = login("caadmin", "pw-caadmin")
    if language == "ja":
        page.context.add_cookies([{"name": "django_language", "value": "ja", "url": page.url}])
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language
    assert _too_wide(page, _every_page(issued_split)) == {}


def test_the_opened_public_ca_commands_wrap_inside_their_block(login, ca_admin, issued_split):
    page = login("caadmin", "pw-caadmin")
    page.set_viewport_size({"width": WIDTH, "height": 768})
    page.goto(reverse("deployments:plan", args=[issued_split.pk]))
    summary = page.locator("summary", has_text="Obtain from the public CA").first
    summary.click()
    block = summary.locator("xpath=..").locator("pre")
    box = block.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_deleting_a_component_goes_through_its_confirmation(login, operator, issued_split):
    from deployments.models import Component

    core = issued_split.servers.get(name="core1")
    count = Component.objects.filter(server=core).count()
    page = login("operator", "pw-operator")
    page.goto(reverse("deployments:detail", args=[issued_split.pk]))
    page.locator("#server-core1 tbody").get_by_role("link", name="Delete…").first.click()
    assert "Delete component" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Cancel").click()
    assert Component.objects.filter(server=core).count() == count
    page.locator("#server-core1 tbody").get_by_role("link", name="Delete…").first.click()
    page.get_by_role("button", name="Delete the component").click()
    assert "Component deleted." in page.content()
    assert Component.objects.filter(server=core).count() == count - 1


def test_revoking_shows_the_losses_then_revokes(login, ca_admin, issued_split):
    from deployments.models import CertificatePlan

    plan = CertificatePlan.objects.filter(
        deployment=issued_split, certificate__isnull=False
    ).first()
    page = login("caadmin", "pw-caadmin")
    page.goto(reverse("certauthority:certificate-detail", args=[plan.certificate_id]))
    page.click("#revoke-link")
    losses = page.locator("#revoke-losses").inner_text()
    assert "CRL" in losses and plan.basename in losses and issued_split.name in losses
    page.select_option("#revoke-form select[name=reason]", "superseded")
    page.get_by_role("button", name="Revoke the certificate").click()
    assert "The certificate was revoked and the CRL updated." in page.content()
    plan.certificate.refresh_from_db()
    assert plan.certificate.revocation_reason == "superseded"


def test_a_long_tools_failure_is_shown_whole_and_wrapped(login, viewer):
    """Issue 10 item 16: a failure with a long unbroken word wraps inside the result box."""
    page = login("viewer", "pw-viewer")
    page.set_viewport_size({"width": WIDTH, "height": 768})
    page.goto(reverse("tools"))
    long_word = "-----BEGIN CERTIFICATE-----" + "A" * 3000
    page.fill("textarea[name=inspect-material_text]", long_word)
    page.locator("form", has=page.locator("textarea[name=inspect-material_text]")).locator(
        "button[type=submit]"
    ).click()
    result = page.locator("#tool-result")
    assert "pki inspect" in result.inner_text()
    pre = result.locator("pre")
    assert pre.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

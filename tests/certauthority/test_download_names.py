"""Web downloads use the install scripts' file names (issue 10 item 6)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _filename(response) -> str:
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    return disposition.split('filename="', 1)[1].rstrip('"')


def test_a_certificate_and_its_bundle_download_under_the_install_script_names(
    client_as, viewer, issued
):
    client = client_as(viewer)
    base = f"/ca/certificates/{issued.pk}/download"
    assert _filename(client.get(f"{base}/certificate/")) == "cb1_example_com.crt"
    bundle = client.get(f"{base}/chain/")
    assert _filename(bundle) == "cb1_example_com_bundle.crt"
    assert bundle.content.count(b"BEGIN CERTIFICATE") == 2


def test_a_ca_bundle_downloads_as_slug_bundle_crt(client_as, viewer, issuing_ca):
    response = client_as(viewer).get(f"/ca/{issuing_ca.slug}/chain.pem")
    assert _filename(response) == f"{issuing_ca.slug}_bundle.crt"

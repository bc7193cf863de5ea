"""Issue 10 item 16: small page defects a new admin saw on the CA pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_new_ca_help_text_shows_the_name_placeholder(client_as, ca_admin):
    html = client_as(ca_admin).get("/ca/new/").content.decode()
    assert "Empty: CN=&lt;name&gt;." in html
    assert "Empty: CN=." not in html


def test_a_root_ca_does_not_count_its_own_certificate_as_issued(client_as, viewer, root_ca):
    html = client_as(viewer).get(f"/ca/{root_ca.slug}/").content.decode()
    assert "Nothing issued yet." in html
    assert f'?ca={root_ca.slug}">0</a>' in html


def test_the_tools_result_names_the_tool_that_answered(client_as, viewer):
    response = client_as(viewer).post(
        "/tools/", {"tool": "inspect", "inspect-material_text": "not a certificate"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    result = html[html.index('id="tool-result"') :]
    assert "pki inspect answered:" in result[:400]

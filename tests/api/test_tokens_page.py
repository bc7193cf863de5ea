"""The API token page (/accounts/tokens/, issue 13): a user makes, replaces and revokes
their own token; the key is shown once and never cached; the audit log says who and when.
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from certauthority.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

KEY = re.compile(r'<code[^>]*id="new-token">([0-9a-f]{40})</code>')


def _status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/deployments/").status_code


def test_a_viewer_creates_a_token_sees_it_once_and_it_works_with_the_viewers_role(
    client_as, viewer
):
    client = client_as(viewer)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200 and "You have no token." in page.content.decode()

    made = client.post("/accounts/tokens/", {"action": "create"})
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    key = KEY.search(made.content.decode()).group(1)
    assert _status(key) == 200
    # Read-only role: the token cannot create what the viewer cannot.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.post("/api/v1/deployments/", {"name": "x"}, format="json").status_code == 403

    again = client.get("/accounts/tokens/").content.decode()
    assert key not in again and "You have a token, created" in again
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATE, actor=viewer).count() == 1
    assert not AuditEvent.objects.filter(summary__contains=key).exists()


def test_replacing_a_token_stops_the_old_one_and_revoking_stops_the_new_one(client_as, operator):
    client = client_as(operator)
    old = KEY.search(client.post("/accounts/tokens/", {"action": "create"}).content.decode())
    new = KEY.search(client.post("/accounts/tokens/", {"action": "create"}).content.decode())
    assert old.group(1) != new.group(1)
    assert _status(old.group(1)) == 401
    assert _status(new.group(1)) == 200

    revoked = client.post("/accounts/tokens/", {"action": "revoke"}, follow=True)
    assert "Your API token was revoked." in revoked.content.decode()
    assert _status(new.group(1)) == 401
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE, actor=operator).count() == 1


def test_the_page_needs_a_log_in_and_refuses_an_unknown_action(client, client_as, viewer):
    anonymous = client.post("/accounts/tokens/", {"action": "create"})
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert client_as(viewer).post("/accounts/tokens/", {"action": "steal"}).status_code == 400

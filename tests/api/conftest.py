"""API fixtures: a client sending a role's token (answered_split, in tests/conftest.py,
is the deployment with every file to hand out)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_as(db):
    """api_as(user) -> an APIClient sending that user's token; api_as(None) -> anonymous."""
    from rest_framework.authtoken.models import Token

    def make(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make

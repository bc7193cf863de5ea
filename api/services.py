"""API tokens: each user creates and revokes their own (DRF authtoken: one per user)."""

from __future__ import annotations

import logging

from django.db import transaction
from rest_framework.authtoken.models import Token

logger = logging.getLogger("certdesk.api")


def token_create(*, user) -> Token:
    """A new token for ``user``; an existing one stops working (it is replaced)."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
    logger.info("API token created for %s", user.get_username())
    return token


def token_revoke(*, user) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        logger.info("API token revoked for %s", user.get_username())
    return bool(deleted)

"""API tokens: each user creates and revokes their own (DRF authtoken: one per user)."""

from __future__ import annotations

import logging

from django.db import transaction
from rest_framework.authtoken.models import Token

from certauthority.models import AuditAction
from certauthority.services.audit import audit_record

logger = logging.getLogger("certdesk.api")


def token_create(*, user) -> Token:
    """A new token for ``user``; an existing one stops working (it is replaced)."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        # The audit log holds who made a token and when, never the key.
        audit_record(
            action=AuditAction.TOKEN_CREATE,
            actor=user,
            summary=f"API token created for {user.get_username()}",
        )
    logger.info("API token created for %s", user.get_username())
    return token


def token_revoke(*, user) -> bool:
    with transaction.atomic():
        deleted, _ = Token.objects.filter(user=user).delete()
        if deleted:
            audit_record(
                action=AuditAction.TOKEN_REVOKE,
                actor=user,
                summary=f"API token revoked for {user.get_username()}",
            )
    if deleted:
        logger.info("API token revoked for %s", user.get_username())
    return bool(deleted)

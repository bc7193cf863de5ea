"""The audit log: who did what, when (never secrets)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import models

from ..models import AuditAction, AuditEvent

# A user for web requests; a name (the CLI's --actor or OS user) or None ("system") otherwise.
# ``User`` is settings.AUTH_USER_MODEL (CertDesk keeps Django's default user model).
Actor = User | str | None

SYSTEM = "system"


def actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def actor_label(actor: Actor) -> str:
    if isinstance(actor, User):
        return actor.get_username()
    return actor or SYSTEM


def audit_event(
    *,
    action: AuditAction,
    actor: Actor,
    summary: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """An unsaved event (for bulk_create)."""
    return AuditEvent(
        actor=actor_user(actor),
        actor_name=actor_label(actor)[:150],
        action=action,
        object_type=(target._meta.model_name or "") if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        summary=summary,
        details=details or {},
    )


def audit_record(
    *,
    action: AuditAction,
    actor: Actor,
    summary: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log."""
    event = audit_event(action=action, actor=actor, summary=summary, target=target, details=details)
    event.save(force_insert=True)
    return event

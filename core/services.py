"""Writes of the core app."""

from __future__ import annotations

from django.db import transaction

from .models import WorkerHeartbeat


def heartbeat_record(*, hostname: str, requested_by: str = "") -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(hostname=hostname, requested_by=requested_by)


def heartbeat_request(*, requested_by: str) -> None:
    """Ask a worker to record a heartbeat once the current transaction commits."""
    from .tasks import heartbeat

    transaction.on_commit(lambda: heartbeat.delay(requested_by=requested_by))

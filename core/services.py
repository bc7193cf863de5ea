"""Writes of the core app."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from .models import WorkerHeartbeat


class WorkerUnreachable(Exception):
    """The message broker that carries jobs to the worker does not answer."""


# Beat records one heartbeat a minute; a day of them is plenty to read "last seen".
HEARTBEAT_KEEP = timedelta(days=1)


def heartbeat_record(*, hostname: str, requested_by: str = "") -> WorkerHeartbeat:
    """Record that a worker ran, and forget heartbeats older than a day (the table stays small)."""
    heartbeat = WorkerHeartbeat.objects.create(hostname=hostname, requested_by=requested_by)
    WorkerHeartbeat.objects.filter(created_at__lt=heartbeat.created_at - HEARTBEAT_KEEP).delete()
    return heartbeat


def heartbeat_request(*, requested_by: str) -> None:
    """Ask a worker to record a heartbeat once the current transaction commits.

    The publish is tried once, without Celery's retry policy: this button exists to find out
    whether the worker can be reached, so a broker that is down is the answer, said at once
    (raises WorkerUnreachable) instead of after the default retries (about 20 s, then a 500).
    """
    from .tasks import heartbeat

    def send() -> None:
        try:
            heartbeat.apply_async(kwargs={"requested_by": requested_by}, retry=False)
        except (OperationalError, OSError) as exc:
            raise WorkerUnreachable(
                _(
                    "The background worker cannot be reached: the message broker (Redis) does "
                    "not answer (%(reason)s). Start Redis, or check REDIS_URL, then try again."
                )
                % {"reason": type(exc).__name__}
            ) from exc

    transaction.on_commit(send)

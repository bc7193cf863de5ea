"""Background jobs of the core app."""

from __future__ import annotations

import socket

from celery import shared_task

import config.celery  # noqa: F401  (binds @shared_task to the CertDesk app; see config/__init__.py)

from .services import heartbeat_record


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat(requested_by: str = "") -> int:
    """Record that a worker ran; returns the heartbeat id.

    The row is the result: nothing waits on the result store, so publishing needs only the
    broker (and a broker that is down is reported at once, see heartbeat_request).
    """
    return heartbeat_record(hostname=socket.gethostname(), requested_by=requested_by).pk


@shared_task(name="core.add")
def add(x: int, y: int) -> int:
    """Trivial arithmetic task used to prove that a broker carries work to a worker."""
    return x + y

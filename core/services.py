"""Writes of the core app."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from certauthority.pki.errors import PKIError
from certauthority.pki.inspect import Kind, describe_detected, detect
from certauthority.pki.material import (
    CheckResult,
    certificates_from_bytes,
    key_from_bytes,
    match_key_and_certificate,
    verify_certificate,
)

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


# --- the MMP's pki inspect / match / verify (SPEC R4.3), for the Tools page and the API ------


def _inspect(data: dict[str, Any]) -> CheckResult:
    found = detect(data["material"])
    if found.kind is Kind.UNKNOWN:
        raise PKIError(
            _("This is not a key, certificate, CSR or bundle: %(reason)s.")
            % {"reason": found.reason}
        )
    return CheckResult(True, describe_detected(found, dt.datetime.now(dt.UTC)))


def _match(data: dict[str, Any]) -> CheckResult:
    password = data.get("password") or None
    key = key_from_bytes(data["key"], _("the key"), password.encode() if password else None)
    cert = certificates_from_bytes(data["cert"], _("the certificate"))[0]
    return match_key_and_certificate(key, cert)


def _verify(data: dict[str, Any]) -> CheckResult:
    certs = certificates_from_bytes(data["cert"], _("the certificate"))
    bundle = certificates_from_bytes(data["bundle"], _("the bundle"))
    ca = certificates_from_bytes(data["ca"], _("the CA file")) if data.get("ca") else None
    return verify_certificate(certs, bundle, ca, dt.datetime.now(dt.UTC))


_CHECKS = {"inspect": _inspect, "match": _match, "verify": _verify}


def tool_check(*, tool: str, data: dict[str, Any]) -> CheckResult:
    """Run one tool on a Tools form's cleaned data; a PKIError says what is wrong with a file."""
    return _CHECKS[tool](data)

"""Background jobs of the deployments app: thin, they take ids and call one service."""

from __future__ import annotations

from celery import shared_task

import config.celery  # noqa: F401  (binds @shared_task to the CertDesk app)

from . import probe, services


@shared_task(name="deployments.issue_job_run", ignore_result=True)
def issue_job_run(job_id: int) -> None:
    """Make the deployment's keys and certificates for the job ``job_id`` (safe to repeat)."""
    services.issue_job_run(job_id=job_id)


@shared_task(name="deployments.probe_component", ignore_result=True)
def probe_component(component_id: int) -> None:
    """Probe one component's TLS port and keep what it presents (issue 12; safe to repeat)."""
    from .models import Component

    component = Component.objects.filter(pk=component_id, probe_port__isnull=False).first()
    if component is None:
        return  # deleted, or its probe port cleared since the task was sent
    probe.component_probe(component=component)


@shared_task(name="deployments.probe_components", ignore_result=True)
def probe_components() -> None:
    """The "TLS probe" beat job: every component with a probe port (safe to run twice: each
    run only adds a newer result)."""
    probe.components_probe()

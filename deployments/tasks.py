"""Background jobs of the deployments app: thin, they take ids and call one service."""

from __future__ import annotations

from celery import shared_task

import config.celery  # noqa: F401  (binds @shared_task to the CertDesk app)

from . import services


@shared_task(name="deployments.issue_job_run", ignore_result=True)
def issue_job_run(job_id: int) -> None:
    """Make the deployment's keys and certificates for the job ``job_id`` (safe to repeat)."""
    services.issue_job_run(job_id=job_id)

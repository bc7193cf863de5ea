"""Issuing in the background: a job with progress, run by a real worker over Redis.

The wizard's progress bar and the API's issue/ job both poll this job (issues 11 and 13).
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from certauthority.models import KeyPair
from deployments import selectors, services
from deployments.models import IssueJob

pytestmark = pytest.mark.integration


def test_a_deployment_without_internal_ca_is_refused_before_a_job_exists(load_example):
    deployment = load_example("single-split")
    with pytest.raises(services.DeploymentError, match="choose its internal CA first"):
        services.issue_job_start(deployment=deployment, actor="test")
    assert not IssueJob.objects.exists()
    assert not KeyPair.objects.exists()


@pytest.mark.django_db
def test_running_a_job_counts_every_key_and_a_second_run_changes_nothing(load_example, internal_ca):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    job = services.issue_job_start(deployment=deployment, actor="test")
    planned = deployment.certificate_plans.count()
    assert (job.state, job.done, job.total) == ("queued", 0, planned)
    job = services.issue_job_run(job_id=job.pk)
    assert (job.state, job.done, job.total, job.percent) == ("done", planned, planned, 100)
    statuses = {r["basename"]: r["status"] for r in job.results}
    assert statuses["webbridge"] == "csr" and statuses["callbridge"] == "issued"
    keys = KeyPair.objects.count()
    again = services.issue_job_run(job_id=job.pk)
    assert again.state == "done" and KeyPair.objects.count() == keys
    # A second job finds everything made: no key to make, every entry kept or waiting.
    second = services.issue_job_run(
        job_id=services.issue_job_start(deployment=deployment, actor="test").pk
    )
    assert second.total == 0 and KeyPair.objects.count() == keys


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_job_and_the_status_page_shows_it_finish(
    load_example, internal_ca, redis_worker, client_as, viewer
):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    job = services.issue_job_start(deployment=deployment, actor="test")
    url = reverse("deployments:issue-job", args=[deployment.pk, job.pk])
    client = client_as(viewer)
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(url).json()
        seen.append((status["state"], status["done"]))
        if status["finished"]:
            break
        time.sleep(0.1)
    assert status["state"] == "done", status
    assert status["done"] == status["total"] == deployment.certificate_plans.count()
    rows = {r.basename: r for r in selectors.plan_rows(deployment=deployment)}
    assert rows["callbridge"].status == "issued"
    assert rows["webbridge"].status == "csr_ready"
    assert seen[-1] == ("done", status["total"])


def test_the_status_needs_a_role_and_the_right_deployment(
    load_example, internal_ca, client_as, nobody, viewer
):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    other = load_example("single-combined", internal_ca=internal_ca.name)
    job = services.issue_job_start(deployment=deployment, actor="test")
    assert (
        client_as(nobody)
        .get(reverse("deployments:issue-job", args=[deployment.pk, job.pk]))
        .status_code
        == 403
    )
    assert (
        client_as(viewer).get(reverse("deployments:issue-job", args=[other.pk, job.pk])).status_code
        == 404
    )

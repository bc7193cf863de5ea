from __future__ import annotations

import pytest

from config.celery import app as celery_app


@pytest.fixture
def redis_worker(require_redis):
    """A real Celery worker, in a thread of this test process, consuming from Redis."""
    from celery.contrib.testing.worker import start_worker

    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield

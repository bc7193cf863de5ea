"""Issue 9, item 10: the dashboard's "check the worker" button with Redis down.

It used to answer a 500 after about 20 s of Celery's publish retries; now it says at once that
the worker cannot be reached. Redis is replaced by a port of our own range on which nothing
listens (a socket bound but not listening, so no other program can take it meanwhile).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.urls import reverse

from config.celery import app
from core.models import WorkerHeartbeat

CLOSED_PORT = 20301  # the app helper's port range 20300..20399


def _reset_celery_connections() -> None:
    app._after_fork()  # drops the producer and connection pools
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def redis_down():
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", CLOSED_PORT))  # bound, never listening: connections are refused
    dead = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    saved = (app.conf.broker_url, app.conf.result_backend)
    app.conf.broker_url = app.conf.result_backend = dead
    _reset_celery_connections()
    try:
        yield dead
    finally:
        app.conf.broker_url, app.conf.result_backend = saved
        _reset_celery_connections()
        holder.close()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_button_says_at_once_that_the_worker_cannot_be_reached(
    redis_down, client_as, viewer
):
    client = client_as(viewer)
    started = time.monotonic()
    response = client.post(reverse("heartbeat"), follow=True)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    page = response.content.decode()
    assert "The background worker cannot be reached" in page
    assert "REDIS_URL" in page
    assert "sent to the worker" not in page
    assert elapsed < 3, f"the answer took {elapsed:.1f} s"
    assert not WorkerHeartbeat.objects.exists()

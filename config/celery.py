"""The Celery application: broker and result backend come from settings (REDIS_URL or embedded)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("certdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Beat (DatabaseScheduler) copies this entry into django_celery_beat's tables when it starts,
# so the dashboard's "last seen" stays fresh while the worker runs (issue 10 item 14).
HEARTBEAT_SECONDS = 60.0
app.conf.beat_schedule = {
    "core.heartbeat": {
        "task": "core.heartbeat",
        "schedule": HEARTBEAT_SECONDS,
        "kwargs": {"requested_by": "beat"},
        # A heartbeat older than its interval says nothing new: drop it instead of queueing.
        "options": {"expires": HEARTBEAT_SECONDS},
    }
}

"""Small records of the running system itself."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """Written by a background task: proves the Celery worker picks up work from the web app."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    hostname = models.CharField(max_length=255)
    requested_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("worker heartbeat")
        permissions = [("run_tools", _("Can use the tools (inspect, match, verify, CSR)"))]

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.created_at:%Y-%m-%d %H:%M:%S}"

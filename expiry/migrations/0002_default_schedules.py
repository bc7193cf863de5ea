"""The beat schedules of issue 12, editable afterwards in the admin (Periodic tasks).

The expiry scan runs daily, CRLs are checked every six hours (a CRL is renewed three days
before its nextUpdate), and the TLS probe is created turned off: it connects to the servers,
so an admin turns it on once each component has a probe port.
"""

from django.conf import settings
from django.db import migrations

SCAN = "Expiry scan"
CRL = "CRL refresh"
PROBE = "TLS probe"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE,
    )  # fmt: skip
    probe_daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="5", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE,
    )  # fmt: skip
    six_hours, _ = IntervalSchedule.objects.get_or_create(every=6, period="hours")
    PeriodicTask.objects.get_or_create(
        name=SCAN,
        defaults={"task": "expiry.scan", "crontab": daily, "description": "Issue 12: daily"},
    )
    PeriodicTask.objects.get_or_create(
        name=CRL,
        defaults={"task": "expiry.crl_refresh", "interval": six_hours},
    )
    PeriodicTask.objects.get_or_create(
        name=PROBE,
        defaults={"task": "deployments.probe_components", "crontab": probe_daily, "enabled": False},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[SCAN, CRL, PROBE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("expiry", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]

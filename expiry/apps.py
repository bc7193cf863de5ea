from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpiryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "expiry"
    verbose_name = _("Expiry")

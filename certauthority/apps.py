from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertAuthorityConfig(AppConfig):
    name = "certauthority"
    verbose_name = _("Certificate Authority")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)

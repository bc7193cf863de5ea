from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("CertDesk core")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
        from .roles import sync_roles_after_migrate

        # Apps migrated after core add permissions later: keep the role groups complete.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="core.sync_roles")

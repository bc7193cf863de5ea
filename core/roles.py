"""The three CertDesk roles as Django groups, and the permissions each one grants.

Viewer ⊂ Operator ⊂ CA Admin: each role has everything of the one before it.
Permissions are checked on the server for every view (see core.permissions).
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from django.contrib.auth.management import create_permissions
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)


class Role(enum.StrEnum):
    VIEWER = "Viewer"
    OPERATOR = "Operator"
    CA_ADMIN = "CA Admin"

    @property
    def label(self) -> str:
        """The role's name in the visitor's language (the value is the group's name)."""
        return str(_ROLE_LABELS[self])


_ROLE_LABELS = {
    Role.VIEWER: gettext_lazy("Viewer"),
    Role.OPERATOR: gettext_lazy("Operator"),
    Role.CA_ADMIN: gettext_lazy("CA Admin"),
}


_VIEWER = [
    "certauthority.view_certificateauthority",
    "certauthority.view_certificate",
    "certauthority.view_signingrequest",
    "certauthority.download_certificate",
    "core.run_tools",
    "deployments.view_deployment",
    "deployments.view_server",
    "deployments.view_component",
    "deployments.view_certificateplan",
]
_OPERATOR = _VIEWER + [
    "certauthority.generate_key",
    "certauthority.add_signingrequest",
    "certauthority.sign_certificate",
    "certauthority.upload_certificate",
    "deployments.add_deployment",
    "deployments.change_deployment",
    "deployments.delete_deployment",
    "deployments.add_server",
    "deployments.change_server",
    "deployments.delete_server",
    "deployments.add_component",
    "deployments.change_component",
    "deployments.delete_component",
    "deployments.change_certificateplan",
]
_CA_ADMIN = _OPERATOR + [
    "certauthority.add_certificateauthority",
    "certauthority.change_certificateauthority",
    "certauthority.revoke_certificate",
    "certauthority.download_private_key",
    "certauthority.view_auditevent",
    # Unlock a locked-out log-in in the admin (core/lockout.py); needs staff status too.
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.VIEWER: _VIEWER,
    Role.OPERATOR: _OPERATOR,
    Role.CA_ADMIN: _CA_ADMIN,
}


def sync_roles(apps: Any) -> None:
    """Create the role groups and give each exactly its permissions (idempotent).

    Works with the historical app registry of a migration as well as the real one.
    Permissions of apps not migrated yet are skipped; post_migrate adds them later.
    """
    for app_config in apps.get_app_configs():
        # Historical app configs have no models module; create_permissions needs one.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        perms = []
        for name in names:
            app_label, codename = name.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


def sync_roles_after_migrate(sender: Any, apps: Any = None, **kwargs: Any) -> None:
    """post_migrate receiver; `flush` (and so transactional tests) sends it without apps."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return
    sync_roles(apps)

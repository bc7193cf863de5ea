"""Server-side permission checks shared by every view (a hidden button is not a check)."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin


class RequirePermission(PermissionRequiredMixin):
    """Like Django's mixin, but an authenticated user without the permission gets 403."""

    raise_exception = True

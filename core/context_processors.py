from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import Role


def roles(request: HttpRequest) -> dict[str, Any]:
    """The user's role names, for showing which role is active in the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    if user.is_superuser:
        return {"user_roles": [Role.CA_ADMIN.label]}
    names = set(user.groups.values_list("name", flat=True))
    return {"user_roles": [r.label for r in Role if r.value in names]}

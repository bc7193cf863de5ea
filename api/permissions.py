"""The web's roles on every endpoint, checked on the server (issue 13).

Each view names the Django permissions each HTTP method needs (``perms``); an anonymous
request gets 401 (with ``WWW-Authenticate: Token``), a user without them 403.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission


class RolePermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        needed = getattr(view, "perms", {}).get(request.method)
        if needed is None and request.method in ("HEAD", "OPTIONS"):
            needed = getattr(view, "perms", {}).get("GET")
        if needed is None:
            return True  # the method is refused later with 405, or the view checks itself
        return user.has_perms(needed)

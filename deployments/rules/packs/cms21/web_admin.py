"""Web Admin (SPEC R2.5, R4.11)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...catalogue import Kind, Purpose
from ...recipe import ANY_ROLE, InstallStep, Reason, Recipe

RECIPE = Recipe(
    kind=Kind.WEB_ADMIN,
    rules=("R2.1", "R2.5", "R4.11"),
    file_base="webadmin",
    roles=ANY_ROLE,
    purpose=Purpose.WEB_ADMIN,
    plan_order=50,
    reasons=(Reason(_("Web Admin is HTTPS only, and the API goes through it."), "R2.5"),),
    install=(
        InstallStep(
            title=_("Web Admin"),
            rule="R4.11",
            order=90,
            commands=("webadmin certs {key} {cert}{bundle}", "webadmin restart"),
        ),
    ),
)

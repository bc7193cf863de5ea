"""H.323 Gateway (SPEC R2.1): a component of the deployment with no certificate rules."""

from __future__ import annotations

from ...catalogue import Kind
from ...recipe import ANY_ROLE, Recipe, never

RECIPE = Recipe(
    kind=Kind.H323_GATEWAY,
    rules=("R2.1",),
    file_base="h323",
    roles=ANY_ROLE,
    needs_certificate=never,  # R2.1: the guide gives it no certificate rules
)

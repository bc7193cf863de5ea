"""Template helpers that read the component recipes, so pages need no per-kind branches."""

from __future__ import annotations

from django import template

from deployments import rules
from deployments.models import Component

register = template.Library()


@register.filter
def settings_of(component: Component) -> list[tuple[str, str]]:
    """(label, value) for each setting the component's recipe says it takes (R3.7, R4.5, R4.8)."""
    recipe = rules.get_pack(component.deployment.knowledge_pack).recipe(component.kind)
    out = []
    for name in recipe.settings if recipe else ():
        field = Component._meta.get_field(name)
        value = getattr(component, name)
        if name == "xmpp_domain":
            value = value or component.deployment.domain
        if isinstance(value, Component):
            value = f"{value.tag} ({value.server.name})"
        elif isinstance(value, list):
            value = " ".join(value)
        elif getattr(field, "choices", None):
            value = getattr(component, f"get_{name}_display")()
        out.append((str(field.verbose_name), str(value) if value not in (None, "") else "—"))
    return out

"""Where components run (R2.3)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..catalogue import Kind
from ..plan import pack_of
from ..specs import Finding
from .context import CheckContext, warning


def check_recorder_streamer_placement(ctx: CheckContext) -> list[Finding]:
    """R2.3: the recorder and streamer belong on a server other than the Call Bridge's
    (each recipe's ``apart_from``)."""
    findings = []
    pack = pack_of(ctx.spec)
    for server in ctx.spec.servers:
        for comp in server.components:
            recipe = pack.recipe(comp.kind)
            if recipe is not None and any(server.has(k) for k in recipe.apart_from):
                findings.append(
                    warning(
                        "R2.3",
                        comp.ref,
                        _(
                            "%(kind)s runs on %(server)s together with the Call Bridge; that only suits tests or very small deployments."
                        )
                        % {"kind": Kind(comp.kind).label, "server": server.name},
                        _("Move it to another server."),
                    )
                )
    return findings

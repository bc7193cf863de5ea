"""Where components run (R2.3)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..catalogue import Kind
from ..specs import Finding
from .context import CheckContext, _warn


def check_recorder_streamer_placement(ctx: CheckContext) -> list[Finding]:
    """R2.3: the recorder and streamer belong on a server other than the Call Bridge's."""
    findings = []
    for server in ctx.spec.servers:
        if not server.has(Kind.CALL_BRIDGE):
            continue
        for comp in server.components:
            if comp.kind in (Kind.RECORDER, Kind.STREAMER):
                findings.append(
                    _warn(
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

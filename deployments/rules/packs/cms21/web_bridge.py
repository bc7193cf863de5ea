"""Web Bridge (SPEC R2.4, R3.6, R4.6, R4.7.1, R5.3, R5.4)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...catalogue import Kind, Purpose, TrustPurpose
from ...checks import check_callbridge_trust, check_webbridge_names
from ...recipe import EDGE_ROLES, InstallStep, Reason, Recipe, StepInput, TrustNeed
from ._shared import call_bridge_file, call_bridge_members


def _webrtc(spec) -> bool:  # type: ignore[no-untyped-def]
    # R2.4: browsers of WebRTC users connect to it.
    return spec.webrtc


def _trust_values(given: StepInput) -> dict[str, object]:
    link = given.trust.get(TrustPurpose.WEBBRIDGE)
    if link is None:
        return {"trust": None, "file": None, "files": None}
    joined = ", ".join(f"{m}.crt" for m in link.members) if len(link.members) > 1 else None
    return {"trust": link.file_name, "file": link.file_name, "files": joined}


RECIPE = Recipe(
    kind=Kind.WEB_BRIDGE,
    rules=("R2.1", "R2.4", "R3.6", "R4.6", "R4.7.1", "R5.3", "R5.4"),
    file_base="webbridge",
    roles=EDGE_ROLES,
    purpose=Purpose.WEB_BRIDGE,
    plan_order=20,
    public_when=_webrtc,
    public_rule="R2.4",
    names=None,  # R3.6: CN = the FQDN of its DNS A record; a SAN list must contain it
    shareable=True,  # R3.5
    reasons=(
        Reason(
            _("Browsers of WebRTC users connect to the Web Bridge and must trust it."),
            "R2.4",
            _webrtc,
        ),
        Reason(
            _(
                "The Web Bridge presents it to browsers; an internal CA will do without WebRTC users outside."
            ),
            "R3.6",
        ),
    ),
    trust=(
        # R4.7.1: every Web Bridge trusts every Call Bridge certificate.
        TrustNeed(
            TrustPurpose.WEBBRIDGE, "R4.7.1", call_bridge_members, call_bridge_file, order=10
        ),
    ),
    install=(
        InstallStep(
            title=_("Web Bridge"),
            rule="R4.6, R4.7.1",
            order=40,
            commands=(
                "webbridge disable",
                "webbridge certs {key} {cert}{bundle}",
                "webbridge trust {trust}",  # R4.7.1, only when it has Call Bridges to trust
                "webbridge enable",
            ),
            expect=("SUCCESS: Key and certificate pair match", "SUCCESS: Webbridge enabled"),
            notes=(
                _(
                    "%(file)s joins the Call Bridge certificates %(files)s with no blank line between them."
                ),
                _("Afterwards the 'webbridge' command shows Trust bundle: %(file)s."),
            ),
            values=_trust_values,
        ),
    ),
    checks=(check_webbridge_names, check_callbridge_trust),
)

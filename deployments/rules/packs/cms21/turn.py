"""TURN server (SPEC R2.4, R3.10, R4.9, R5.3)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...catalogue import Kind, Purpose
from ...checks import check_turn_same_ca_as_webbridge
from ...recipe import EDGE_ROLES, InstallStep, Reason, Recipe
from ...specs import DeploymentSpec


def _tls(spec: DeploymentSpec) -> bool:
    # R2.4: TURN needs a certificate only when TLS is configured on it.
    return spec.turn_tls


def _public(spec: DeploymentSpec) -> bool:
    # R2.4/R3.10: like the WB's certificate, from the same CA.
    return spec.turn_tls and (spec.webrtc or not spec.components(Kind.WEB_BRIDGE))


RECIPE = Recipe(
    kind=Kind.TURN,
    rules=("R2.1", "R2.4", "R3.10", "R4.9", "R5.3"),
    file_base="turn",
    roles=EDGE_ROLES,
    needs_certificate=_tls,
    purpose=Purpose.TURN,
    plan_order=40,
    public_when=_public,
    public_rule="R2.4",
    same_signer_as=Kind.WEB_BRIDGE,  # R3.10
    shareable=True,  # R3.5
    reasons=(
        Reason(
            _("TURN over TLS presents a certificate like the Web Bridge's, from the same CA."),
            "R3.10",
        ),
    ),
    install=(
        InstallStep(
            title=_("TURN server"),
            rule="R4.9",
            order=70,
            commands=("turn disable", "turn certs {key} {cert}{bundle}", "turn enable"),
        ),
    ),
    checks=(check_turn_same_ca_as_webbridge,),
)

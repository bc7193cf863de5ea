"""Pieces several cms21 recipes share: who trusts the Call Bridges (R2.3, R4.7.1)."""

from __future__ import annotations

from collections.abc import Sequence

from ...plan import call_bridge_certificates
from ...specs import ComponentSpec, DeploymentSpec, PlannedCertificate


def call_bridge_members(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate], comp: ComponentSpec
) -> tuple[str, ...]:
    """The distinct Call Bridge identities a trusting component must hold."""
    return tuple(p.basename for p in call_bridge_certificates(spec, plan))


def call_bridge_file(comp: ComponentSpec, members: tuple[str, ...]) -> str:
    # R4.7.1: one CB cert (or one shared) is trusted as is; several are concatenated.
    return f"{members[0]}.crt" if len(members) == 1 else "combined_callbridge.crt"

"""Trust relationships (SPEC R2.3, R4.5, R4.7.1, R4.8, R4.10): who must trust whom.

Each recipe says which trust stores its components fill (``Recipe.trust``); this loops over them.
"""

from __future__ import annotations

from collections.abc import Sequence

from .plan import pack_of
from .specs import DeploymentSpec, PlannedCertificate, TrustLink


def trust_relationships(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate]
) -> list[TrustLink]:
    """Who must trust whom, and the file that carries the trusted certificates."""
    pack = pack_of(spec)
    found: list[tuple[int, int, int, TrustLink]] = []
    for position, comp in enumerate(spec.components()):
        recipe = pack.recipe(comp.kind)
        if recipe is None:
            continue
        for index, need in enumerate(recipe.trust):
            if not need.when(spec):
                continue
            members = need.members(spec, plan, comp)
            if not members:
                continue
            link = TrustLink(
                comp.server,
                comp.ref,
                need.file_name(comp, members),
                members,
                need.purpose,
                need.rule,
            )
            found.append((need.order, position, index, link))
    return [link for *_key, link in sorted(found, key=lambda item: item[:3])]

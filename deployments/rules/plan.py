"""Required certificates (SPEC R2.4, R2.5, R3.5-R3.10, R4.1): CN, SAN, signer and reason.

Generic over the deployment's knowledge pack: every kind-specific fact comes from its recipe.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from .catalogue import CertProfile, Kind, Purpose, Signer, Strategy
from .naming import component_fqdn, file_base, name_covers, san_with_cn, unique
from .packs import get_pack
from .recipe import KnowledgePack, Names, Recipe
from .specs import ComponentSpec, DeploymentSpec, PlannedCertificate


def pack_of(spec: DeploymentSpec) -> KnowledgePack:
    """The knowledge pack a deployment is planned with."""
    return get_pack(spec.pack)


def public_required(spec: DeploymentSpec, recipe: Recipe) -> bool:
    """R2.4: whether clients outside the organisation must trust this kind's certificate."""
    return recipe.needs_certificate(spec) and recipe.public_when(spec)


def signer_for(spec: DeploymentSpec, recipe: Recipe) -> str:
    """Who signs this kind's certificate: an override (R3.13), another kind's CA (R3.10), or
    a public CA exactly when outside clients must trust it (R2.4, R2.5)."""
    if recipe.signer_override is not None and (chosen := recipe.signer_override(spec)):
        return chosen
    like = pack_of(spec).recipe(recipe.same_signer_as) if recipe.same_signer_as else None
    if like is not None and spec.components(like.kind):
        return signer_for(spec, like)
    return Signer.PUBLIC_CA if public_required(spec, recipe) else Signer.INTERNAL_CA


def component_names(spec: DeploymentSpec, recipe: Recipe, comp: ComponentSpec) -> Names:
    """CN and SAN names of a dedicated certificate (R3.6, R3.7, R4.7)."""
    if recipe.names is not None:
        return recipe.names(spec, comp)
    # R3.6 (WB) and the others: CN = the component's FQDN; a SAN list must contain it.
    fqdn = component_fqdn(spec, comp)
    return Names(fqdn, (fqdn, *comp.extra_names))


def certified_components(spec: DeploymentSpec) -> list[ComponentSpec]:
    """The components that need a certificate in this deployment (R2.1, R2.4)."""
    pack = pack_of(spec)
    out = []
    for comp in spec.components():
        recipe = pack.recipe(comp.kind)
        if recipe is not None and recipe.needs_certificate(spec):
            out.append(comp)
    return out


def required_certificates(spec: DeploymentSpec) -> list[PlannedCertificate]:
    """Every certificate the deployment needs, who signs it, what goes in CN and SAN, and why."""
    pack = pack_of(spec)
    plan: list[PlannedCertificate] = []
    comps = certified_components(spec)
    shared_kinds: tuple[str, ...] = ()
    if spec.strategy in (Strategy.SHARED, Strategy.WILDCARD):
        shared_kinds = pack.kinds(lambda r: r.shareable)
        sharing = _sharing(spec, pack, [c for c in comps if c.kind in shared_kinds])
        shared_kinds = tuple({c.kind for c in sharing})
        if sharing:
            plan.append(_shared_certificate(spec, pack, sharing))

    by_order = sorted(pack.recipes, key=lambda r: r.plan_order)
    for recipe in by_order:
        if recipe.identity != "component" or recipe.kind in shared_kinds:
            continue
        of_kind = [c for c in comps if c.kind == recipe.kind]
        reason, rule = recipe.reason(spec)
        for comp in of_kind:
            names = component_names(spec, recipe, comp)
            plan.append(
                PlannedCertificate(
                    basename=file_base(recipe.file_base, comp.server, len(of_kind)),
                    purpose=recipe.purpose,
                    common_name=names.common_name,
                    san=san_with_cn(names.common_name, names.san),
                    signer=signer_for(spec, recipe),
                    profile=recipe.profile,
                    components=(comp.ref,),
                    reason=reason,
                    rule=rule,
                    public_ca_required=public_required(spec, recipe),
                    key_type=spec.key_type,
                )
            )
    for recipe in by_order:
        if recipe.identity == "server":
            plan.extend(_server_identities(spec, recipe, comps))
    for recipe in by_order:
        if recipe.identity == "cluster" and recipe.plan is not None:
            plan.extend(recipe.plan(spec))
    return plan


def _sharing(
    spec: DeploymentSpec, pack: KnowledgePack, candidates: list[ComponentSpec]
) -> list[ComponentSpec]:
    """The components that join the shared or wildcard certificate (R3.5, R2.6): every
    shareable one, except a kind whose recipe keeps it out of a certificate signed as this one
    would be (the Call Bridge stays out of a public one: R2.5, R4.7)."""
    public = any(public_required(spec, _recipe(pack, c)) for c in candidates)
    return [
        c
        for c in candidates
        if (join := _recipe(pack, c).joins_shared) is None or join(spec, public)
    ]


def _recipe(pack: KnowledgePack, comp: ComponentSpec) -> Recipe:
    recipe = pack.recipe(comp.kind)
    assert recipe is not None  # only components of the pack's kinds reach here
    return recipe


def _shared_certificate(
    spec: DeploymentSpec, pack: KnowledgePack, sharing: list[ComponentSpec]
) -> PlannedCertificate:
    names: list[str] = []
    recipes: list[Recipe] = []
    for comp in sharing:
        recipe = pack.recipe(comp.kind)
        assert recipe is not None  # sharing holds only kinds of the pack
        recipes.append(recipe)
        names.extend(component_names(spec, recipe, comp).san)
    public = any(public_required(spec, r) for r in recipes)
    if spec.strategy == Strategy.WILDCARD:
        # R2.6 / R3.7: CN *.domain, SAN *.domain + domain + names the wildcard does not cover.
        cn = f"*.{spec.domain}"
        uncovered = [n for n in names if not name_covers(cn, n)]
        san = san_with_cn(cn, (spec.domain, *uncovered))
        basename, purpose = "wildcard", Purpose.WILDCARD
        reason = _("One wildcard certificate serves %(kinds)s.")
        rule = "R2.6"
    else:
        # R3.5: CN = the domain; SAN = the domain and every FQDN of the components using it.
        cn = spec.domain
        san = san_with_cn(cn, (*names, spec.domain))
        basename, purpose = "shared", Purpose.SHARED
        reason = _("One certificate serves %(kinds)s; its SAN lists every one of them.")
        rule = "R3.5"
    kinds = unique(str(Kind(c.kind).label) for c in sharing)
    signer: str = Signer.PUBLIC_CA if public else Signer.INTERNAL_CA
    if not public:
        for recipe in unique_recipes(recipes):
            if recipe.signer_override is not None and (chosen := recipe.signer_override(spec)):
                signer = chosen  # R3.13: the CA the Lync Front End trusts
                break
    return PlannedCertificate(
        basename=basename,
        purpose=purpose,
        common_name=cn,
        san=san,
        signer=signer,
        profile=CertProfile.SERVER_CLIENT,
        components=tuple(c.ref for c in sharing),
        reason=reason % {"kinds": ", ".join(kinds)},
        rule=rule,
        public_ca_required=public,
        key_type=spec.key_type,
    )


def unique_recipes(recipes: Sequence[Recipe]) -> list[Recipe]:
    seen: list[Recipe] = []
    for recipe in recipes:
        if recipe not in seen:
            seen.append(recipe)
    return seen


def _server_identities(
    spec: DeploymentSpec, recipe: Recipe, comps: Sequence[ComponentSpec]
) -> list[PlannedCertificate]:
    """R3.8/R4.1: one identity per server for all its members of this kind."""
    reason, rule = recipe.reason(spec)
    plan = []
    for server in spec.servers:
        members = [c for c in comps if c.server == server.name and c.kind == recipe.kind]
        if not members:
            continue
        cn = members[0].fqdn or server.fqdn
        plan.append(
            PlannedCertificate(
                basename=server.name,
                purpose=recipe.purpose,
                common_name=cn,
                san=san_with_cn(cn, (n for c in members for n in c.extra_names)),
                signer=signer_for(spec, recipe),
                profile=recipe.profile,
                components=tuple(c.ref for c in members),
                reason=reason,
                rule=rule,
                public_ca_required=public_required(spec, recipe),
                key_type=spec.key_type,
            )
        )
    return plan


def plan_for_component(plan: Sequence[PlannedCertificate], ref: str) -> list[PlannedCertificate]:
    return [p for p in plan if ref in p.components]


def presents(p: PlannedCertificate) -> bool:
    """Whether a component presents this entry as its own identity (a client-only certificate,
    such as the database client's, is one it only logs in with; R3.9)."""
    return p.profile != CertProfile.CLIENT


def identities_of(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate], kind: str
) -> list[PlannedCertificate]:
    """The distinct identities the components of ``kind`` present (one when they share it)."""
    refs = {c.ref for c in spec.components(kind)}
    return [p for p in plan if refs & set(p.components) and presents(p)]


def call_bridge_certificates(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate]
) -> list[PlannedCertificate]:
    """The distinct identities used by the Call Bridges (one when they share it)."""
    return identities_of(spec, plan, Kind.CALL_BRIDGE)


def database_cluster_needed(spec: DeploymentSpec) -> bool:
    """R2.2/R3.9: whether the deployment needs database cluster certificates."""
    return any(
        r.identity == "cluster" and r.plan is not None and r.plan(spec)
        for r in pack_of(spec).recipes
    )

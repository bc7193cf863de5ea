"""The shape of the guide's knowledge: one ``Recipe`` per component kind, gathered in a
``KnowledgePack`` per Meeting Server version.

A recipe is plain data. Where a rule depends on the deployment (is WebRTC used? is this
database a host or a client?) the field is a small named function of the deployment spec, so
the generic code in ``plan``, ``trust``, ``scripts``, ``topology`` and ``checks`` only loops over
recipes and never asks which kind it is looking at. A second version of the guide is a second
pack: the same shape, other values (ROADMAP 1, ``../shared/SPEC-3x.md``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .catalogue import CertProfile, ServerRole

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from .checks.context import CheckContext
    from .ruletext import RuleBook
    from .specs import (
        ComponentSpec,
        DeploymentSpec,
        Finding,
        PlannedCertificate,
        TrustLink,
    )

    Text = str | Promise
    Check = Callable[[CheckContext], list[Finding]]

SpecTest = Callable[["DeploymentSpec"], bool]


def never(spec: DeploymentSpec) -> bool:
    return False


def always(spec: DeploymentSpec) -> bool:
    return True


@dataclass(frozen=True)
class Reason:
    """Why a component needs its certificate, in the admin's words, and the rule behind it."""

    text: Text
    rule: str
    when: SpecTest = always


@dataclass(frozen=True)
class Names:
    """What a dedicated certificate names: its CN and the names its SAN list must hold."""

    common_name: str
    san: tuple[str, ...]


@dataclass(frozen=True)
class TrustNeed:
    """A trust store a component fills: which plan entries (or the internal CA) go in, and the
    file that carries them (R2.3, R4.5, R4.7.1, R4.8, R4.10).

    ``members`` returns plan basenames (or ``INTERNAL_CA_MEMBER``); an empty answer means no
    trust file is needed. ``file_name`` names the file from those members.
    """

    purpose: str
    rule: str
    members: Callable[
        [DeploymentSpec, Sequence[PlannedCertificate], ComponentSpec], tuple[str, ...]
    ]
    file_name: Callable[[ComponentSpec, tuple[str, ...]], str]
    order: int  # position among every trust link of a deployment
    when: SpecTest = always


@dataclass(frozen=True)
class StepInput:
    """What an install step of one component is filled from."""

    spec: DeploymentSpec
    component: ComponentSpec
    identity: PlannedCertificate | None  # the component's key/certificate (never the DB client)
    by_purpose: Mapping[str, PlannedCertificate]  # every plan entry of the component
    trust: Mapping[str, TrustLink]  # its trust links, by purpose


_FORMATTER = string.Formatter()
_PERCENT = re.compile(r"%\((\w+)\)s")


def _fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in _FORMATTER.parse(template) if name}


@dataclass(frozen=True)
class InstallStep:
    """MMP commands for one component, with what the MMP prints on success (R4.4-R4.11).

    ``commands`` and ``notes`` are templates; ``values`` fills them. A command or note whose
    placeholder has the value ``None`` is left out, which is how optional lines (a trust
    command, a note about joined files) are written as data.
    """

    title: Text
    rule: str
    commands: tuple[str, ...]
    order: int  # position in a server's script: the MMP order of the guide
    expect: tuple[str, ...] = ()
    notes: tuple[Text, ...] = ()
    values: Callable[[StepInput], Mapping[str, Any] | None] | None = None
    needs_identity: bool = True
    fixed: Mapping[str, str] = field(default_factory=dict)  # values known without a deployment

    def outline(self) -> tuple[str, tuple[str, ...]]:
        """The title and commands with their placeholders shown as ``<name>``, for help pages."""
        placeholder = {name: f"<{name}>" for c in self.commands for name in _fields(c)}
        placeholder |= {"bundle": " [<bundle>]", **self.fixed}
        title = str(self.title)
        for name in _PERCENT.findall(title):
            title = title.replace(f"%({name})s", self.fixed.get(name, f"<{name}>"))
        return title, tuple(c.format(**placeholder) for c in self.commands)

    def render(self, given: StepInput) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
        """(title, commands, notes) for ``given``, or ``None`` when the step does not apply."""
        if self.needs_identity and given.identity is None:
            return None
        values: dict[str, Any] = dict(self.fixed)
        if given.identity is not None:
            p = given.identity
            bundle = p.bundle_file
            values |= {
                "key": p.key_file,
                "cert": p.cert_file,
                "bundle": f" {bundle}" if bundle else "",
            }
        if self.values is not None:
            extra = self.values(given)
            if extra is None:
                return None
            values |= extra
        return (
            str(self.title) % values if "%(" in str(self.title) else str(self.title),
            _fill(self.commands, values, plain=True),
            _fill(self.notes, values, plain=False),
        )


def _fill(templates: Sequence[Text], values: Mapping[str, Any], *, plain: bool) -> tuple[str, ...]:
    out = []
    for template in templates:
        text = str(template)
        if plain:
            names = _fields(text)
            if any(values.get(n) is None for n in names):
                continue
            out.append(text.format(**values))
        else:
            needed = _PERCENT.findall(text)
            if any(values.get(n) is None for n in needed):
                continue
            out.append(text % values if "%(" in text else text)
    return tuple(out)


@dataclass(frozen=True)
class Recipe:
    """Everything CertDesk knows about one component kind, each field with its SPEC rule.

    Placement (R2.1): ``roles``, ``singleton``, ``split_only``.
    Signer (R2.4, R2.5): ``public_when``, ``signer_override``, ``same_signer_as``.
    Names (R3.5-R3.10): ``names`` for a dedicated certificate; ``shareable`` says whether it
    joins the shared or wildcard certificate.
    Keys (R4.1, R3.8): ``identity`` says whose key it is (one per component, one per server
    for all its members); ``never_shares_key_with`` the kinds it must never share one with.
    Trust (R2.3, R4.5, R4.7.1, R4.8, R4.10): ``trust``.
    Install (R4.4-R4.11): ``install``; the files follow from its plan entries and trust links.
    Chapter 5: ``checks``, the diagnoses that concern it.
    """

    kind: str
    rules: tuple[str, ...]  # every SPEC rule the recipe restates
    file_base: str  # R4.1: its files are named after where they are used
    roles: frozenset[str]  # R2.1: server roles it may run on
    singleton: bool = True  # at most one per server
    placement_rule: str = "R2.1"
    split_only: bool = False  # R2.1: load balancers exist only in split deployments
    tagged: bool = False  # R4.5: the MMP names it by a tag
    points_at: str = ""  # R4.5: the kind it connects to (a trunk names its load balancer)
    has_database_role: bool = False  # R4.8: database host or remote Call Bridge
    apart_from: tuple[str, ...] = ()  # R2.3: kinds it should not share a server with
    settings: tuple[str, ...] = ()  # component fields it takes beyond its FQDN and names
    # -- the certificate --------------------------------------------------------------------
    needs_certificate: SpecTest = always  # R2.4: e.g. TURN only with TLS
    purpose: str = ""  # what its plan entry is for (Purpose)
    other_purposes: tuple[str, ...] = ()  # further plan entries it makes (the DB client, R3.9)
    identity: str = "component"  # "component" | "server" (R3.8/R4.1) | "cluster" (R3.9)
    plan_order: int = 0  # position among the dedicated certificates of a plan
    public_when: SpecTest = never  # R2.4: when clients outside must trust it
    public_rule: str = "R2.5"
    signer_override: Callable[[DeploymentSpec], str | None] | None = None  # R3.13
    same_signer_as: str = ""  # R3.10: TURN is signed by the Web Bridge's CA
    profile: str = CertProfile.SERVER
    profile_rule: str = "R2.5"
    names: Callable[[DeploymentSpec, ComponentSpec], Names] | None = None  # R3.6, R3.7, R4.7
    shareable: bool = False  # R3.5, R2.6
    # Whether it joins a shared/wildcard certificate that is (or is not) public-CA signed.
    joins_shared: Callable[[DeploymentSpec, bool], bool] | None = None
    acts_as_client: bool = False  # it presents its certificate as a TLS client (clientAuth)
    reasons: tuple[Reason, ...] = ()  # the first that applies is shown
    never_shares_key_with: tuple[str, ...] = ()  # R3.8, R5.5
    plan: Callable[[DeploymentSpec], list[PlannedCertificate]] | None = None  # "cluster" only
    own_bundle: bool = True  # R1.4, R3.11: an intermediate bundle is uploaded beside the cert
    verify_bundle: str = ""  # R4.3: the file ``pki verify`` checks it against, if not its bundle
    # -- trust, install, checks, validation --------------------------------------------------
    trust: tuple[TrustNeed, ...] = ()
    install: tuple[InstallStep, ...] = ()
    checks: tuple[Check, ...] = ()
    validate: Callable[[DeploymentSpec, ComponentSpec], list[Finding]] | None = None
    validate_deployment: Callable[[DeploymentSpec], list[Finding]] | None = None

    def reason(self, spec: DeploymentSpec) -> tuple[str, str]:
        """(reason, rule) for this kind's certificate in ``spec``."""
        for r in self.reasons:
            if r.when(spec):
                return str(r.text), r.rule
        return "", self.placement_rule


@dataclass(frozen=True)
class KnowledgePack:
    """The recipes of one Meeting Server version, and the order in which checks run."""

    name: str
    title: Text
    spec_document: str  # where its rules are restated, e.g. ../shared/SPEC.md
    recipes: tuple[Recipe, ...]
    checks: tuple[Check, ...]  # every check, in the order findings are shown
    rule_book: RuleBook | None = None  # the rules' texts, shown at /rules/ (ruletext.py)
    _by_kind: dict[str, Recipe] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_kind.update({r.kind: r for r in self.recipes})

    def recipe(self, kind: str) -> Recipe | None:
        return self._by_kind.get(kind)

    def recipe_for_purpose(self, purpose: str) -> Recipe | None:
        """The recipe whose plan entries have this purpose (none for shared and wildcard)."""
        return next((r for r in self.recipes if purpose in (r.purpose, *r.other_purposes)), None)

    def kinds(self, predicate: Callable[[Recipe], bool]) -> tuple[str, ...]:
        return tuple(r.kind for r in self.recipes if predicate(r))

    def with_recipe(self, recipe: Recipe, *, name: str) -> KnowledgePack:
        """A copy named ``name`` with ``recipe`` in place of the one of its kind."""
        recipes = tuple(recipe if r.kind == recipe.kind else r for r in self.recipes)
        return replace(self, name=name, recipes=recipes, _by_kind={})

    def install_steps(self) -> list[tuple[Recipe, InstallStep]]:
        steps = [(r, s) for r in self.recipes for s in r.install]
        return sorted(steps, key=lambda pair: pair[1].order)


ANY_ROLE = frozenset({ServerRole.CORE, ServerRole.EDGE, ServerRole.COMBINED})
CORE_ROLES = frozenset({ServerRole.CORE, ServerRole.COMBINED})
EDGE_ROLES = frozenset({ServerRole.EDGE, ServerRole.COMBINED})

"""The knowledge pack: one recipe per component kind, each citing the SPEC rules it restates,
and a second pack plans differently without touching the planner (ROADMAP 1)."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from deployments import rules

from ..deployments.helpers import example_spec

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "SPEC.md"
RULE = re.compile(r"\bR\d+\.\d+(?:\.\d+)?\b")


@pytest.fixture(scope="module")
def spec_rules() -> set[str]:
    if not SPEC.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SPEC} is missing: CI must have shared/ beside the clone")
        pytest.skip(f"{SPEC} is not beside this clone")
    text = SPEC.read_text(encoding="utf-8")
    return set(re.findall(r"^- (R\d+\.\d+(?:\.\d+)?)\b", text, re.M))


def _cited(recipe: rules.Recipe) -> list[str]:
    """Every rule a recipe names: its list, its reasons, trust needs and install steps."""
    cited = list(recipe.rules) + [recipe.placement_rule, recipe.public_rule, recipe.profile_rule]
    cited += [r.rule for r in recipe.reasons]
    cited += [t.rule for t in recipe.trust]
    cited += [rule for step in recipe.install for rule in RULE.findall(step.rule)]
    return cited


@pytest.mark.parametrize("kind", rules.Kind.values)
def test_every_kind_has_a_recipe_that_cites_the_spec(kind, spec_rules):
    recipe = rules.get_pack("cms21").recipe(kind)
    assert recipe is not None, f"{kind} has no recipe in cms21"
    assert recipe.rules, f"the {kind} recipe cites no SPEC rule"
    unknown = sorted(set(_cited(recipe)) - spec_rules)
    assert not unknown, f"the {kind} recipe cites rules SPEC.md does not have: {unknown}"


def test_every_check_a_recipe_names_runs_in_its_pack():
    pack = rules.get_pack()
    for recipe in pack.recipes:
        for check in recipe.checks:
            assert check in pack.checks, f"{check.__name__} of {recipe.kind} never runs"
    assert len(set(pack.checks)) == len(pack.checks)


def test_every_check_of_the_pack_cites_a_rule_in_its_docstring(spec_rules):
    for check in rules.get_pack().checks:
        cited = set(RULE.findall(check.__doc__ or ""))
        assert cited and cited <= spec_rules, check.__name__


def test_a_deployment_is_planned_with_the_pack_it_names():
    spec = example_spec("single-split")
    assert spec.pack == "cms21"
    with pytest.raises(KeyError, match="unknown knowledge pack 'cms99'"):
        rules.required_certificates(dataclasses.replace(spec, pack="cms99"))


@pytest.fixture
def second_pack():
    """cms21 with one changed recipe: Web Admin must be publicly trusted, as a later version
    of the guide might say. Registered under its own name, then removed again."""
    base = rules.get_pack("cms21")
    web_admin = dataclasses.replace(
        base.recipe(rules.Kind.WEB_ADMIN),
        public_when=lambda spec: True,
        public_rule="R2.4",
        reasons=(rules.Reason("Browsers outside reach Web Admin.", "R2.4"),),
    )
    pack = base.with_recipe(web_admin, name="test-pack")
    rules.register_pack(pack)
    yield pack
    rules.unregister_pack("test-pack")


def test_a_second_pack_with_one_changed_recipe_plans_differently(second_pack):
    spec = example_spec("single-split")
    before = {p.basename: p for p in rules.required_certificates(spec)}
    after = {
        p.basename: p
        for p in rules.required_certificates(dataclasses.replace(spec, pack="test-pack"))
    }
    assert before.keys() == after.keys()
    changed = {name for name in before if before[name] != after[name]}
    webadmins = {name for name, p in before.items() if p.purpose == rules.Purpose.WEB_ADMIN}
    assert webadmins and changed == webadmins
    for name in webadmins:
        assert before[name].signer == rules.Signer.INTERNAL_CA
        assert after[name].signer == rules.Signer.PUBLIC_CA
        assert after[name].public_ca_required and after[name].rule == "R2.4"
    # The original pack is untouched by the variant.
    assert rules.required_certificates(spec) == list(before.values())


def test_install_steps_come_in_the_guide_order_on_every_server():
    """R4.4-R4.11: XMPP before trunks and load balancers, Web Bridge before Call Bridge, ..."""
    titles = [str(step.title) for _recipe, step in rules.get_pack().install_steps()]
    assert titles.index("XMPP server") < titles.index("Web Bridge") < titles.index("Call Bridge")
    assert titles.index("Call Bridge") < titles.index("Web Admin")


def test_a_deployment_file_names_its_pack_and_an_unknown_one_is_refused_at_load(db):
    from deployments import documents, services

    from ..deployments.helpers import example_document

    doc = example_document("single-split")
    deployment, _created = services.deployment_load_document(
        document={**doc, "knowledge_pack": "cms21"}, actor="test"
    )
    assert deployment.knowledge_pack == "cms21"
    with pytest.raises(documents.DocumentError, match="no knowledge pack cms99"):
        documents.validate_document({**doc, "knowledge_pack": "cms99"})

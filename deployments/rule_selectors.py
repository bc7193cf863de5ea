"""Reads for the rule pages (/rules/): a pack's rule texts and where each rule is cited."""

from __future__ import annotations

from dataclasses import dataclass

from . import rules
from .rules.ruletext import RuleBook, RuleText, rule_numbers_in


@dataclass(frozen=True)
class RuleUse:
    """A component recipe that cites a rule, for the "used by" links of a rule page."""

    kind: str
    label: str


@dataclass(frozen=True)
class RulePage:
    rule: RuleText
    chapter_title: str
    previous: RuleText | None
    next: RuleText | None
    used_by: tuple[RuleUse, ...]


def rule_book(*, pack: str = rules.DEFAULT_PACK) -> RuleBook:
    """The rule texts of ``pack``; ``KeyError`` when the pack is unknown or has none."""
    book = rules.get_pack(pack).rule_book
    if book is None:
        raise KeyError(pack)
    return book


def recipe_rule_numbers(recipe: rules.Recipe) -> set[str]:
    """Every rule number a recipe cites: its own list, reasons, trust, install steps, checks."""
    cited = set(recipe.rules)
    cited.update(r.rule for r in recipe.reasons)
    cited.update(t.rule for t in recipe.trust)
    cited.update(s.rule for s in recipe.install)
    if recipe.public_rule:
        cited.add(recipe.public_rule)
    for check in recipe.checks:
        cited.update(rule_numbers_in(check.__doc__ or ""))
    return cited


def rule_page(*, number: str, pack: str = rules.DEFAULT_PACK) -> RulePage:
    """One rule with its neighbours and the recipes citing it; ``KeyError`` if unknown."""
    knowledge = rules.get_pack(pack)
    book = rule_book(pack=pack)
    rule = book.get(number)
    if rule is None:
        raise KeyError(number)
    previous, following = book.neighbours(number)
    used_by = tuple(
        RuleUse(kind=r.kind, label=str(rules.Kind(r.kind).label))
        for r in knowledge.recipes
        if number in recipe_rule_numbers(r)
    )
    return RulePage(
        rule=rule,
        chapter_title=str(book.chapters.get(rule.chapter, "")),
        previous=previous,
        next=following,
        used_by=used_by,
    )

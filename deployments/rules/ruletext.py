"""Rule texts: what each numbered rule of a knowledge pack says, in CertDesk's own words.

A pack (``packs/cms21/rule_texts.py``) lists its rules as data; the pages at ``/rules/`` show
them, and the ``rule_links`` template filter turns every cited number into a link. The
numbering is the one of the pack's restatement of the guide (``../shared/SPEC.md`` for cms21).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .recipe import Text

# A rule number as the code cites it: "R2.5", "R4.7.1". Bounded repetition, so matching is
# linear in the text's length (no backtracking blow-up on hostile input).
# Not followed by a letter, digit or ".<digit>", so "R4.7.1x" or "R4.7.123" is no rule at all.
RULE_NUMBER = re.compile(r"\b[RX]\d{1,2}(?:\.\d{1,2}){1,3}(?!\w|\.\d)")


@dataclass(frozen=True)
class RuleText:
    """One rule: its number, a short title and a paraphrase of what it asks."""

    number: str
    title: Text
    summary: Text

    @property
    def chapter(self) -> str:
        return self.number[1:].split(".", 1)[0]


@dataclass(frozen=True)
class RuleBook:
    """Every rule of one pack, with its chapter titles, in the guide's order."""

    chapters: Mapping[str, Text]
    rules: tuple[RuleText, ...]

    def get(self, number: str) -> RuleText | None:
        return next((r for r in self.rules if r.number == number), None)

    def numbers(self) -> tuple[str, ...]:
        return tuple(r.number for r in self.rules)

    def neighbours(self, number: str) -> tuple[RuleText | None, RuleText | None]:
        """The rules just before and after ``number`` (``None`` at either end)."""
        numbers = self.numbers()
        i = numbers.index(number)
        before = self.rules[i - 1] if i > 0 else None
        after = self.rules[i + 1] if i + 1 < len(numbers) else None
        return before, after

    def by_chapter(self) -> Iterator[tuple[str, Text, list[RuleText]]]:
        for chapter, title in self.chapters.items():
            yield chapter, title, [r for r in self.rules if r.chapter == chapter]


def rule_key(number: str) -> tuple[int, ...]:
    """Sort key: R4.7 < R4.7.1 < R4.10."""
    return tuple(int(n) for n in number[1:].split("."))


def rule_numbers_in(text: str) -> list[str]:
    """The rule numbers cited in ``text``, in order of appearance."""
    return RULE_NUMBER.findall(text)

"""``rule_links``: every rule number cited in a text ("R2.5", "R4.7.1") becomes a link to its
page at /rules/. The text is escaped first (unless already safe), then the links go in, so a
reason holding "<script>" stays text. One pass of a bounded regular expression: linear time."""

from __future__ import annotations

from functools import cache

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from deployments import rule_selectors
from deployments.rules.ruletext import RULE_NUMBER

register = template.Library()


@cache
def _titles() -> dict[str, object]:
    return {r.number: r.title for r in rule_selectors.rule_book().rules}


@register.filter(needs_autoescape=True)
def rule_links(value: object, autoescape: bool = True) -> SafeString:
    """The text, escaped, with each known rule number linked to its rule page."""
    text = conditional_escape(value) if autoescape else str(value)
    titles = _titles()
    out: list[str] = []
    pos = 0
    for match in RULE_NUMBER.finditer(text):
        number = match.group()
        if number not in titles:
            continue  # a number the pack does not have stays plain text
        out.append(text[pos : match.start()])
        out.append(
            format_html(
                '<a class="rule-link" href="{}" title="{}">{}</a>',
                reverse("rules:detail", args=[number]),
                titles[number],
                number,
            )
        )
        pos = match.end()
    out.append(text[pos:])
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped

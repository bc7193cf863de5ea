"""Filters that show the pki layer's certificate facts in the visitor's language."""

from __future__ import annotations

from django import template

from certauthority import labels
from certauthority.pki.inspect import CertificateInfo

register = template.Library()


@register.filter
def validity_status(info: CertificateInfo) -> str:
    return labels.validity_status(info)


@register.filter
def key_description(text: str) -> str:
    return labels.key_description(str(text))


@register.filter
def key_usage_names(names: list[str]) -> str:
    return ", ".join(labels.key_usage_names(list(names)))

"""Names: certificate names covering DNS names (R2.6), SAN lists (R3.4), file names (R4.1)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .specs import ComponentSpec, DeploymentSpec


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Drop empties and duplicates (case-insensitive), keep the first spelling and order."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return tuple(out)


def name_covers(pattern: str, name: str) -> bool:
    """Whether a certificate name (possibly ``*.domain``) covers a DNS name (R2.6)."""
    pattern, name = pattern.lower(), name.lower()
    if pattern == name:
        return True
    if pattern.startswith("*."):
        head, _sep, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


def names_cover(names: Iterable[str], name: str) -> bool:
    return any(name_covers(n, name) for n in names)


def san_with_cn(cn: str, names: Iterable[str]) -> tuple[str, ...]:
    # SPEC R3.4: the CN joins the SAN list once; never duplicated.
    return unique((cn, *names))


def file_base(base: str, server: str, count: int) -> str:
    """Name files after where they are used (R4.1): ``webadmin``, or ``core1-webadmin``."""
    return base if count <= 1 else f"{server}-{base}"


def component_fqdn(spec: DeploymentSpec, comp: ComponentSpec) -> str:
    if comp.fqdn:
        return comp.fqdn
    server = spec.server(comp.server)
    return server.fqdn if server else ""

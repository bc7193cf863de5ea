"""Knowledge packs: the guide's recipes per Meeting Server version.

``cms21`` restates the Meeting Server 2.1 certificate guidelines (``../shared/SPEC.md``). A
later version (``../shared/SPEC-3x.md``) becomes one more pack beside it: its recipes, its
check order, registered under its own name. Deployments record the pack they were planned with
(``DeploymentSpec.pack``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..recipe import KnowledgePack

DEFAULT_PACK = "cms21"
_PACKS: dict[str, KnowledgePack] = {}


def _load_builtin() -> None:
    if DEFAULT_PACK not in _PACKS:
        from .cms21 import PACK

        _PACKS[PACK.name] = PACK


def register_pack(pack: KnowledgePack) -> None:
    """Make ``pack`` available by its name (a test's variant, or a later version's pack)."""
    _load_builtin()
    _PACKS[pack.name] = pack


def unregister_pack(name: str) -> None:
    if name != DEFAULT_PACK:
        _PACKS.pop(name, None)


def get_pack(name: str = DEFAULT_PACK) -> KnowledgePack:
    """The pack called ``name``; ``KeyError`` names the packs there are."""
    _load_builtin()
    try:
        return _PACKS[name or DEFAULT_PACK]
    except KeyError:
        raise KeyError(
            f"unknown knowledge pack {name!r}; known: {', '.join(sorted(_PACKS))}"
        ) from None


def pack_names() -> tuple[str, ...]:
    _load_builtin()
    return tuple(sorted(_PACKS))

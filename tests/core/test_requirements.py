"""requirements.txt alone must run CertDesk in production: the web app, and workers on Redis.

The test environment has more packages than production (pytest brings its own), so a missing
runtime dependency would go unnoticed by every other test.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _closure(lines: list[str]) -> set[str]:
    """Every distribution that the given requirement lines pull in, extras included."""
    todo = [Requirement(line) for line in lines]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        key = name + "[" + ",".join(sorted(req.extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        for text in metadata.requires(req.name) or []:
            child = Requirement(text)
            envs = [{"extra": extra} for extra in req.extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in envs):
                todo.append(child)
    return {key.split("[")[0] for key in seen}


def _runtime_lines() -> list[str]:
    text = (ROOT / "requirements.txt").read_text()
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def test_every_runtime_requirement_is_pinned_exactly():
    assert all("==" in line for line in _runtime_lines())


def test_the_redis_broker_imports_are_covered_by_the_runtime_requirements():
    # kombu's Redis transport imports `redis` and `packaging` (a missing `packaging` stopped the
    # worker and beat of `make run` with REDIS_URL set).
    assert {"redis", "packaging", "kombu", "celery"} <= _closure(_runtime_lines())


def test_the_postgres_driver_ships_its_binary_build():
    assert "psycopg-binary" in _closure(_runtime_lines())

"""Deployment files that would make the loader work without bound (issue 9 item 9): YAML
aliases ("billion laughs"), deep nesting and files above 1 MiB are refused quickly, with a
message, through the parser and through `manage.py deployment load`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deployments import documents

ROOT = Path(__file__).resolve().parents[2]

LAUGHS = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(9)
)
HOSTILE = {
    "billion laughs": (LAUGHS, "aliases"),
    "one alias": ("name: &n x\ndomain: *n\n", "aliases"),
    "deep nesting": ("[" * 5000 + "]" * 5000, "nested more than"),
    "deep mappings": ("a:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(200)), "nested"),
    "2 MiB": ("name: x\n" + "# padding\n" * 210_000, "larger than 1024 KiB"),
    "1 MiB of multibyte text": ("# " + "証" * 400_000 + "\n", "larger than 1024 KiB"),
    # YAML 1.1 base-60 integers are summed in quadratic time (about 35 s for 1 MiB).
    "base-60 integer": ("name: x\nport: 1" + ":1" * 300_000 + "\n", "not a number"),
    # More than 4300 digits made int() raise a bare ValueError (a traceback, not a message).
    "5000-digit integer": ("name: x\nport: " + "9" * 5000 + "\n", "not a number"),
}


@pytest.mark.parametrize("text,expected", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_parser_refuses_it_quickly_with_a_message(text, expected):
    start = time.monotonic()
    with pytest.raises(documents.DocumentError) as caught:
        documents.load_document(text)
    assert time.monotonic() - start < 2.0
    assert expected in str(caught.value)


def test_an_anchor_without_an_alias_still_loads():
    # Anchors alone expand nothing; only references to them are refused.
    data = documents.parse_text("name: &n example\n")
    assert data == {"name": "example"}


@pytest.mark.django_db
def test_deployment_load_refuses_a_huge_file_and_a_bomb_with_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, (text, expected) in {
        "bomb": HOSTILE["billion laughs"],
        "huge": HOSTILE["2 MiB"],
    }.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        start = time.monotonic()
        run = subprocess.run(
            [sys.executable, "manage.py", "deployment", "load", str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 1, run.stderr
        assert expected in run.stderr
        assert "Traceback" not in run.stderr
        assert time.monotonic() - start < 30  # one process start; the parse itself is bounded

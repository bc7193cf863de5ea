"""Japanese is a first-class language: every user-visible string has a translation that ships."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import service_missing

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _unquote(lines: list[str]) -> str:
    return "".join(
        bytes(line.strip()[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode()
        for line in lines
    )


def parse_po(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry but the header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        body = [line for line in lines if not line.startswith("#")]
        if not body:
            continue
        text = "\n".join(body)
        match = re.match(r'msgid (".*?")\nmsgstr (".*")$', text, re.DOTALL)
        assert match, f"unexpected entry in {path.name}:\n{text}"
        msgid = _unquote(match.group(1).split("\n"))
        msgstr = _unquote(match.group(2).split("\n"))
        if msgid:
            entries.append((msgid, msgstr, fuzzy))
    return entries


def test_every_message_has_a_japanese_translation_and_none_is_a_guess():
    entries = parse_po(PO)
    assert len(entries) > 300
    assert [m for m, s, fuzzy in entries if not s or fuzzy] == []


def test_placeholders_survive_translation():
    pattern = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    for msgid, msgstr, _fuzzy in parse_po(PO):
        assert sorted(pattern.findall(msgid)) == sorted(pattern.findall(msgstr)), msgid


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [m for m, s, _ in parse_po(PO) if catalogue.gettext(m) != s]
    assert stale == [], "run `make messages` to recompile the .mo file"


def test_every_translatable_string_in_the_source_is_in_the_po_file(tmp_path):
    if not shutil.which("xgettext"):
        service_missing("GNU gettext is not installed (apt-get install gettext)")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT, copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "*.pyc", "vendor"),
    )  # fmt: skip
    env = {**os.environ, "DEBUG": "true", "CERTDESK_VAR_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete",
         "--ignore=static", "--ignore=bench", "--ignore=tests"],
        cwd=copy, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    wanted = {m for m, _s, _f in parse_po(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po")}
    have = {m for m, _s, _f in parse_po(PO)}
    assert sorted(wanted - have) == [], "new strings: run `make messages` and translate them"

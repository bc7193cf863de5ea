"""Start-up of the certificate-day commands (issue 10 item 19).

`manage.py pki …` is run dozens of times in a row, so they must not
import Celery, the admin, django-axes or Celery beat's models (about 0.5 s of the 1.0-1.4 s a
run took). Checked in a fresh interpreter, as a user runs them; not a timing test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("celery", "kombu", "rest_framework", "django.contrib.admin", "axes", "django_celery_beat")

PROBE = """
import os, sys
sys.argv = ["manage.py", *{argv!r}]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from django.core.management import execute_from_command_line
try:
    execute_from_command_line(sys.argv)
except BaseException:  # a failed command still shows what it imported
    pass
print("LOADED:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _loaded_after(argv: list[str], tmp_path: Path) -> list[str]:
    env = {
        **os.environ,
        "SECRET_KEY": "x",
        "CERTDESK_KEY_ENCRYPTION_KEY": "test-only-key-encryption-secret",
        "DEBUG": "true",
        "CERTDESK_VAR_DIR": str(tmp_path / "var"),
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"  # empty: imports are the point
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = [x for x in done.stdout.splitlines() if x.startswith("LOADED:")]
    assert line, done.stderr
    return [m for m in line[-1].removeprefix("LOADED:").split(",") if m]


@pytest.mark.parametrize(
    "argv", [["pki", "--dir", "{tmp}", "list"], ["pki", "--dir", "{tmp}", "inspect", "x.pem"]]
)
def test_a_pki_run_imports_neither_celery_nor_the_web_apps(argv, tmp_path):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    (tmp_path / "x.pem").write_text("not a certificate\n")
    assert _loaded_after(argv, tmp_path) == []


def test_the_web_still_gets_every_app(tmp_path):
    """The trimming applies to pki/ca only: `check` loads the admin and Celery beat."""
    loaded = _loaded_after(["check"], tmp_path)
    assert "django.contrib.admin" in loaded
    assert "django_celery_beat" in loaded

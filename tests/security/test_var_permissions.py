"""Issue 9, item 13: after `make run`'s first steps, var/ and the SQLite database are private.

`make run` calls `python -m config.secrets_init var` then `manage.py migrate`; both run here in
subprocesses with a temporary var dir, under the common umask 022 (which made the database
0644: any local user could read session keys and password hashes).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], var_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        CERTDESK_VAR_DIR=str(var_dir),
        SECRET_KEY_FILE=str(var_dir / "secret-key"),
        CERTDESK_KEY_ENCRYPTION_KEY_FILE=str(var_dir / "key-encryption.key"),
        DEBUG="false",
    )
    env.pop("SECRET_KEY", None)
    env.pop("CERTDESK_KEY_ENCRYPTION_KEY", None)
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(0o022),  # the umask that made the file 0644
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _first_steps_of_make_run(var_dir: Path) -> None:
    _run(["-m", "config.secrets_init", str(var_dir)], var_dir)
    _run(["manage.py", "migrate", "--noinput", "-v", "0"], var_dir)


@pytest.mark.slow
def test_make_run_leaves_var_and_the_database_readable_by_their_owner_only(tmp_path):
    var_dir = tmp_path / "var"
    _first_steps_of_make_run(var_dir)
    database = var_dir / "certdesk.sqlite3"
    assert database.stat().st_size > 0, "migrate did not write the database"
    assert _mode(var_dir) == 0o700
    for path in [database, *var_dir.glob("certdesk.sqlite3-*"), *var_dir.glob("*key*")]:
        assert _mode(path) == 0o600, f"{path.name} is {oct(_mode(path))}"


def test_an_existing_world_readable_install_is_tightened(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir(mode=0o755)
    var_dir.chmod(0o755)
    database = var_dir / "certdesk.sqlite3"
    database.touch()
    database.chmod(0o644)
    _run(["-m", "config.secrets_init", str(var_dir)], var_dir)
    assert _mode(var_dir) == 0o700
    assert _mode(database) == 0o600

"""`manage.py` alone finds the secrets `make run` left under var/ (issue 10 item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: no secret of any kind, DEBUG off, as after `make run` in a new shell.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "CERTDESK_", "DEBUG", "DJANGO_SETTINGS"))
    }
    env["CERTDESK_VAR_DIR"] = str(var_dir)
    env["CERTDESK_ENV_FILE"] = str(var_dir / "no-such.env")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_reads_the_secrets_make_run_created_in_the_var_folder(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "config.secrets_init", str(tmp_path)], cwd=ROOT, check=True
    )
    result = _manage(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.SECRET_KEY); print(settings.CERTDESK_KEY_ENCRYPTION_KEY)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        (tmp_path / "secret-key").read_text().strip(),
        (tmp_path / "key-encryption.key").read_text().strip(),
    ]


def test_the_environment_still_wins_over_the_var_files(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "config.secrets_init", str(tmp_path)], cwd=ROOT, check=True
    )
    other = tmp_path / "other-kek"
    other.write_text("o" * 40 + "\n")
    env_result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.CERTDESK_KEY_ENCRYPTION_KEY)",
        ],
        cwd=ROOT,
        env={
            **{
                k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "CERTDESK_"))
            },
            "DEBUG": "false",
            "CERTDESK_VAR_DIR": str(tmp_path),
            "CERTDESK_KEY_ENCRYPTION_KEY_FILE": str(other),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert env_result.returncode == 0, env_result.stderr
    assert env_result.stdout.strip().splitlines()[-1] == "o" * 40


def test_without_the_var_files_manage_py_stops_with_one_line_saying_what_to_do(tmp_path):
    result = _manage(tmp_path, "check")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0] and "make run" in lines[0] and str(tmp_path) in lines[0]
    assert "Traceback" not in result.stderr

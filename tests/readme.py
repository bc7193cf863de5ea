"""Run the README's runnable blocks as printed, in a folder laid out like a clone after
``make run`` (issue 10 item 2; issue 13's curl examples)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = (
    "config",
    "certauthority",
    "core",
    "deployments",
    "expiry",
    "api",
    "templates",
    "static",
    "locale",
)
# Stop at the first command that fails, and name it.
PROLOGUE = "set -eo pipefail\ntrap 'echo \"FAILED: $BASH_COMMAND\" >&2' ERR\n"


def readme_block(marker: str) -> str:
    """The one ```sh block after ``<!-- MARKER: runnable -->`` in README.md."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(rf"<!-- {marker}: runnable -->\n```sh\n(.*?)\n```", readme, re.DOTALL)
    assert len(blocks) == 1, f"README.md must hold one runnable {marker} block"
    return blocks[0]


def _database_url(folder: Path) -> tuple[str, bool]:
    """The test database when the subprocesses can reach it; else a new SQLite file."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        return f"postgres://{auth}@{host}/{settings['NAME']}", False
    return f"sqlite:///{folder / 'tour.sqlite3'}", True


def clone_layout(folder: Path, **extra: str) -> dict[str, str]:
    """Link the code and .venv into ``folder``, make var/ secrets, migrate when on SQLite,
    and return the environment a user's shell would have there."""
    for name in (*LAYOUT, "manage.py", ".venv"):
        (folder / name).symlink_to(ROOT / name)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "CERTDESK_", "DEBUG", "DATABASE_URL", "REDIS_URL"))
    }
    url, needs_migrate = _database_url(folder)
    env.update(
        DATABASE_URL=url,
        CERTDESK_VAR_DIR=str(folder / "var"),
        CERTDESK_ENV_FILE=str(folder / "no.env"),
        **extra,
    )
    subprocess.run([sys.executable, "-m", "config.secrets_init", "var"], cwd=folder, check=True)
    if needs_migrate:
        subprocess.run(
            [".venv/bin/python", "manage.py", "migrate", "-v", "0"], cwd=folder, env=env, check=True
        )
    return env


def run_block(script: str, folder: Path, env: dict[str, str], timeout: int = 900):
    return subprocess.run(
        ["bash", "-c", PROLOGUE + script],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )

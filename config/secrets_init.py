"""Create the secret files a single-machine install needs, once (`make run` calls this).

Usage: python -m config.secrets_init DIR  — makes DIR private (0700), writes DIR/secret-key and
DIR/key-encryption.key with mode 0600 unless they exist, and creates the SQLite database file
with mode 0600 (SQLite gives its -wal and -shm files the database's mode). Runs without Django
settings, which need these secrets; settings call `secure_var_dir` too.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

FILES = ("secret-key", "key-encryption.key")
# What each file guards, as `make run` says when it creates it (issue 10 item 8).
WHY = {
    "secret-key": "signs sessions and log-in links; a new one only logs everyone out.",
    "key-encryption.key": "encrypts every stored private key: back it up with the database; "
    "without it no stored key can be read.",
}
DATABASE = "certdesk.sqlite3"


def secure_var_dir(folder: Path) -> None:
    """Create FOLDER as 0700, or tighten it: it holds the database, sessions and secrets.

    Best effort on a folder owned by someone else (a mounted volume): the owner decides there.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
    except OSError:
        pass


def private_file(path: Path) -> None:
    """Create PATH empty with mode 0600 unless it exists; tighten an existing one to 0600.

    An empty file is a valid SQLite database, so SQLite keeps this mode instead of the
    umask's 0644 (which let any local user read session keys and password hashes).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError:
            pass
    except OSError:
        return  # no such folder: SQLite says so, in its own words, when it opens the file
    else:
        os.close(fd)


def main(directory: str) -> None:
    folder = Path(directory)
    secure_var_dir(folder)
    for name in FILES:
        path = folder / name
        if path.exists():
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        print(f"CertDesk: created {path}: {WHY[name]}")
    private_file(folder / DATABASE)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var")

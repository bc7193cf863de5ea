"""Create the secret files a single-machine install needs, once (`make run` calls this).

Usage: python -m config.secrets_init DIR  — writes DIR/secret-key and DIR/key-encryption.key
with mode 0600 unless they exist. Runs without Django settings, which need these secrets.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

FILES = ("secret-key", "key-encryption.key")


def main(directory: str) -> None:
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        path = folder / name
        if path.exists():
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        print(
            f"CertDesk: created {path}: back it up; stored private keys cannot be read without it."
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var")

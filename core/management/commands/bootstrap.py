"""Create the first administrator on first run; `make run` prints the frame last (item 8).

The password is shown once, framed, and also written to a 0600 file under var/ so it survives
the servers' start-up output scrolling it away. Reset it any time with
``make manage ARGS="changepassword admin"``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.management.base import CertDeskCommand
from core.roles import Role

PASSWORD_FILE = "first-admin-password.txt"  # noqa: S105 (a file name)
RESET_HINT = 'make manage ARGS="changepassword {username}"'


def password_file_default() -> Path:
    return Path(settings.VAR_DIR) / PASSWORD_FILE


def write_private(path: Path, text: str) -> None:
    """Write TEXT to PATH with mode 0600 from the first byte (never readable by others)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def frame(lines: list[str]) -> str:
    """LINES inside a box of '#' that stands out from the servers' log lines."""
    width = max(len(line) for line in lines) + 4
    border = "#" * width
    body = [f"# {line:<{width - 4}} #" for line in lines]
    return "\n".join(["", border, *body, border, ""])


class Command(CertDeskCommand):
    help = (
        "Create the first administrator (user 'admin', CA Admin) if no user exists yet; "
        "print its password framed and write it to var/first-admin-password.txt (0600)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--password-file",
            type=Path,
            default=None,
            help=f"where to write the password (default: var/{PASSWORD_FILE}, mode 0600)",
        )

    def handle(self, *args, username: str, password_file: Path | None, **options):
        path = password_file or password_file_default()
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write("CertDesk: users already exist; no administrator created.")
            if path.exists():
                self.stdout.write(
                    f"CertDesk: {path} still holds the first administrator's password: "
                    "delete it once you have logged in."
                )
            return
        password = secrets.token_urlsafe(15)
        user = User.objects.create_superuser(username=username, email="", password=password)
        user.groups.add(Group.objects.get(name=Role.CA_ADMIN.value))
        write_private(
            path,
            f"user name: {username}\npassword: {password}\n"
            f"Delete this file once you have logged in. Reset: {RESET_HINT.format(username=username)}\n",
        )
        self.stdout.write(
            frame(
                [
                    "CertDesk: first administrator created (printed only this once)",
                    "",
                    f"  user name: {username}",
                    f"  password:  {password}",
                    "",
                    f"Also written to {path} (mode 0600):",
                    "delete that file once you have logged in.",
                    f"Forgot it? {RESET_HINT.format(username=username)}",
                ]
            )
        )

"""Create the first administrator on first run; print its password once."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.management.base import CertDeskCommand
from core.roles import Role


class Command(CertDeskCommand):
    help = "Create the first administrator (user 'admin', CA Admin) if no user exists yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write("CertDesk: users already exist; no administrator created.")
            return
        password = secrets.token_urlsafe(15)
        user = User.objects.create_superuser(username=username, email="", password=password)
        user.groups.add(Group.objects.get(name=Role.CA_ADMIN.value))
        line = "=" * 64
        self.stdout.write(
            f"{line}\nCertDesk first administrator created (shown only this once):\n"
            f"  user name: {username}\n  password:  {password}\n{line}"
        )

"""The base of CertDesk's command lines (pki, ca, deployment, bootstrap).

Two things every command shares:

- ``--help`` works with a translated (lazy) ``help`` text: argparse wants a plain ``str``.
- An error is one line on stderr, as the MMP prints it: no ``CommandError:`` prefix, and the
  command's exit status (1 bad input or failed check). Under ``call_command`` (tests, other
  code) the ``CommandError`` is raised as Django does.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _


class CertDeskCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)  # gettext_lazy proxy -> str, or argparse's --help crashes
        return super().create_parser(prog_name, subcommand, **kwargs)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(" ".join(str(exc).split("\n")).strip() or "Failed.")
            sys.exit(exc.returncode)
        except DatabaseError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            # A fresh install before `migrate`, or a database that cannot be reached.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.stderr.write(
                _("The database is not ready (%(error)s): run 'manage.py migrate' first.")
                % {"error": first}
            )
            sys.exit(1)

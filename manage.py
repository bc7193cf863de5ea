#!/usr/bin/env python
"""Django's command-line utility for CertDesk."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError:
        # Outside the virtualenv `make run` installed into (issue 10): say how, in one line.
        sys.exit(
            "CertDesk: Django is not installed for this Python; run commands as "
            "'.venv/bin/python manage.py ...' or 'make manage ARGS=\"...\"'."
        )

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

"""``manage.py expiry``: the expiry watch from the command line, for cron users (issue 12).

    expiry check [--dry-run] [--days N]   one line per certificate notified about:
                                          CN, days left, threshold, deployment, component

``check`` runs the daily scan in this process and sends its messages here too (no worker
needed); ``--dry-run`` records and sends nothing. Exit status 1 when a certificate has expired.
"""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from core.management.base import CertDeskCommand

from ... import services
from ...selectors import CertificateUse


class Command(CertDeskCommand):
    help = "The expiry watch: check what expires and tell its contacts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = sub.add_parser("check", help="Scan now; send what is due (exit 1: expired).")
        check.add_argument(
            "--dry-run", action="store_true", help="list what is due; record and send nothing"
        )
        check.add_argument(
            "--days",
            type=int,
            default=None,
            help="only certificates with at most N days left (default: the largest threshold)",
        )

    def handle(self, *args, **options) -> None:
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError(_("--days takes a number of days, 0 or more."), returncode=2)
        send = services.Send.NOTHING if options["dry_run"] else services.Send.INLINE
        result = services.expiry_scan(within_days=days, send=send)
        for line in result.lines:
            uses: list[CertificateUse | None] = list(line.uses) or [None]
            for use in uses:
                threshold = (
                    _("expired") if line.expired else _("%(days)d days") % {"days": line.threshold}
                )
                where = "-"
                deployment = "-"
                if use is not None:
                    deployment = use.deployment
                    where = ", ".join(use.components) or use.basename
                self.stdout.write(
                    f"{line.common_name}\t{line.days_left}\t{threshold}\t{deployment}\t{where}"
                )
        if not result.lines:
            self.stdout.write(_("Nothing to tell: no certificate has crossed a threshold."))
        if options["dry_run"]:
            self.stderr.write(_("Dry run: nothing was recorded or sent."))
        elif result.failed:
            self.stderr.write(
                _(
                    "%(count)d messages could not be sent; they are listed in the admin "
                    "(Expiry notifications) and the next check tries them again."
                )
                % {"count": len(result.failed)}
            )
        if result.expired:
            raise CommandError(
                _("%(count)d certificates have expired: renew them now.")
                % {"count": result.expired},
                returncode=1,
            )

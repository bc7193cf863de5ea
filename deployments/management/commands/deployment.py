"""``manage.py deployment``: Meeting Server deployments from the command line.

    deployment load FILE                 create or update (by name) from YAML or JSON
    deployment export NAME [--out FILE]  write it back as YAML (load of it changes nothing)
    deployment plan NAME                 the required certificates: basename, CN, SAN, signer, why
    deployment issue NAME [--ca CA] [--days N]   keys + CSRs for every entry; the internal CA
                                         (--ca, or the only active CA) signs its own
    deployment scripts NAME [--server S] [--out DIR]   files and install.txt per server,
                                         and csr/ with the CSRs waiting for an outside CA
    deployment attach NAME BASENAME FILE [--bundle FILE] [--issuer-is-trusted-root]
                                         the certificate a CA returned, with its chain
    deployment check NAME                findings; exit 1 when any is an error
    deployment probe NAME [--timeout S]  connect to every component with a TLS probe port and
                                         compare what it presents with the plan; exit 1 on an error

Bad input exits 1 with one line per problem; nothing is saved when loading fails.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from certauthority import selectors as ca_selectors
from certauthority.pki.errors import PKIError
from certauthority.pki.files import read_input
from core.management.base import CertDeskCommand

from ... import documents, probe, rules, selectors, services
from ...models import Deployment


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in containers
        return "cli"


class Command(CertDeskCommand):
    help = "Meeting Server deployments: load, export, plan, issue, scripts, check, probe."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", default=None, help="Name recorded in the audit log.")
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = sub.add_parser("load", help="Create or update a deployment from a YAML/JSON file.")
        load.add_argument("file", type=Path)
        export = sub.add_parser("export", help="Write a deployment as YAML.")
        export.add_argument("name")
        export.add_argument("--out", type=Path, default=None)
        plan = sub.add_parser("plan", help="Print the certificates the deployment needs.")
        plan.add_argument("name")
        issue = sub.add_parser("issue", help="Generate keys and CSRs; sign the internal ones.")
        issue.add_argument("name")
        issue.add_argument(
            "--ca",
            default=None,
            help=_(
                "the internal CA that signs (name or slug); default: the deployment's, or the "
                "only active CA"
            ),
        )
        issue.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"validity; default {rules.INTERNAL_TLS_DAYS} days, or the public TLS limit in force for entries outside clients must trust",
        )
        scripts = sub.add_parser("scripts", help="Write the files and install.txt per server.")
        scripts.add_argument("name")
        scripts.add_argument("--server", default=None)
        scripts.add_argument("--out", type=Path, default=Path("."))
        check = sub.add_parser("check", help="Print findings; exit 1 if any is an error.")
        check.add_argument("name")
        probe_cmd = sub.add_parser(
            "probe",
            help="Probe the TLS ports of the components that have one; exit 1 on an error.",
        )
        probe_cmd.add_argument("name")
        probe_cmd.add_argument(
            "--timeout",
            type=float,
            default=probe.DEFAULT_TIMEOUT,
            help=f"seconds to wait for each connection and handshake (default {probe.DEFAULT_TIMEOUT:g})",
        )
        attach = sub.add_parser(
            "attach", help="Attach the certificate (and chain) a public CA or AD CS returned."
        )
        attach.add_argument("name")
        attach.add_argument("basename")
        attach.add_argument("file", type=Path, help="leaf, or leaf and chain (PEM, DER, PKCS#7)")
        attach.add_argument("--bundle", type=Path, default=None, help="intermediates, if separate")
        attach.add_argument(
            "--issuer-is-trusted-root",
            action="store_true",
            help="the chain's last issuer is a root the clients trust (no intermediate missing)",
        )

    def handle(self, *args, **options) -> None:
        self.actor = options["actor"] or _default_actor()
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(options)
        except documents.DocumentError as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError(
                f"{options.get('file', '')}: not loaded, nothing was saved.", returncode=1
            ) from None
        except (services.DeploymentError, PKIError) as exc:
            raise CommandError(str(exc), returncode=1) from None

    def _deployment(self, name: str):
        try:
            return selectors.deployment_get(name=name)
        except Deployment.DoesNotExist:
            raise CommandError(f"No deployment called {name}.", returncode=1) from None

    def do_load(self, options) -> None:
        path: Path = options["file"]
        try:
            with path.open("rb") as handle:  # no more than the loader accepts (1 MiB)
                data = handle.read(documents.MAX_DOCUMENT_BYTES + 1)
            # Past the limit only the size matters: the loader refuses it with its message.
            oversized = len(data) > documents.MAX_DOCUMENT_BYTES
            text = data.decode("utf-8", errors="replace" if oversized else "strict")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot be read: {exc}", returncode=1) from None
        deployment, created = services.deployment_load(text=text, actor=self.actor)
        verb = "Created" if created else "Updated"
        count = deployment.certificate_plans.count()
        self.stdout.write(f"{verb} deployment {deployment.name}: {count} certificates planned.")

    def do_export(self, options) -> None:
        deployment = self._deployment(options["name"])
        text = documents.dump_yaml(selectors.deployment_document(deployment=deployment))
        if options["out"]:
            options["out"].write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def do_plan(self, options) -> None:
        deployment = self._deployment(options["name"])
        rows = selectors.plan_rows(deployment=deployment)
        for row in rows:
            self.stdout.write(
                f"{row.basename}\tCN={row.common_name}\tSAN={','.join(row.san) or '-'}"
                f"\t{row.signer}\t{row.get_status_display()}\t{row.rule}: {row.reason}"
            )

    def do_issue(self, options) -> None:
        deployment = self._deployment(options["name"])
        results = services.deployment_issue(
            deployment=deployment,
            actor=self.actor,
            days=options["days"],
            internal_ca=self._internal_ca(deployment, options["ca"]),
        )
        for result in results:
            self.stdout.write(f"{result.basename}\t{result.status}\t{result.message}")

    def _internal_ca(self, deployment: Deployment, name: str | None):
        """The CA --ca names; without it the only active CA when the deployment has none."""
        if name:
            ca = (
                ca_selectors.ca_list().filter(name__iexact=name).first()
                or ca_selectors.ca_list().filter(slug=name).first()
            )
            if ca is None:
                raise CommandError(self._ca_hint(_("No CA called %(name)s.") % {"name": name}))
            return ca
        if deployment.internal_ca_id is not None or not any(
            row.signer == rules.Signer.INTERNAL_CA
            for row in selectors.plan_rows(deployment=deployment)
        ):
            return None
        ca = ca_selectors.ca_sole_active()
        if ca is None:
            raise CommandError(
                self._ca_hint(
                    _("%(deployment)s has no internal CA: choose one with --ca.")
                    % {"deployment": deployment.name}
                )
            )
        self.stdout.write(
            _("%(deployment)s: using %(ca)s, the only active CA (choose another with --ca).")
            % {"deployment": deployment.name, "ca": ca.name}
        )
        return ca

    @staticmethod
    def _ca_hint(line: str) -> str:
        names = ca_selectors.ca_active_names()
        if not names:
            return (
                line + " " + _("There is no active CA: create one with 'manage.py ca init NAME'.")
            )
        return line + " " + _("Active CAs: %(names)s.") % {"names": ", ".join(names)}

    def do_scripts(self, options) -> None:
        deployment = self._deployment(options["name"])
        out: Path = options["out"]
        written = services.deployment_scripts_write(
            deployment=deployment, out_dir=out, server=options["server"], actor=self.actor
        )
        for path in written:
            self.stdout.write(str(path))
        for path, reason in written.not_written:
            self.stderr.write(
                _("not written: %(path)s: %(reason)s.") % {"path": path, "reason": reason}
            )

    def do_attach(self, options) -> None:
        deployment = self._deployment(options["name"])
        plan = deployment.certificate_plans.filter(basename=options["basename"]).first()
        if plan is None:
            names = ", ".join(deployment.certificate_plans.values_list("basename", flat=True))
            raise CommandError(
                f"No certificate {options['basename']} in {deployment.name}; planned: {names}.",
                returncode=1,
            )
        for given in (options["file"], options["bundle"]):
            if given is not None and not given.exists():
                raise CommandError(
                    _("%(path)s: no such file (a path from the current folder, %(cwd)s).")
                    % {"path": given, "cwd": Path.cwd()}
                )
        data = read_input(options["file"])
        bundle = read_input(options["bundle"]) if options["bundle"] else None
        result = services.plan_attach_certificate(
            plan=plan,
            data=data,
            bundle=bundle,
            issuer_is_trusted_root=options["issuer_is_trusted_root"],
            actor=self.actor,
        )
        plan = result.plan
        certificate = plan.certificate
        assert certificate is not None
        self.stdout.write(
            f"{plan.basename}: attached {certificate.subject}, valid until "
            f"{certificate.not_after:%Y-%m-%d}; bundle of {plan.bundle_pem.count('BEGIN')} "
            "certificate(s)."
        )
        if plan.issuer_is_trusted_root:
            self.stdout.write(
                f"{plan.basename}: the chain ends at {certificate.issuer}, which you declared a "
                "root the clients trust; the install script assigns the certificate without "
                "an intermediate bundle."
            )
        for warning in result.warnings:
            self.stderr.write(f"{plan.basename}: WARNING: {warning}")

    def do_check(self, options) -> None:
        deployment = self._deployment(options["name"])
        findings = selectors.deployment_findings(deployment=deployment)
        for f in findings:
            self.stdout.write(_finding_line(f))
        if not findings:
            self.stdout.write(f"{deployment.name}: no findings.")
        if rules.has_errors(findings):
            errors = sum(f.severity == rules.Severity.ERROR for f in findings)
            raise CommandError(f"{errors} error(s) in {deployment.name}.", returncode=1)

    def do_probe(self, options) -> None:
        deployment = self._deployment(options["name"])
        results = probe.deployment_probe(deployment=deployment, timeout=options["timeout"])
        if not results:
            self.stdout.write(
                _(
                    "%(deployment)s: no component has a TLS probe port (set one in the "
                    "component's form)."
                )
                % {"deployment": deployment.name}
            )
            return
        errors = 0
        for result in results:
            findings = selectors.probe_result_findings(result)
            for f in findings:
                self.stdout.write(_finding_line(f))
            errors += sum(f.severity == rules.Severity.ERROR for f in findings)
            if not findings:
                self.stdout.write(
                    _("OK\t%(component)s\t%(host)s:%(port)s presents the planned certificate.")
                    % {
                        "component": result.component.ref,
                        "host": result.host,
                        "port": result.port,
                    }
                )
        if errors:
            raise CommandError(
                _("%(count)d error(s) in the TLS probe of %(deployment)s.")
                % {"count": errors, "deployment": deployment.name},
                returncode=1,
            )


def _finding_line(f: rules.Finding) -> str:
    """One finding per line, tab-separated; the TLS probe's end with when they were seen."""
    line = f"{f.severity.upper()}\t{f.rule}\t{f.component}\t{f.problem}\t{f.fix}"
    if f.seen_at is not None:
        when = f.seen_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
        line += "\t" + _("seen %(when)s UTC") % {"when": when}
    return line

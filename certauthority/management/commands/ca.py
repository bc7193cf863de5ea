"""``manage.py ca``: run the internal CA from the command line.

    ca init NAME [--key-type T] [--days N] [--subject DN] [--parent NAME] [--path-length N]
            [--base-url URL]
    ca list
    ca set-url NAME --base-url URL
    ca sign CSRFILE --ca NAME --profile server|client|server-client [--days N] --out CRT
            [--bundle-out FILE] [--san a,b,…] [--force]
    ca revoke SERIAL --ca NAME [--reason R]
    ca crl NAME --out FILE [--pem]
    ca export NAME --out FILE [--chain]
    ca rekey-storage (--old-secret-file F | --new-secret-file F)

Bad input exits 1 with one line saying what is wrong; wrong usage exits 2. Nothing is
written when a command fails. Every change is audited as ``--actor`` (default: cli:<OS user>).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from certauthority import selectors, services
from certauthority.models import CertificateAuthority, RevocationReason
from certauthority.pki.bundle import format_bundle
from certauthority.pki.crl import crl_der_to_pem
from certauthority.pki.errors import PKIError
from certauthority.pki.files import read_input, write_all_atomic, write_atomic
from certauthority.pki.keys import KeyType
from certauthority.pki.names import classify_names, parse_dn
from certauthority.pki.sign import TLS_SERVER_MAX_DAYS, CertProfile
from core.management.base import CertDeskCommand

PROFILES = [p.value for p in CertProfile if p is not CertProfile.CA]


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in the environment (containers)
        return "cli"


class Command(CertDeskCommand):
    help = "Run CertDesk's internal CA: create CAs, sign CSRs, revoke, publish CRLs."
    # Start-up cost (issue 10 item 19): the system checks import every view and URL, about
    # 0.3 s per run; `manage.py check` and `migrate` still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor", default=None, help="Name recorded in the audit log (default cli:<user>)."
        )
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        init = sub.add_parser("init", help="Create a root CA, or an intermediate with --parent.")
        init.add_argument("name")
        init.add_argument(
            "--key-type",
            choices=[k.value for k in KeyType],
            default=services.DEFAULT_CA_KEY_TYPE.value,
        )
        init.add_argument("--days", type=int, default=None)
        init.add_argument("--subject", default=None, help='e.g. "CN=Example CA,O=Example,C=GB"')
        init.add_argument("--parent", default=None, help="Name of the CA that signs this one.")
        init.add_argument("--path-length", type=int, default=None)
        init.add_argument(
            "--base-url",
            default=None,
            help="Base of the CRL/OCSP/caIssuers URLs (default: CERTDESK_PUBLIC_URL).",
        )

        sub.add_parser("list", help="List the CAs.")

        set_url = sub.add_parser(
            "set-url",
            help="Change the base of a CA's CRL/OCSP/caIssuers URLs (for what it signs next).",
        )
        set_url.add_argument("name")
        set_url.add_argument("--base-url", required=True)

        sign = sub.add_parser("sign", help="Sign a CSR (PEM or DER).")
        sign.add_argument("csr", type=Path)
        sign.add_argument("--ca", required=True)
        sign.add_argument("--profile", required=True, choices=PROFILES)
        sign.add_argument("--days", type=int, default=365)
        sign.add_argument("--out", type=Path, required=True)
        sign.add_argument("--bundle-out", type=Path, default=None)
        sign.add_argument(
            "--san", default=None, help="Replace the CSR's subjectAltName: a,b,c (no spaces)."
        )
        sign.add_argument(
            "--force",
            action="store_true",
            help=f"Sign a server certificate valid longer than {TLS_SERVER_MAX_DAYS} days "
            "(Apple platforms refuse it).",
        )

        revoke = sub.add_parser("revoke", help="Revoke a certificate by serial number.")
        revoke.add_argument("serial")
        revoke.add_argument("--ca", required=True)
        revoke.add_argument(
            "--reason", choices=RevocationReason.values, default=RevocationReason.UNSPECIFIED
        )

        crl = sub.add_parser("crl", help="Issue a new CRL and write it (DER, or PEM with --pem).")
        crl.add_argument("name")
        crl.add_argument("--out", type=Path, required=True)
        crl.add_argument("--pem", action="store_true")

        export = sub.add_parser("export", help="Write the CA certificate (PEM).")
        export.add_argument("name")
        export.add_argument("--out", type=Path, required=True)
        export.add_argument("--chain", action="store_true", help="Add the issuers up to the root.")

        rekey = sub.add_parser(
            "rekey-storage",
            help="Re-encrypt every stored private key under a new key-encryption secret.",
        )
        group = rekey.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--old-secret-file",
            type=Path,
            help="Keys are under this old secret; re-encrypt them under the configured one.",
        )
        group.add_argument(
            "--new-secret-file",
            type=Path,
            help="Keys are under the configured secret; re-encrypt them under this new one.",
        )

    def handle(self, *args, **options) -> None:
        self.actor = options["actor"] or _default_actor()
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except PKIError as exc:
            raise CommandError(str(exc), returncode=1) from None
        except CertificateAuthority.DoesNotExist:
            raise CommandError(
                "No such CA: run 'manage.py ca list' to see the names.", returncode=1
            ) from None

    # --- helpers ---

    def _ca(self, name: str) -> CertificateAuthority:
        ca = selectors.ca_list().filter(name__iexact=name).first()
        return ca or selectors.ca_get(slug=name)

    @staticmethod
    def _check_out(path: Path) -> None:
        directory = path.parent if str(path.parent) else Path(".")
        if not directory.is_dir():
            raise CommandError(f"{directory}: no such directory for the output.", returncode=1)
        if path.is_dir():
            raise CommandError(f"{path} is a directory: give a file name.", returncode=1)
        if not os.access(directory, os.W_OK):
            raise CommandError(f"{directory} is not writable.", returncode=1)

    # --- actions ---

    def do_init(self, options) -> None:
        name = options["name"]
        subject = parse_dn(options["subject"] or f"CN={name}")
        common = {
            "name": name,
            "subject": subject,
            "key_type": options["key_type"],
            "days": options["days"],  # None: the service's default for roots/intermediates
            "base_url": options["base_url"],
        }
        if options["parent"]:
            parent = self._ca(options["parent"])
            ca = services.ca_create_intermediate(
                parent=parent,
                path_length=options["path_length"] if options["path_length"] is not None else 0,
                actor=self.actor,
                **common,
            )
        else:
            ca = services.ca_create_root(
                path_length=options["path_length"], actor=self.actor, **common
            )
        self.stdout.write(
            f"Created {'intermediate' if ca.parent_id else 'root'} CA '{ca.name}' ({ca.slug}), "
            f"serial {ca.certificate.serial_number}, valid until {ca.certificate.not_after:%Y-%m-%d}."
        )
        self._write_urls(ca)

    def _write_urls(self, ca: CertificateAuthority) -> None:
        self.stdout.write(
            f"Certificates it signs will carry: CRL {ca.crl_url}, OCSP {ca.ocsp_url}, "
            f"CA certificate {ca.ca_issuers_url}"
        )
        if services.base_url_is_loopback(ca.base_url):
            self.stderr.write(
                f"Warning: {ca.base_url} is a loopback address that other machines cannot "
                f"reach: run 'manage.py ca set-url {ca.slug} --base-url https://<host>' "
                "before signing, or set CERTDESK_PUBLIC_URL."
            )

    def do_set_url(self, options) -> None:
        ca = self._ca(options["name"])
        old = ca.base_url
        services.ca_set_base_url(ca=ca, base_url=options["base_url"], actor=self.actor)
        self.stdout.write(
            f"{ca.name}: the base URL is now {ca.base_url} (was {old}); certificates signed "
            "from now on use it, those signed before keep their URLs."
        )
        self._write_urls(ca)

    def do_list(self, options) -> None:
        authorities = list(selectors.ca_list())
        if not authorities:
            self.stdout.write("No CAs yet: create one with 'manage.py ca init NAME'.")
            return
        for ca in authorities:
            kind = f"intermediate of {ca.parent.name}" if ca.parent else "root"
            state = "active" if ca.is_active else "inactive"
            self.stdout.write(
                f"{ca.name}\t{ca.slug}\t{kind}\t{state}\t"
                f"until {ca.certificate.not_after:%Y-%m-%d}\t{ca.subject}"
            )

    def do_sign(self, options) -> None:
        out, bundle_out = options["out"], options["bundle_out"]
        self._check_out(out)
        if bundle_out is not None:
            self._check_out(bundle_out)
            if bundle_out.resolve() == out.resolve():
                raise CommandError("--out and --bundle-out must be different files.", returncode=1)
        ca = self._ca(options["ca"])
        if not options["csr"].exists():
            # read_input's hint ('pki list') fits pki, which has --dir; ca sign takes a path.
            raise CommandError(
                _("%(path)s: no such file (a path from the current folder, %(cwd)s).")
                % {"path": options["csr"], "cwd": Path.cwd()},
                returncode=1,
            )
        csr = services.csr_parse(data=read_input(options["csr"]))
        san = classify_names(options["san"].split(",")) if options["san"] else None
        issued = services.certificate_issue(
            ca=ca,
            csr=csr,
            profile=options["profile"],
            days=options["days"],
            san=san,
            force=options["force"],
            actor=self.actor,
        )
        certificate = issued.certificate
        files = [(out, certificate.pem.encode("ascii"), 0o644)]
        if bundle_out is not None:
            files.append((bundle_out, format_bundle(services.ca_chain(ca=ca)), 0o644))
        write_all_atomic(files)
        for warning in issued.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"Signed '{certificate.subject}' with {ca.name}: serial {certificate.serial_number}, "
            f"valid until {certificate.not_after:%Y-%m-%d}; wrote {out}"
            + (f" and the bundle {bundle_out}." if bundle_out else ".")
        )

    def do_revoke(self, options) -> None:
        ca = self._ca(options["ca"])
        certificate = selectors.certificate_by_serial(ca=ca, serial=options["serial"])
        if certificate is None:
            raise CommandError(
                f"{ca.name} has issued no certificate with serial {options['serial']}.",
                returncode=1,
            )
        services.certificate_revoke(
            certificate=certificate, reason=options["reason"], actor=self.actor
        )
        self.stdout.write(
            f"Revoked serial {certificate.serial_number} ({certificate.subject}); "
            f"the CRL of {ca.name} was updated."
        )

    def do_crl(self, options) -> None:
        self._check_out(options["out"])
        ca = self._ca(options["name"])
        der = services.crl_generate(ca=ca, actor=self.actor)
        write_atomic(options["out"], crl_der_to_pem(der) if options["pem"] else der)
        self.stdout.write(f"Wrote CRL number {ca.crl_number} of {ca.name} to {options['out']}.")

    def do_export(self, options) -> None:
        self._check_out(options["out"])
        ca = self._ca(options["name"])
        chain = services.ca_chain(ca=ca)
        certs = chain if options["chain"] else chain[:1]
        write_atomic(options["out"], format_bundle(certs))
        self.stdout.write(f"Wrote {len(certs)} certificate(s) of {ca.name} to {options['out']}.")

    def do_rekey_storage(self, options) -> None:
        current = settings.CERTDESK_KEY_ENCRYPTION_KEY
        if not current:
            raise CommandError(
                "CERTDESK_KEY_ENCRYPTION_KEY is not set: configure it first.", returncode=1
            )
        if options["old_secret_file"] is not None:
            old, new = self._read_secret(options["old_secret_file"]), current
        else:
            old, new = current, self._read_secret(options["new_secret_file"])
        count = services.keystore_rekey(old_secret=old, new_secret=new, actor=self.actor)
        self.stdout.write(f"Re-encrypted {count} private key(s).")
        if options["new_secret_file"] is not None:
            self.stdout.write(
                "Now set CERTDESK_KEY_ENCRYPTION_KEY (or _FILE) to the new secret and restart "
                "CertDesk."
            )

    @staticmethod
    def _read_secret(path: Path) -> str:
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(
                f"{path}: cannot read the secret file ({exc.strerror}).", returncode=1
            ) from None
        if len(secret) < 16:
            raise CommandError(f"{path}: the secret is shorter than 16 characters.", returncode=1)
        return secret

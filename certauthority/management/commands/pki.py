"""``python manage.py pki [--dir DIR] VERB …``: the Meeting Server's ``pki`` commands, offline.

SPEC Appendix C lists the MMP commands this mirrors; R4.3 the checks before assigning a
certificate. The command works on the files of one directory, as the MMP does on its
SFTP area. It is a thin shell over ``certauthority.pki``: parse, call, print.

Exit status: 0 success; 1 a failed check or bad input (one line on stderr, no file
created or changed); 2 wrong usage (argparse).
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certauthority.pki import extensions
from certauthority.pki.bundle import (
    format_bundle,
    order_chain,
    split_chain,
    trust_bundle,
)
from certauthority.pki.csr import (
    CsrRequest,
    build_csr,
    check_csr,
    parse_csr_arguments,
    validate_basename,
)
from certauthority.pki.errors import PasswordRequired, PKIError
from certauthority.pki.files import (
    MAX_INPUT_BYTES,
    bundle_file_name,
    read_input,
    write_all_atomic,
)
from certauthority.pki.inspect import Kind, describe_detected, detect
from certauthority.pki.keys import (
    DEFAULT_KEY_TYPE,
    KeyType,
    PrivateKey,
    generate_private_key,
    load_private_key,
    private_key_to_pem,
)
from certauthority.pki.material import (
    CheckResult,
    certificates_from_bytes,
    key_from_bytes,
    match_key_and_certificate,
    not_a_message,
    verify_certificate,
)
from certauthority.pki.names import describe_general_name, format_name
from certauthority.pki.openssl_commands import csr_commands, selfsigned_command
from certauthority.pki.pkcs12 import is_pkcs12
from certauthority.pki.selfsigned import DEFAULT_DAYS, build_self_signed
from certauthority.pki.ssh import looks_like_ssh_public_key, pkcs12_to_ssh
from core.management.base import CertDeskCommand

# The Meeting Server's own output lines (SPEC R4.4, R4.6): reproduced exactly.

# SPEC R4.2: a file name has no '.' except before its extension.
_OUTPUT_NAME = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9]+$")
_KEY_TYPES = [k.value for k in KeyType]


class Failure(Exception):
    """A check failed or the input is bad: print ``line`` on stderr and exit 1."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


class Command(CertDeskCommand):
    help = gettext_lazy(
        "Work with keys, certificates, CSRs and bundles in a directory the way the Meeting "
        "Server's 'pki' command does on its SFTP area. Input files above 1 MiB "
        "(MAX_INPUT_BYTES) are refused. Exit status: 0 success, 1 failed check or bad "
        "input, 2 wrong usage."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            default=".",
            help=_("directory holding the files (default: the current directory)"),
        )
        verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

        verbs.add_parser("list", help=_("list the keys, certificates and CSRs in the directory"))

        p = verbs.add_parser("inspect", help=_("say what a file holds; certificate details"))
        p.add_argument("file")

        p = verbs.add_parser("match", help=_("check that a private key and a certificate match"))
        p.add_argument("key")
        p.add_argument("cert")

        p = verbs.add_parser(
            "verify",
            help=_(
                "verify a certificate through a bundle; without CA the bundle's own root is trusted"
            ),
        )
        p.add_argument("cert")
        p.add_argument("bundle")
        p.add_argument("ca", nargs="?")

        p = verbs.add_parser("unlock", help=_("remove the password from an encrypted key"))
        p.add_argument("key")
        p.add_argument("--password-file", help=_("read the password from this file"))

        for verb, text in (
            ("csr", _("new private key BASENAME.key and CSR BASENAME.csr")),
            ("selfsigned", _("new private key BASENAME.key and self-signed BASENAME.crt")),
            ("openssl", _("print the OpenSSL commands that do what 'csr' does")),
        ):
            p = verbs.add_parser(verb, help=text)
            p.add_argument("basename")
            p.add_argument(
                "attributes",
                nargs="*",
                metavar="ATTR:VALUE",
                help=_(
                    "CN:, OU:, O:, L:, ST:, C:, emailAddress:, subjectAltName: (comma-"
                    "separated DNS names, IP addresses, wildcards)"
                ),
            )
            p.add_argument("--key-type", choices=_KEY_TYPES, default=DEFAULT_KEY_TYPE.value)
            if verb != "openssl":
                p.add_argument("--force", action="store_true", help=_("overwrite existing files"))
            if verb != "csr":
                p.add_argument("--days", type=int, default=DEFAULT_DAYS)

        p = verbs.add_parser(
            "lint",
            help=_("check certificates and CRLs against RFC 5280 with pkilint (exit 1: an error)"),
        )
        p.add_argument("files", nargs="+", metavar="FILE")
        p.add_argument(
            "--public",
            action="store_true",
            help=_("also the CA/Browser Forum's rules, for certificates from a public CA"),
        )

        p = verbs.add_parser(
            "pkcs12-to-ssh",
            help=_("replace USER.pub holding a PKCS#12 file with its plain SSH public key"),
        )
        p.add_argument("user")
        p.add_argument("--password-file", help=_("read the password from this file"))

        p = verbs.add_parser(
            "split",
            help=_("split a CA's answer into BASENAME.crt and BASENAME_bundle.crt"),
        )
        p.add_argument("chainfile")
        p.add_argument("basename")
        p.add_argument("--force", action="store_true", help=_("overwrite existing files"))

        p = verbs.add_parser(
            "bundle", help=_("write certificates into one bundle, issuer first, root last")
        )
        p.add_argument("out")
        p.add_argument("certs", nargs="+", metavar="CERT")
        p.add_argument(
            "--trust-store",
            action="store_true",
            help=_("unrelated certificates, e.g. several Call Bridges' (webbridge trust)"),
        )
        p.add_argument("--force", action="store_true", help=_("overwrite an existing file"))

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"])
        handler = getattr(self, "verb_" + options["verb"].replace("-", "_"))
        try:
            if not directory.is_dir():
                raise Failure(_("%(dir)s is not a directory.") % {"dir": directory})
            handler(directory, options)
        except PKIError as exc:
            self._exit_failure(str(exc))
        except Failure as exc:
            self._exit_failure(exc.line)

    # --- helpers ---------------------------------------------------------------------

    def _exit_failure(self, line: str) -> NoReturn:
        self.stderr.write(line)
        sys.exit(1)

    def _say(self, line: str = "") -> None:
        self.stdout.write(line)

    def _warn(self, line: str) -> None:
        self.stderr.write(_("Warning: %(line)s") % {"line": line})

    @staticmethod
    def _now() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    @staticmethod
    def _path(directory: Path, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name in {".", ".."}:
            raise Failure(
                _("'%(name)s': give the name of a file in the directory, not a path.")
                % {"name": name}
            )
        return directory / name

    def _read(self, directory: Path, name: str) -> bytes:
        return read_input(self._path(directory, name))

    def _refuse_overwrite(self, paths: list[Path], force: bool) -> None:
        if force:
            return
        for path in paths:
            if path.exists():
                raise Failure(
                    _("%(name)s already exists: choose another name or add --force.")
                    % {"name": path.name}
                )

    def _read_password(self, options: dict[str, Any], prompt: str) -> bytes:
        password_file = options.get("password_file")
        if password_file:
            path = Path(password_file)
            data = read_input(path)
            return data.rstrip(b"\r\n")
        try:
            return getpass.getpass(prompt).encode("utf-8")
        except (EOFError, KeyboardInterrupt):
            raise Failure(_("No password was given.")) from None

    def _load_key(self, directory: Path, name: str) -> PrivateKey:
        return key_from_bytes(self._read(directory, name), name)

    def _load_certificates(self, directory: Path, name: str) -> list[x509.Certificate]:
        return certificates_from_bytes(self._read(directory, name), name)

    def _request(self, options: dict[str, Any], default_cn: str | None = None) -> CsrRequest:
        attributes = list(options["attributes"])
        if default_cn and not any(a.strip("\"'").lower().startswith("cn:") for a in attributes):
            self._warn(_("no CN given: the certificate is issued to %(cn)s.") % {"cn": default_cn})
            attributes.insert(0, f"CN:{default_cn}")
        request = parse_csr_arguments(attributes)
        return request

    def _show_request(self, request: CsrRequest) -> None:
        self._say(_("Subject: %(s)s") % {"s": format_name(request.subject())})
        if request.alt_names:
            self._say(
                _("Subject alternative names: %(s)s")
                % {"s": ", ".join(describe_general_name(n) for n in request.alt_names)}
            )

    # --- verbs -----------------------------------------------------------------------

    def verb_list(self, directory: Path, options: dict[str, Any]) -> None:
        files = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            self._say(_("No files in %(dir)s.") % {"dir": directory})
            return
        width = max(len(p.name) for p in files)
        for path in files:
            try:
                summary = detect(read_input(path)).summary
            except PKIError:
                summary = _("not PKI material (larger than %(limit)d KiB)") % {
                    "limit": MAX_INPUT_BYTES // 1024
                }
            self._say(f"{path.name:<{width}}  {summary}")

    def verb_inspect(self, directory: Path, options: dict[str, Any]) -> None:
        name = options["file"]
        found = detect(self._read(directory, name))
        if found.kind is Kind.UNKNOWN:
            raise Failure(
                _("%(name)s is not a key, certificate, CSR or bundle: %(reason)s.")
                % {"name": name, "reason": found.reason}
            )
        if found.csr is not None:
            check_csr(found.csr)  # a damaged or weak CSR is a failed check (SPEC R3.2)
        for line in describe_detected(found, self._now()):
            self._say(line)

    def verb_lint(self, directory: Path, options: dict[str, Any]) -> None:
        from certauthority.pki.lint import lint_material

        errors = 0
        for name in options["files"]:
            for item in lint_material(self._read(directory, name), name, public=options["public"]):
                if not item.findings:
                    self._say(
                        _("%(name)s: %(label)s: no finding") % {"name": name, "label": item.label}
                    )
                for finding in item.findings:
                    self._say(f"{name}: {item.label}: {finding}")
                    errors += finding.is_error
        if errors:
            raise Failure(_("%(count)d lint errors: see above.") % {"count": errors})

    def verb_match(self, directory: Path, options: dict[str, Any]) -> None:
        key = self._load_key(directory, options["key"])
        cert = self._load_certificates(directory, options["cert"])[0]
        self._report(match_key_and_certificate(key, cert))

    def verb_verify(self, directory: Path, options: dict[str, Any]) -> None:
        certs = self._load_certificates(directory, options["cert"])
        bundle = self._load_certificates(directory, options["bundle"])
        ca = self._load_certificates(directory, options["ca"]) if options["ca"] else None
        self._report(verify_certificate(certs, bundle, ca, self._now()))

    def _report(self, result: CheckResult) -> None:
        if not result.ok:
            raise Failure("\n".join(result.lines))
        for line in result.lines:
            self._say(line)

    def verb_unlock(self, directory: Path, options: dict[str, Any]) -> None:
        name = options["key"]
        path = self._path(directory, name)
        data = read_input(path)
        found = detect(data)
        if found.kind is Kind.PRIVATE_KEY:
            self._say(_("%(name)s is not encrypted: nothing to do.") % {"name": name})
            return
        if found.kind is not Kind.ENCRYPTED_PRIVATE_KEY:
            raise Failure(not_a_message(name, found, _("private key")))
        password = self._read_password(options, _("Password for %(name)s: ") % {"name": name})
        key = load_private_key(data, password)
        write_all_atomic([(path, private_key_to_pem(key), 0o600)])
        self._say(
            _("SUCCESS: %(name)s unlocked; it is now stored without a password (mode 0600).")
            % {"name": name}
        )

    def _new_key(self, options: dict[str, Any]) -> PrivateKey:
        return generate_private_key(KeyType(options["key_type"]))

    def verb_csr(self, directory: Path, options: dict[str, Any]) -> None:
        basename = validate_basename(options["basename"])
        request = self._request(options)
        key_path, csr_path = directory / f"{basename}.key", directory / f"{basename}.csr"
        self._refuse_overwrite([key_path, csr_path], options["force"])
        for warning in request.warnings:
            self._warn(warning)
        key = self._new_key(options)
        csr = build_csr(key, request)
        write_all_atomic(
            [
                (key_path, private_key_to_pem(key), 0o600),
                (csr_path, csr.public_bytes(Encoding.PEM), 0o644),
            ]
        )
        self._say(
            _("SUCCESS: wrote %(key)s (private key, mode 0600) and %(csr)s")
            % {"key": key_path.name, "csr": csr_path.name}
        )
        self._show_request(request)

    def verb_selfsigned(self, directory: Path, options: dict[str, Any]) -> None:
        basename = validate_basename(options["basename"])
        request = self._request(options, default_cn=basename)
        key_path, crt_path = directory / f"{basename}.key", directory / f"{basename}.crt"
        self._refuse_overwrite([key_path, crt_path], options["force"])
        for warning in request.warnings:
            self._warn(warning)
        key = self._new_key(options)
        cert = build_self_signed(key, request, options["days"], self._now())
        write_all_atomic(
            [
                (key_path, private_key_to_pem(key), 0o600),
                (crt_path, cert.public_bytes(Encoding.PEM), 0o644),
            ]
        )
        self._say(
            _("SUCCESS: wrote %(key)s (private key, mode 0600) and self-signed %(crt)s")
            % {"key": key_path.name, "crt": crt_path.name}
        )
        self._show_request(request)
        self._warn(
            _(
                "self-signed certificates are for test labs only; they cannot serve the "
                "database cluster or Lync (SPEC R6.1)."
            )
        )

    def verb_openssl(self, directory: Path, options: dict[str, Any]) -> None:
        basename = validate_basename(options["basename"])
        request = self._request(options)
        for warning in request.warnings:
            self._warn(warning)
        key_type = KeyType(options["key_type"])
        commands = csr_commands(basename, request, key_type)
        self._say(_("# New private key and CSR:"))
        self._say(commands["new_key_and_csr"])
        self._say(_("# CSR for an existing key %(key)s:") % {"key": f"{basename}.key"})
        self._say(commands["csr_for_existing_key"])
        self._say(_("# Self-signed certificate (test labs only):"))
        self._say(selfsigned_command(basename, request, options["days"], key_type))

    def verb_pkcs12_to_ssh(self, directory: Path, options: dict[str, Any]) -> None:
        user = options["user"]
        path = self._path(directory, f"{user}.pub")
        data = read_input(path)
        if looks_like_ssh_public_key(data):
            self._say(_("%(name)s already holds an SSH public key.") % {"name": path.name})
            return
        if not is_pkcs12(data):
            raise Failure(not_a_message(path.name, detect(data), _("PKCS#12 file")))
        try:
            line = pkcs12_to_ssh(data, None, comment=user)
        except PasswordRequired:
            password = self._read_password(
                options, _("Password for %(name)s: ") % {"name": path.name}
            )
            line = pkcs12_to_ssh(data, password, comment=user)
        write_all_atomic([(path, (line + "\n").encode("ascii"), 0o644)])
        self._say(_("SUCCESS: %(name)s now holds the SSH public key only.") % {"name": path.name})

    def verb_split(self, directory: Path, options: dict[str, Any]) -> None:
        basename = validate_basename(options["basename"])
        certs = self._load_certificates(directory, options["chainfile"])
        leaf, intermediates = split_chain(certs)
        leaf_path = directory / f"{basename}.crt"
        bundle_path = directory / bundle_file_name(basename)
        targets = [leaf_path] + ([bundle_path] if intermediates else [])
        self._refuse_overwrite(targets, options["force"])
        files = [(leaf_path, format_bundle([leaf]), 0o644)]
        if intermediates:
            files.append((bundle_path, format_bundle(intermediates), 0o644))
        write_all_atomic(files)
        self._say(
            _("SUCCESS: %(name)s: %(subject)s")
            % {"name": leaf_path.name, "subject": format_name(leaf.subject)}
        )
        if intermediates:
            self._say(
                _("SUCCESS: %(name)s: %(count)d certificate(s), from %(first)s to %(last)s")
                % {
                    "name": bundle_path.name,
                    "count": len(intermediates),
                    "first": format_name(intermediates[0].subject),
                    "last": format_name(intermediates[-1].subject),
                }
            )
        else:
            self._warn(_("the file holds no intermediate certificates; no bundle was written."))

    def verb_bundle(self, directory: Path, options: dict[str, Any]) -> None:
        out = options["out"]
        out_path = self._path(directory, out)
        if not _OUTPUT_NAME.fullmatch(out):
            raise Failure(
                _(
                    "'%(name)s' is not a usable file name: letters, digits, '-' and '_', then "
                    "one '.' before the extension (SPEC R4.2)."
                )
                % {"name": out}
            )
        self._refuse_overwrite([out_path], options["force"])
        certs: list[x509.Certificate] = []
        for name in options["certs"]:
            certs.extend(self._load_certificates(directory, name))
        if options["trust_store"]:
            data = trust_bundle(certs)
        else:
            ordered = order_chain(certs)
            data = format_bundle(ordered)
            constraints = _basic_constraints(ordered[0])
            if constraints is None or not constraints.ca:
                self._warn(
                    _(
                        "the bundle starts with an end-entity certificate; the Meeting Server "
                        "takes the certificate itself as a separate file."
                    )
                )
        write_all_atomic([(out_path, data, 0o644)])
        count = data.count(b"-----BEGIN CERTIFICATE-----")
        self._say(
            _("SUCCESS: wrote %(name)s with %(count)d certificate(s)")
            % {"name": out, "count": count}
        )


def _basic_constraints(cert: x509.Certificate) -> x509.BasicConstraints | None:
    return extensions.basic_constraints(cert)

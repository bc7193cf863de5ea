"""Signing throughput: CertDesk's service layer against bare `cryptography` calls.

    .venv/bin/python bench/sign.py [--n 200] [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Sets Django up by itself on a throwaway database (a temporary SQLite file, or a PostgreSQL
database it creates and drops on the server of --database-url), creates an RSA-2048 and an
EC P-256 root CA through the services, then signs the same N CSRs (EC P-256 keys) twice per CA:

* service: load the CSR, ``certificate_issue`` (check, sign, store the certificate and its
  audit event in one transaction: one commit per certificate);
* batch: ``certificate_issue_batch`` with all N CSRs (same checks, one commit);
* bare: load the CSR, verify its signature, build and sign the same extensions, PEM-encode.

* django-ca: when django-ca is installed in its own virtualenv (``--django-ca PYTHON``,
  default ``.bench-djangoca/bin/python`` if it exists), bench/djangoca_sign.py signs the same
  CSRs there with ``create_cert`` (one commit per certificate), in the same run.

Prints the rates and their ratios. Targets: service >= 0.5 x bare with the RSA-2048 CA;
service >= 2 x django-ca with EC and >= 25 x with RSA (issue 10, item 20).

    python -m venv .bench-djangoca && .bench-djangoca/bin/pip install django-ca==3.2.0
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _throwaway_postgres(url: str) -> tuple[str, callable]:
    import psycopg

    parts = urlsplit(url)
    name = f"certdesk_bench_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def _setup(database_url: str | None, workdir: Path):
    cleanup = lambda: None  # noqa: E731
    if database_url and database_url.startswith("postgres"):
        database_url, cleanup = _throwaway_postgres(database_url)
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "CERTDESK_VAR_DIR": str(workdir / "var"),
            "SECRET_KEY": "bench-secret-key-" + uuid.uuid4().hex,
            "CERTDESK_KEY_ENCRYPTION_KEY": "bench-key-encryption-" + uuid.uuid4().hex,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CERTDESK_ENV_FILE": str(workdir / "no.env"),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return database_url, cleanup


def _csrs(n: int) -> list[bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    result = []
    for i in range(n):
        key = ec.generate_private_key(ec.SECP256R1())
        name = f"host{i}.example.com"
        csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)]))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256())
        )
        result.append(csr.public_bytes(serialization.Encoding.PEM))
    return result


def bare_sign(pem: bytes, ca_cert, ca_key) -> bytes:
    """What any CA must do at least: parse, verify the CSR, sign the usual extensions, PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID

    csr = x509.load_pem_x509_csr(pem)
    if not csr.is_signature_valid:
        raise ValueError("bad CSR signature")
    now = dt.datetime.now(dt.UTC)
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    public_key = csr.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, True, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
        .add_extension(san, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def django_ca_rates(python: Path, csrs: list[bytes], workdir: Path) -> dict[str, float]:
    """django-ca's one-per-call rates for the same CSRs, from its own virtualenv."""
    csr_file = workdir / "csrs.pem"
    csr_file.write_bytes(b"".join(csrs))
    out = subprocess.run(
        [str(python), str(ROOT / "bench" / "djangoca_sign.py"), str(csr_file), "5"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(csrs: list[bytes]) -> list[tuple[str, float, float, float]]:
    from certauthority import services
    from certauthority.pki.csr import load_csr

    n = len(csrs)
    results = []
    for key_type, label in (("rsa2048", "RSA-2048 CA"), ("ec256", "EC P-256 CA")):
        ca = services.ca_create_root(
            name=f"Bench {label}", subject=f"CN=Bench {label}", key_type=key_type, actor="bench"
        )
        issuer = services.ca_issuer(ca=ca)  # unlock once, like a running server
        # Warm up both paths (imports, caches, prepared connections).
        for pem in csrs[:5]:
            services.certificate_issue(
                ca=ca, csr=load_csr(pem), profile="server", days=365, actor="bench"
            )
            bare_sign(pem, issuer.certificate, issuer.private_key)

        start = time.perf_counter()
        for pem in csrs:
            bare_sign(pem, issuer.certificate, issuer.private_key)
        bare = _rate(n, time.perf_counter() - start)

        start = time.perf_counter()
        for pem in csrs:
            services.certificate_issue(
                ca=ca, csr=load_csr(pem), profile="server", days=365, actor="bench"
            )
        service = _rate(n, time.perf_counter() - start)

        start = time.perf_counter()
        services.certificate_issue_batch(
            ca=ca, csrs=[load_csr(pem) for pem in csrs], profile="server", days=365, actor="bench"
        )
        batch = _rate(n, time.perf_counter() - start)
        results.append((label, service, batch, bare))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="CSRs per CA (default 200)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgres://… to bench on PostgreSQL (a throwaway database is created); "
        "default: a temporary SQLite file",
    )
    default_djca = ROOT / ".bench-djangoca" / "bin" / "python"
    parser.add_argument(
        "--django-ca",
        type=Path,
        default=default_djca if default_djca.exists() else None,
        help="the python of a virtualenv with django-ca installed (default: "
        ".bench-djangoca/bin/python when it exists)",
    )
    args = parser.parse_args()
    csrs = _csrs(args.n)
    djca: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="certdesk-bench-") as tmp:
        if args.django_ca:
            djca = django_ca_rates(args.django_ca, csrs, Path(tmp))
        _url, cleanup = _setup(args.database_url, Path(tmp))
        try:
            from django.db import connection

            engine = connection.vendor
            results = run(csrs)
        finally:
            cleanup()
    print(f"database: {engine}   CSRs per CA: {args.n}   (EC P-256 CSR keys)")
    header = f"{'CA':<14}{'bare/s':>9}{'service/s':>11}{'ratio':>7}{'batch/s':>10}{'ratio':>7}"
    if djca:
        header += f"{'django-ca/s':>13}{'service/django-ca':>19}"
    print(header)
    for label, service, batch, bare in results:
        line = (
            f"{label:<14}{bare:>9.0f}{service:>11.0f}{service / bare:>7.2f}"
            f"{batch:>10.0f}{batch / bare:>7.2f}"
        )
        if djca:
            line += f"{djca[label]:>13.0f}{service / djca[label]:>19.2f}"
        print(line)
    if not djca:
        print("django-ca: not run (install it in .bench-djangoca, see the docstring)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

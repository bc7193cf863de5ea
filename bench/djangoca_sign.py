"""django-ca's side of bench/sign.py: run by django-ca's own virtualenv, never by CertDesk's.

    .bench-djangoca/bin/python bench/djangoca_sign.py CSRS.pem N_WARMUP

bench/sign.py starts it with the same CSRs it signs itself, so both figures come from one
run on one machine. It sets up django-ca (3.2) on a throwaway SQLite file with its "db" key
backend (the CA key kept in the database, loaded once per CA like CertDesk's unlocked
issuer), creates an RSA-2048 and an EC P-256 root CA, and times ``create_cert`` once per CSR
with the server profile: each call signs and INSERTs the certificate (one commit per call,
as Django's autocommit does). Prints one JSON object: {"RSA-2048 CA": rate, ...}.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _configure(workdir: Path) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django_ca",
        ],
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(workdir / "ca.sqlite3")}
        },
        CA_KEY_BACKENDS={
            "default": {"BACKEND": "django_ca.key_backends.db.DBBackend", "OPTIONS": {}},
        },
        CA_USE_CELERY=False,
        CA_ENABLE_ACME=False,
        CA_DEFAULT_HOSTNAME="ca.example.com",
        ROOT_URLCONF=__name__,  # django-ca reverses its URLs into the CA's extensions
    )
    django.setup()
    from django.urls import include, path

    globals()["urlpatterns"] = [path("django_ca/", include("django_ca.urls"))]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _csrs(path: Path) -> list:
    from cryptography import x509

    marker = b"-----END CERTIFICATE REQUEST-----"
    blocks = [b + marker for b in path.read_bytes().split(marker) if b.strip()]
    return [x509.load_pem_x509_csr(block) for block in blocks]


def main() -> int:
    csr_file, warmup = Path(sys.argv[1]), int(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="djangoca-bench-") as tmp:
        _configure(Path(tmp))
        from cryptography import x509
        from cryptography.x509.oid import NameOID
        from django_ca.key_backends import key_backends
        from django_ca.models import Certificate, CertificateAuthority
        from django_ca.profiles import profiles

        csrs = _csrs(csr_file)
        backend = key_backends["default"]
        result = {}
        for key_type, size, curve, label in (
            ("RSA", 2048, None, "RSA-2048 CA"),
            ("EC", None, "secp256r1", "EC P-256 CA"),
        ):
            ca = CertificateAuthority.objects.init(
                name=label.replace(" ", "-"),
                key_backend=backend,
                key_backend_options=backend.get_create_private_key_options(
                    key_type, size, curve, {}
                ),
                subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Bench {label}")]),
                not_after=datetime.now(UTC) + timedelta(days=3650),
                key_type=key_type,
            )
            use = backend.get_use_private_key_options(ca, {})
            profile = profiles["server"]

            def sign(csr, ca=ca, use=use, profile=profile):
                # django-ca takes the subject and SAN from its caller, not the CSR: the same
                # names CertDesk copies from the CSR.
                san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
                Certificate.objects.create_cert(
                    ca,
                    use,
                    csr,
                    profile=profile,
                    subject=csr.subject,
                    extensions=[san],
                    not_after=timedelta(days=365),
                )

            for csr in csrs[:warmup]:
                sign(csr)
            start = time.perf_counter()
            for csr in csrs:
                sign(csr)
            result[label] = len(csrs) / (time.perf_counter() - start)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python manage.py ca …`: the internal CA on the command line.

Most tests use call_command (fast, inside the test database); a few run manage.py in a
subprocess against a throwaway SQLite database to check exit codes and the absence of
tracebacks. Bad input: exit 1 and one line; wrong usage: exit 2; no file written.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import CommandError, call_command

from certauthority.models import AuditEvent, Certificate, CertificateAuthority

ROOT = Path(__file__).resolve().parents[2]


def ca(*args: str) -> str:
    out = io.StringIO()
    call_command("ca", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _csr_file(path: Path, cn: str = "webadmin.example.com", der: bool = False) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name.from_rfc4514_string(f"CN={cn}"))
        .sign(key, hashes.SHA256())
    )
    encoding = serialization.Encoding.DER if der else serialization.Encoding.PEM
    path.write_bytes(csr.public_bytes(encoding))
    return path


@pytest.fixture
def cas(db):
    ca("init", "Lab Root", "--key-type", "ec256", "--subject", "CN=Lab Root,O=Example Inc.,C=GB")
    ca("init", "Lab Issuing", "--key-type", "ec256", "--parent", "Lab Root")
    return CertificateAuthority.objects.get(slug="lab-root"), CertificateAuthority.objects.get(
        slug="lab-issuing"
    )


@pytest.mark.django_db
def test_init_creates_a_root_and_an_intermediate_and_list_shows_them(cas):
    listing = ca("list")
    assert "Lab Root\tlab-root\troot\tactive" in listing
    assert "Lab Issuing\tlab-issuing\tintermediate of Lab Root\tactive" in listing
    event = AuditEvent.objects.filter(action="ca.create").first()
    assert event.actor_name.startswith("cli")


@pytest.mark.django_db
def test_sign_writes_a_certificate_and_a_bundle_openssl_verifies(cas, tmp_path, openssl):
    csr = _csr_file(tmp_path / "webadmin.csr", der=True)
    out, bundle = tmp_path / "webadmin.crt", tmp_path / "webadmin-bundle.crt"
    message = ca(
        "sign",
        str(csr),
        "--ca",
        "Lab Issuing",
        "--profile",
        "server",
        "--days",
        "90",
        "--out",
        str(out),
        "--bundle-out",
        str(bundle),
    )
    assert "Signed 'CN=webadmin.example.com' with Lab Issuing" in message
    chain = bundle.read_bytes()
    assert chain.count(b"BEGIN CERTIFICATE") == 2 and chain.endswith(b"-----\n")  # SPEC R1.4
    root = tmp_path / "root.pem"
    ca("export", "Lab Root", "--out", str(root))
    result = openssl("verify", "-CAfile", root, "-untrusted", bundle, out)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_revoke_then_crl_makes_openssl_refuse_the_certificate(cas, tmp_path, openssl):
    csr = _csr_file(tmp_path / "cb.csr", "cb1.example.com")
    out, bundle = tmp_path / "cb.crt", tmp_path / "bundle.crt"
    ca(
        "sign",
        str(csr),
        "--ca",
        "lab-issuing",
        "--profile",
        "server-client",
        "--out",
        str(out),
        "--bundle-out",
        str(bundle),
    )
    serial = Certificate.objects.get(common_name="cb1.example.com").serial_number
    colons = ":".join(serial[i : i + 2] for i in range(0, len(serial), 2))
    assert "Revoked serial" in ca(
        "revoke", colons, "--ca", "Lab Issuing", "--reason", "keyCompromise"
    )
    crl = tmp_path / "issuing.crl"
    ca("crl", "Lab Issuing", "--out", str(crl), "--pem")
    root = tmp_path / "root.pem"
    ca("export", "Lab Root", "--out", str(root))
    result = openssl(
        "verify", "-crl_check", "-CRLfile", crl, "-CAfile", root, "-untrusted", bundle, out
    )
    assert result.returncode != 0 and "certificate revoked" in result.stdout + result.stderr


@pytest.mark.django_db
def test_export_with_chain_writes_the_ca_then_its_issuers(cas, tmp_path):
    out = tmp_path / "chain.pem"
    ca("export", "Lab Issuing", "--out", str(out), "--chain")
    certs = x509.load_pem_x509_certificates(out.read_bytes())
    assert [c.subject.rfc4514_string() for c in certs] == [
        "CN=Lab Issuing",
        "CN=Lab Root,O=Example Inc.,C=GB",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sign", "{csr}", "--ca", "nope", "--profile", "server", "--out", "{out}"], "No such CA"),
        (
            ["sign", "{missing}", "--ca", "Lab Issuing", "--profile", "server", "--out", "{out}"],
            "no such file",
        ),
        (
            ["sign", "{garbage}", "--ca", "Lab Issuing", "--profile", "server", "--out", "{out}"],
            "not a readable certificate signing request",
        ),
        (
            [
                "sign",
                "{csr}",
                "--ca",
                "Lab Issuing",
                "--profile",
                "server",
                "--days",
                "0",
                "--out",
                "{out}",
            ],
            "between 1 and",
        ),
        (
            [
                "sign",
                "{csr}",
                "--ca",
                "Lab Issuing",
                "--profile",
                "server",
                "--out",
                "{tmp}/no/such/dir/x.crt",
            ],
            "no such directory",
        ),
        (["revoke", "ABCDEF", "--ca", "Lab Issuing"], "no certificate with serial"),
        (["revoke", "xyz", "--ca", "Lab Issuing"], "not a hexadecimal serial"),
        (["init", "Lab Root", "--key-type", "ec256"], "exists already"),
        (["init", "Deeper", "--key-type", "ec256", "--parent", "Lab Issuing"], "path length is 0"),
        (["init", "Bad", "--subject", "CN=x,C=Japan", "--key-type", "ec256"], "two-letter"),
    ],
)
def test_bad_input_is_one_clear_error_and_writes_nothing(cas, tmp_path, args, message):
    (tmp_path / "garbage.csr").write_bytes(b"\x00garbage")
    values = {
        "csr": str(_csr_file(tmp_path / "ok.csr")),
        "missing": str(tmp_path / "missing.csr"),
        "garbage": str(tmp_path / "garbage.csr"),
        "out": str(tmp_path / "out.crt"),
        "tmp": str(tmp_path),
    }
    before = (Certificate.objects.count(), CertificateAuthority.objects.count())
    with pytest.raises(CommandError) as excinfo:
        ca(*[a.format(**values) for a in args])
    assert message in str(excinfo.value)
    assert excinfo.value.returncode == 1
    assert "\n" not in str(excinfo.value)
    assert not (tmp_path / "out.crt").exists()
    assert (Certificate.objects.count(), CertificateAuthority.objects.count()) == before


# --- real processes: exit codes, no tracebacks -----------------------------------------------


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ca-cli")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'cli.sqlite3'}",
        "CERTDESK_VAR_DIR": str(directory / "var"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return directory, env


def run_ca(cli_env, *args: str) -> subprocess.CompletedProcess[str]:
    _directory, env = cli_env
    return subprocess.run(
        [sys.executable, "manage.py", "ca", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_exits_0_1_and_2_as_documented_without_tracebacks(cli_env):
    directory, _env = cli_env
    ok = run_ca(cli_env, "init", "Proc Root", "--key-type", "ec256")
    assert ok.returncode == 0, ok.stderr
    csr = directory / "garbage.csr"
    csr.write_bytes(b"not a csr")
    out = directory / "x.crt"
    bad = run_ca(
        cli_env, "sign", str(csr), "--ca", "Proc Root", "--profile", "server", "--out", str(out)
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr
    assert "not a readable certificate signing request" in bad.stderr
    assert not out.exists()
    usage = run_ca(
        cli_env, "sign", str(csr), "--ca", "Proc Root", "--profile", "bogus", "--out", str(out)
    )
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    assert run_ca(cli_env).returncode == 2


# --- the CRL/OCSP base URL (issue 9 item 5) ------------------------------------------------


def _ca_with_err(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ca", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_init_prints_the_urls_it_will_write_and_warns_about_loopback():
    out, err = _ca_with_err("init", "Url Root", "--key-type", "ec256")
    assert "CRL http://127.0.0.1:8000/crl/url-root.crl" in out
    assert "OCSP http://127.0.0.1:8000/ocsp/url-root/" in out
    assert "CA certificate http://127.0.0.1:8000/crl/url-root.crt" in out
    assert "loopback" in err and "ca set-url url-root" in err
    out, err = _ca_with_err(
        "init", "Url Root 2", "--key-type", "ec256", "--base-url", "https://pki.example.com"
    )
    assert "CRL https://pki.example.com/crl/url-root-2.crl" in out and err == ""


@pytest.mark.django_db
def test_set_url_changes_the_base_for_what_the_ca_signs_next(cas, tmp_path):
    _root, issuing = cas
    out, _err = _ca_with_err("set-url", "Lab Issuing", "--base-url", "https://pki.example.com/")
    assert "https://pki.example.com" in out and "was http://127.0.0.1:8000" in out
    assert CertificateAuthority.objects.get(pk=issuing.pk).base_url == "https://pki.example.com"
    csr = _csr_file(tmp_path / "w.csr")
    ca(
        "sign",
        str(csr),
        "--ca",
        "Lab Issuing",
        "--profile",
        "server",
        "--out",
        str(tmp_path / "w.crt"),
    )
    cert = x509.load_pem_x509_certificate((tmp_path / "w.crt").read_bytes())
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == "https://pki.example.com/crl/lab-issuing.crl"
    assert AuditEvent.objects.filter(action="ca.change").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["ftp://pki.example.com", "https://pki example.com", "https://pki.example.com/\x07"]
)
def test_set_url_refuses_a_bad_url_with_one_line(cas, url):
    with pytest.raises(CommandError) as caught:
        _ca_with_err("set-url", "Lab Root", "--base-url", url)
    assert caught.value.returncode == 1 and "\n" not in str(caught.value)
    assert CertificateAuthority.objects.get(slug="lab-root").base_url == "http://127.0.0.1:8000"

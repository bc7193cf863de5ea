"""Hostile requests to the internal CA (issue 9, items 10 and 11): refused before signing,
with a message saying what is wrong, and nothing kept (no certificate, no audit event).

On PostgreSQL (CI): a NUL byte cannot even be stored there, which used to surface as a 500
after the CA had signed.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from django.db import connection

from certauthority import services
from certauthority.models import AuditEvent, Certificate, CertificateAuthority, SigningRequest
from certauthority.pki.errors import PKIError

# cryptography warns when it reads the over-long CN these tests make on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning")

# --- hostile CSRs ------------------------------------------------------------------------------


def _csr(*, cn: str, san: list[str] = (), key=None) -> bytes:
    """A correctly signed CSR whose CN/SAN bypass the builder's checks, as an attacker's would."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    attribute = x509.NameAttribute(NameOID.COMMON_NAME, cn, _validate=False)
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([attribute]))
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in san]), critical=False
        )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def big_rsa_key() -> rsa.RSAPrivateKey:
    """An RSA key just above the CA's 8192-bit limit (made once: it takes a while)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=8200)


HOSTILE = {
    "nul-in-cn": (lambda: _csr(cn="a\x00b.example.com"), "control character"),
    "newline-in-cn": (lambda: _csr(cn="a.example.com\nreboot"), "control character"),
    "nul-in-san": (
        lambda: _csr(cn="ok.example.com", san=["ok.example.com", "x\x00.example.com"]),
        "control character",
    ),
    "cn-of-65": (lambda: _csr(cn="h" * 53 + ".example.com"), "RFC 5280 allows 64"),
}


def _nothing_kept(before: tuple[int, int, int]) -> None:
    after = (
        Certificate.objects.count(),
        AuditEvent.objects.filter(action="certificate.sign").count(),
        SigningRequest.objects.count(),
    )
    assert after == before


def _counts() -> tuple[int, int, int]:
    return (
        Certificate.objects.count(),
        AuditEvent.objects.filter(action="certificate.sign").count(),
        SigningRequest.objects.count(),
    )


@pytest.mark.postgres
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_service_refuses_a_hostile_csr_before_signing(require_postgres, root_ca, case):
    make, message = HOSTILE[case]
    csr = x509.load_pem_x509_csr(make())
    before = _counts()
    with pytest.raises(PKIError) as caught:  # views and commands show it as one clear line
        services.certificate_issue(ca=root_ca, csr=csr, profile="server", days=30, actor=None)
    assert message in str(caught.value)
    _nothing_kept(before)


@pytest.mark.postgres
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_web_sign_form_refuses_a_hostile_csr_with_a_message(
    require_postgres, client_as, operator, root_ca, case
):
    make, message = HOSTILE[case]
    pem = make().decode()
    client = client_as(operator)
    before = _counts()
    preview = client.post("/ca/sign/", {"csr_text": pem})
    assert preview.status_code < 500
    assert message in preview.content.decode()
    # Posting the sign step directly (skipping the preview) is refused the same way.
    sign = client.post(
        "/ca/sign/",
        {"step": "sign", "csr_pem": pem, "ca": root_ca.pk, "profile": "server", "days": 30},
        follow=True,
    )
    assert sign.status_code < 500
    assert message in sign.content.decode()
    _nothing_kept(before)


@pytest.mark.postgres
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_ca_sign_refuses_a_hostile_csr_with_one_line(require_postgres, root_ca, tmp_path, case):
    make, message = HOSTILE[case]
    path = tmp_path / "hostile.csr"
    path.write_bytes(make())
    out = tmp_path / "out.crt"
    before = _counts()
    with pytest.raises(CommandError) as caught:
        call_command(
            "ca", "sign", str(path), "--ca", root_ca.name, "--profile", "server",
            "--out", str(out), stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    assert caught.value.returncode == 1
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert not out.exists()
    _nothing_kept(before)


# --- RSA above 8192 bits (item 11) ---------------------------------------------------------


@pytest.mark.slow
def test_an_rsa_key_above_8192_bits_is_refused_by_service_cli_and_web(
    big_rsa_key, root_ca, client_as, operator, tmp_path
):
    pem = _csr(cn="big.example.com", key=big_rsa_key)
    before = _counts()
    with pytest.raises(PKIError) as caught:
        services.certificate_issue(
            ca=root_ca, csr=x509.load_pem_x509_csr(pem), profile="server", days=30, actor=None
        )
    assert "8200 bits" in str(caught.value) and "at most 8192" in str(caught.value)

    path = tmp_path / "big.csr"
    path.write_bytes(pem)
    with pytest.raises(CommandError) as cli:
        call_command(
            "ca", "sign", str(path), "--ca", root_ca.name, "--profile", "server",
            "--out", str(tmp_path / "big.crt"), stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    assert cli.value.returncode == 1 and "at most 8192" in str(cli.value)

    response = client_as(operator).post("/ca/sign/", {"csr_text": pem.decode()})
    assert response.status_code < 500 and "at most 8192" in response.content.decode()
    _nothing_kept(before)


def test_an_rsa_key_of_4096_bits_is_still_signed(root_ca):
    key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    issued = services.certificate_issue(
        ca=root_ca,
        csr=x509.load_pem_x509_csr(_csr(cn="ok.example.com", key=key)),
        profile="server",
        days=30,
        actor=None,
    )
    assert issued.certificate.common_name == "ok.example.com"


# --- a 40-byte serial in an attached/imported certificate (item 10) -------------------------


def _openssl_cert_with_serial(tmp_path: Path, serial_hex: str) -> bytes:
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "30",
         "-subj", "/CN=long-serial.example.com", "-set_serial", f"0x{serial_hex}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert.read_bytes()


@pytest.mark.postgres
def test_a_certificate_with_a_40_byte_serial_is_imported(require_postgres, db, tmp_path):
    serial = "7F" + "A5" * 39  # 40 octets, positive
    pem = _openssl_cert_with_serial(tmp_path, serial)
    row = services.certificate_import(pem=pem, source="public", key=None, actor=None)
    row.refresh_from_db()
    assert row.serial_number == serial
    assert Certificate.objects.filter(serial_number=serial).count() == 1


@pytest.mark.postgres
def test_a_certificate_with_an_absurd_serial_is_refused_cleanly(require_postgres, db, tmp_path):
    pem = _openssl_cert_with_serial(tmp_path, "7F" + "11" * 99)  # 100 octets
    before = Certificate.objects.count()
    with pytest.raises(services.CAError) as caught:
        services.certificate_import(pem=pem, source="public", key=None, actor=None)
    assert "100 bytes" in str(caught.value) and "64 bytes" in str(caught.value)
    assert Certificate.objects.count() == before


@pytest.mark.postgres
def test_an_imported_certificate_with_a_nul_in_its_name_is_refused(require_postgres, db):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evil\x00.example.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    before = Certificate.objects.count()
    with pytest.raises(services.CAError) as caught:
        services.certificate_import(
            pem=cert.public_bytes(serialization.Encoding.PEM), source="public", key=None, actor=None
        )
    assert "control character" in str(caught.value)
    assert Certificate.objects.count() == before


# --- two CA Admins creating a CA of the same name at once (item 10) --------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_creating_the_same_ca_at_once_get_one_ca_and_one_clear_error(
    require_postgres,
):
    start = threading.Barrier(2)
    results: list[object] = []

    def create() -> None:
        try:
            start.wait()
            results.append(
                services.ca_create_root(
                    name="Race Root", subject="CN=Race Root", key_type="ec256", actor=None
                )
            )
        except Exception as exc:  # reported below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert CertificateAuthority.objects.filter(name="Race Root").count() == 1
    errors = [r for r in results if isinstance(r, Exception)]
    # Usually one loses the race: it gets a CAError naming the problem, never IntegrityError.
    for error in errors:
        assert isinstance(error, services.CAError), repr(error)
        assert "Race Root" in str(error) or "same name" in str(error) or "subject" in str(error)
    assert Certificate.objects.filter(is_ca=True).count() == 1


@pytest.mark.postgres
def test_a_ca_created_between_the_name_check_and_the_insert_is_a_clear_error(
    require_postgres, db, monkeypatch, client_as, ca_admin
):
    """The race made certain: the competing CA is committed right after this one's checks."""
    from certauthority.services import authorities

    real_subject = authorities._subject
    competing: list[str] = []

    def subject_after_a_competitor(subject):
        if not competing:
            competing.append("started")
            services.ca_create_root(
                name="Lab Root", subject="CN=Other Lab Root", key_type="ec256", actor=None
            )
        return real_subject(subject)

    monkeypatch.setattr(authorities, "_subject", subject_after_a_competitor)
    response = client_as(ca_admin).post(
        "/ca/new/", {"name": "Lab Root", "subject": "CN=Lab Root", "key_type": "ec256"}
    )
    assert response.status_code == 200
    assert "A CA named &#x27;Lab Root&#x27; exists already" in response.content.decode()
    assert CertificateAuthority.objects.count() == 1
    assert AuditEvent.objects.filter(action="ca.create").count() == 1

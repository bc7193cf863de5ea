"""A CSR or certificate that carries an extension twice (issue 9, finding 10).

``cryptography`` raises ``DuplicateExtension`` (not a ValueError) when such a file's
extensions are read, and the sign preview, sign, attach and Tools inspect answered 500.
The files are made by the ``openssl`` binary: the CSR with ``-addext`` given the SAN once by
name and once by OID; the certificate with a SAN and an issuerAltName whose OID is then
patched into a second SAN (same length, so nothing else moves).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certauthority import services
from certauthority.pki.errors import MalformedMaterial, PKIError
from certauthority.pki.inspect import Kind, detect
from certauthority.pki.load import load_certificate, load_csr
from certauthority.pki.material import certificates_from_bytes

from .test_bad_input import _sign_form, nothing_saved

# DER of GeneralNames [DNS:www2.example.com], for `-addext 2.5.29.17=DER:...`.
_SECOND_SAN = "3012821077777732" + b".example.com".hex()
_IAN_OID = bytes.fromhex("0603551d12")
_SAN_OID = bytes.fromhex("0603551d11")


@dataclass(frozen=True)
class Duplicates:
    csr_pem: bytes
    csr_der: bytes
    cert_pem: bytes
    cert_der: bytes


@pytest.fixture(scope="session")
def dup(openssl, tmp_path_factory) -> Duplicates:
    d = tmp_path_factory.mktemp("dup")
    key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", d / "k")
    openssl("req", "-new", *key, "-subj", "/CN=www.example.com",
            "-addext", "subjectAltName=DNS:www.example.com",
            "-addext", f"2.5.29.17=DER:{_SECOND_SAN}", "-out", d / "dup.csr", check=True)  # fmt: skip
    openssl("req", "-in", d / "dup.csr", "-outform", "DER", "-out", d / "dup.csr.der", check=True)
    openssl("req", "-x509", "-new", *key, "-subj", "/CN=join.example.com", "-days", "30",
            "-addext", "subjectAltName=DNS:join.example.com",
            "-addext", "issuerAltName=DNS:join.example.com",
            "-outform", "DER", "-out", d / "two.der", check=True)  # fmt: skip
    der = (d / "two.der").read_bytes()
    assert der.count(_IAN_OID) == 1
    cert_der = der.replace(_IAN_OID, _SAN_OID)
    (d / "dup.der").write_bytes(cert_der)
    openssl("x509", "-inform", "DER", "-in", d / "dup.der", "-out", d / "dup.pem", check=True)
    text = openssl("x509", "-in", d / "dup.pem", "-noout", "-text", check=True).stdout
    assert text.count("X509v3 Subject Alternative Name") == 2  # openssl agrees it is doubled
    return Duplicates(
        csr_pem=(d / "dup.csr").read_bytes(),
        csr_der=(d / "dup.csr.der").read_bytes(),
        cert_pem=(d / "dup.pem").read_bytes(),
        cert_der=cert_der,
    )


# --- pki: the one loader ------------------------------------------------------------------


@pytest.mark.parametrize("form", ["csr_pem", "csr_der"])
def test_the_csr_loader_names_the_doubled_extension(dup, form):
    with pytest.raises(MalformedMaterial) as caught:
        load_csr(getattr(dup, form))
    assert "subjectAltName extension twice" in str(caught.value)
    assert "generate the CSR again" in str(caught.value)


@pytest.mark.parametrize("form", ["cert_pem", "cert_der"])
def test_the_certificate_loader_names_the_doubled_extension(dup, form):
    with pytest.raises(MalformedMaterial) as caught:
        load_certificate(getattr(dup, form))
    assert "subjectAltName extension twice" in str(caught.value)


@pytest.mark.parametrize("form", ["csr_pem", "csr_der", "cert_pem", "cert_der"])
def test_inspect_says_which_extension_is_doubled(dup, form):
    found = detect(getattr(dup, form))
    assert found.kind is Kind.UNKNOWN
    assert "subjectAltName extension twice" in found.reason


def test_a_bundle_with_a_doubled_extension_is_refused_with_the_reason(dup):
    with pytest.raises(PKIError, match="subjectAltName extension twice"):
        certificates_from_bytes(dup.cert_pem, "chain.pem")


# --- the four entry points, over HTTP -----------------------------------------------------


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["csr_pem", "csr_der"])
def test_the_sign_preview_refuses_a_csr_with_a_doubled_extension(
    client_as, operator, root_ca, dup, form
):
    with nothing_saved():
        response = client_as(operator).post(
            reverse("certauthority:sign"),
            {"step": "preview", "csr_file": SimpleUploadedFile("x.csr", getattr(dup, form))},
        )
    assert response.status_code < 500
    text = _text(response)
    assert "subjectAltName extension twice" in text
    assert "Check and sign" not in text


@pytest.mark.django_db
def test_signing_a_csr_with_a_doubled_extension_signs_nothing_and_says_why(
    client_as, operator, root_ca, dup
):
    client = client_as(operator)
    with nothing_saved():
        response = client.post(
            reverse("certauthority:sign"),
            _sign_form(root_ca, csr_pem=dup.csr_pem.decode()),
            follow=True,
        )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("subjectAltName extension twice" in m for m in messages), messages


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["cert_pem", "cert_der"])
def test_attaching_a_certificate_with_a_doubled_extension_is_refused(
    client_as, operator, split, dup, form
):
    plan = split.certificate_plans.get(basename="webbridge")
    with nothing_saved():
        response = client_as(operator).post(
            reverse("deployments:plan-attach", args=[split.pk, plan.pk]),
            {f"attach-{plan.pk}-certificate_file": SimpleUploadedFile("x.cer", getattr(dup, form))},
            follow=True,
        )
    assert response.status_code < 500
    assert "subjectAltName extension twice" in _text(response)
    plan.refresh_from_db()
    assert plan.certificate is None


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["csr_pem", "csr_der", "cert_pem", "cert_der"])
def test_tools_inspect_refuses_a_file_with_a_doubled_extension(client_as, viewer, dup, form):
    response = client_as(viewer).post(
        reverse("tools"),
        {"tool": "inspect", "inspect-material_file": SimpleUploadedFile("x", getattr(dup, form))},
    )
    assert response.status_code == 422
    assert "subjectAltName extension twice" in _text(response)


@pytest.mark.django_db
def test_importing_a_certificate_with_a_doubled_extension_keeps_nothing(dup):
    with nothing_saved(), pytest.raises(MalformedMaterial):
        services.certificate_import(pem=dup.cert_pem, source="public", key=None, actor=None)

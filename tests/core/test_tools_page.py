"""The Tools page: `pki inspect`, `match` and `verify` in the browser (SPEC R4.3)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certauthority.pki.keys import private_key_to_pem
from tests.pki.chains import ec_key, standard_pki

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pki():
    return standard_pki(dt.datetime.now(dt.UTC))


def _pem(issued) -> str:
    return issued.pem.decode()


def _post(client, tool: str, **fields):
    data = {"tool": tool}
    for name, value in fields.items():
        data[f"{tool}-{name}"] = value
    return client.post(reverse("tools"), data)


def test_inspect_shows_the_subject_and_validity_of_a_pasted_certificate(client_as, viewer, pki):
    response = _post(client_as(viewer), "inspect", material_text=_pem(pki.leaf))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CN=webbridge.example.com" in html
    assert "Example Issuing CA" in html


def test_inspect_reads_an_uploaded_der_file_whatever_its_name(client_as, viewer, pki):
    from cryptography.hazmat.primitives.serialization import Encoding

    der = pki.leaf.cert.public_bytes(Encoding.DER)
    upload = SimpleUploadedFile("strange-name.txt", der)
    response = _post(client_as(viewer), "inspect", material_file=upload)
    assert response.status_code == 200
    assert "CN=webbridge.example.com" in response.content.decode()


def test_inspect_of_random_bytes_says_what_is_wrong_with_a_4xx(client_as, viewer):
    upload = SimpleUploadedFile("cert.pem", os.urandom(700))
    response = _post(client_as(viewer), "inspect", material_file=upload)
    assert response.status_code == 422
    assert "This is not a key, certificate, CSR or bundle" in response.content.decode()


def test_a_file_above_the_upload_limit_is_refused_with_the_limit_named(client_as, viewer, settings):
    settings.CERTDESK_MAX_UPLOAD_BYTES = 4096
    upload = SimpleUploadedFile("big.pem", b"A" * 5000)
    response = _post(client_as(viewer), "inspect", material_file=upload)
    assert response.status_code == 400
    assert "files above 4 KiB are refused" in response.content.decode()


def test_submitting_nothing_asks_for_a_file(client_as, viewer):
    response = _post(client_as(viewer), "inspect")
    assert response.status_code == 400
    assert "Upload a key, certificate, CSR, bundle or PKCS#12" in response.content.decode()


def test_match_says_success_in_the_meeting_servers_words_for_a_pair(client_as, viewer, pki):
    key = private_key_to_pem(pki.leaf.key).decode()
    response = _post(client_as(viewer), "match", key_text=key, cert_text=_pem(pki.leaf))
    assert response.status_code == 200
    assert "SUCCESS: Key and certificate pair match" in response.content.decode()


def test_match_reports_the_mmp_failure_for_a_foreign_key(client_as, viewer, pki):
    key = private_key_to_pem(ec_key()).decode()
    response = _post(client_as(viewer), "match", key_text=key, cert_text=_pem(pki.leaf))
    assert response.status_code == 422
    assert (
        "FAILURE: Key and certificate problem: certificate and key do not match"
        in response.content.decode()
    )


def test_match_opens_an_encrypted_key_with_its_password_and_refuses_a_wrong_one(
    client_as, viewer, pki
):
    key = private_key_to_pem(pki.leaf.key, b"s3cret").decode()
    client = client_as(viewer)
    good = _post(client, "match", key_text=key, cert_text=_pem(pki.leaf), password="s3cret")
    assert "SUCCESS: Key and certificate pair match" in good.content.decode()
    bad = _post(client, "match", key_text=key, cert_text=_pem(pki.leaf), password="nope")
    assert bad.status_code == 422
    assert "password does not decrypt" in bad.content.decode()
    missing = _post(client, "match", key_text=key, cert_text=_pem(pki.leaf))
    assert "is encrypted: give its password" in missing.content.decode()


def test_verify_walks_the_chain_to_the_root_in_the_bundle(client_as, viewer, pki):
    bundle = _pem(pki.inter) + _pem(pki.root)
    response = _post(client_as(viewer), "verify", cert_text=_pem(pki.leaf), bundle_text=bundle)
    html = response.content.decode()
    assert response.status_code == 200
    assert "SUCCESS: certificate verified" in html
    assert "depth=2 CN=Example Root CA" in html


def test_verify_without_the_intermediate_gives_the_mmp_error_line(client_as, viewer, pki):
    response = _post(
        client_as(viewer), "verify", cert_text=_pem(pki.leaf), bundle_text=_pem(pki.root)
    )
    assert response.status_code == 422
    assert "FAILURE: certificate verification error: depth=0" in response.content.decode()


def test_a_logged_in_user_without_a_role_gets_403(client_as, nobody):
    assert client_as(nobody).get(reverse("tools")).status_code == 403


def test_the_pasted_key_is_never_echoed_back_into_the_page(client_as, viewer, pki):
    key = private_key_to_pem(pki.leaf.key).decode()
    response = _post(client_as(viewer), "match", key_text=key, cert_text=_pem(pki.leaf))
    body = key.strip().splitlines()[1]
    assert body not in response.content.decode()

"""What the API hands out, judged by the openssl binary and unzip (issue 13).

Chains and full chains verify, DER parses, PKCS#12 opens with its password and refuses a
wrong one (modern and legacy), keys match their certificates, and the zips test clean and
verify like the install scripts expect (SPEC R1.4, R4.3).
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from certauthority import selectors
from certauthority.models import AuditAction, AuditEvent
from certauthority.pki.files import file_stem
from tests.deployments.helpers import unzip_checked

pytestmark = pytest.mark.django_db


@pytest.fixture
def callbridge(answered_split):
    """The Call Bridge certificate: signed by the internal CA, its key held by CertDesk."""
    return answered_split.certificate_plans.get(basename="callbridge").certificate


def _url(certificate, kind: str = "") -> str:
    return f"/api/v1/certificates/{certificate.pk}/download/" + (f"?format={kind}" if kind else "")


def _save(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _root(internal_ca, tmp_path):
    """The root at the top of the internal CA's chain: the trust anchor of the tests."""
    chain = selectors.certificate_chain(certificate=internal_ca.certificate)
    top = chain[-1] if chain else selectors.certificate_x509(certificate=internal_ca.certificate)
    return _save(tmp_path, "root.crt", top.public_bytes(Encoding.PEM))


def test_pem_chain_and_fullchain_verify_with_openssl_and_carry_the_scripts_names(
    api_as, viewer, callbridge, internal_ca, tmp_path, openssl
):
    client = api_as(viewer)
    pem = client.get(_url(callbridge, "pem"))
    chain = client.get(_url(callbridge, "chain"))
    full = client.get(_url(callbridge, "fullchain"))
    stem = file_stem(callbridge.common_name)
    for response in (pem, chain, full):
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Type"] == "application/x-pem-file"
    names = [r["Content-Disposition"] for r in (pem, chain, full)]
    assert names == [
        f'attachment; filename="{stem}.crt"',
        f'attachment; filename="{stem}_bundle.crt"',
        f'attachment; filename="{stem}_fullchain.crt"',
    ]
    root = _root(internal_ca, tmp_path)
    leaf = _save(tmp_path, "leaf.crt", pem.content)
    bundle = _save(tmp_path, "bundle.crt", chain.content)
    fullchain = _save(tmp_path, "full.crt", full.content)
    assert pem.content.count(b"BEGIN CERTIFICATE") == 1
    verified = openssl("verify", "-CAfile", root, "-untrusted", bundle, leaf)
    assert verified.returncode == 0, verified.stderr
    # The full chain starts with the leaf and then the chain, as R1.4 orders a bundle.
    assert full.content == pem.content + chain.content
    split = openssl("verify", "-CAfile", root, "-untrusted", fullchain, leaf)
    assert split.returncode == 0, split.stderr
    # With the chain's own root trusted (the bundle ends with it), the leaf verifies too.
    assert openssl("verify", "-CAfile", bundle, leaf).returncode == 0


def test_der_is_one_certificate_openssl_reads_as_der(api_as, viewer, callbridge, tmp_path, openssl):
    response = api_as(viewer).get(_url(callbridge, "der"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-cert"
    assert response["Content-Disposition"].endswith('.der"')
    der = _save(tmp_path, "leaf.der", response.content)
    parsed = openssl("x509", "-inform", "der", "-in", der, "-noout", "-fingerprint", "-sha256")
    assert parsed.returncode == 0, parsed.stderr
    assert callbridge.fingerprint_sha256.replace(":", "").upper() in parsed.stdout.replace(":", "")


@pytest.mark.parametrize("legacy", [False, True], ids=["aes256-pbkdf2", "legacy-3des"])
def test_pkcs12_opens_with_its_password_only_and_holds_the_key_for_a_ca_admin(
    api_as, ca_admin, callbridge, tmp_path, openssl, legacy
):
    response = api_as(ca_admin).post(
        _url(callbridge, "pkcs12"), {"password": "correct horse", "legacy": legacy}, format="json"
    )
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/x-pkcs12"
    assert response["Cache-Control"] == "no-store"
    assert response["X-CertDesk-Includes-Key"] == "yes"
    p12 = _save(tmp_path, "cb.p12", response.content)
    # Modern files open without -legacy (AES-256-CBC, PBKDF2); legacy ones are 3DES.
    options = ["-legacy"] if legacy else []
    info = openssl("pkcs12", "-info", "-in", p12, "-passin", "pass:correct horse", "-noenc",
                   *options)  # fmt: skip
    assert info.returncode == 0, info.stderr
    text = info.stdout + info.stderr
    if legacy:
        assert "pbeWithSHA1And3-KeyTripleDES-CBC" in text
    else:
        assert "PBES2, PBKDF2, AES-256-CBC" in text
    assert "BEGIN PRIVATE KEY" in info.stdout and info.stdout.count("BEGIN CERTIFICATE") >= 2
    wrong = openssl("pkcs12", "-info", "-in", p12, "-passin", "pass:wrong horse", "-noenc",
                    *options)  # fmt: skip
    assert wrong.returncode != 0
    assert "mac verify error" in (wrong.stdout + wrong.stderr).lower()
    # The key inside is the certificate's key.
    key = _save(tmp_path, "cb.key", info.stdout.encode())
    cert = _save(tmp_path, "cb.crt", callbridge.pem.encode())
    assert (
        openssl("pkey", "-in", key, "-pubout").stdout
        == openssl("x509", "-in", cert, "-noout", "-pubkey").stdout
    )
    assert AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).exists()


def test_a_viewers_pkcs12_has_no_key_and_nothing_is_audited_as_a_key_download(
    api_as, viewer, callbridge, tmp_path, openssl
):
    before = AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count()
    response = api_as(viewer).post(
        _url(callbridge, "pkcs12"), {"password": "correct horse"}, format="json"
    )
    assert response["X-CertDesk-Includes-Key"] == "no"
    info = openssl("pkcs12", "-info", "-in", _save(tmp_path, "v.p12", response.content),
                   "-passin", "pass:correct horse", "-noenc")  # fmt: skip
    assert info.returncode == 0, info.stderr
    assert "PRIVATE KEY" not in info.stdout and "BEGIN CERTIFICATE" in info.stdout
    assert AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count() == before


def test_pkcs12_by_get_is_refused_so_the_password_stays_out_of_urls(api_as, viewer, callbridge):
    response = api_as(viewer).get(_url(callbridge, "pkcs12") + "&password=secret")
    assert response.status_code == 400
    assert "POST" in response.json()["detail"]


def test_the_key_alone_is_pkcs8_encrypted_when_asked_and_audited(
    api_as, ca_admin, callbridge, tmp_path, openssl
):
    url = f"/api/v1/certificates/{callbridge.pk}/key/"
    before = AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count()
    response = api_as(ca_admin).post(url, {"password": "key password"}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].endswith('.key"')
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in response.content
    key = _save(tmp_path, "k.pem", response.content)
    assert openssl("pkey", "-in", key, "-passin", "pass:wrong one", "-noout").returncode != 0
    opened = openssl("pkey", "-in", key, "-passin", "pass:key password", "-pubout")
    assert opened.returncode == 0, opened.stderr
    cert = _save(tmp_path, "c.pem", callbridge.pem.encode())
    assert opened.stdout == openssl("x509", "-in", cert, "-noout", "-pubkey").stdout
    assert AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count() == before + 1
    short = api_as(ca_admin).post(url, {"password": "short"}, format="json")
    assert short.status_code == 400 and "8 characters" in short.json()["detail"]


def test_the_deployment_zip_tests_clean_and_each_certificate_verifies(
    api_as, ca_admin, answered_split, tmp_path, openssl
):
    client = api_as(ca_admin)
    url = f"/api/v1/deployments/{answered_split.pk}/bundle.zip"
    plain = client.get(url)
    assert plain.status_code == 200
    assert plain["Content-Type"] == "application/zip"
    assert plain["Content-Disposition"] == f'attachment; filename="{answered_split.name}.zip"'
    without = unzip_checked(plain.content, tmp_path / "plain")
    assert not any(name.endswith(".key") for name in without)
    keyed = client.post(url, {"keys": True}, format="json")
    assert keyed.status_code == 200 and keyed["Cache-Control"] == "no-store"
    files = unzip_checked(keyed.content, tmp_path / "keys")
    root = tmp_path / "keys" / "x"
    bundles = [name for name in files if name.endswith("_bundle.crt")]
    assert len(bundles) >= 3
    for name in bundles:
        leaf = root / name.replace("_bundle.crt", ".crt")
        verified = openssl("verify", "-CAfile", root / name, leaf)
        assert verified.returncode == 0, (name, verified.stderr)
    assert {name.split("/")[0] for name in files} == {s.name for s in answered_split.servers.all()}
    assert all(f"{s.name}/install.txt" in files for s in answered_split.servers.all())


def test_one_servers_zip_holds_only_that_server(api_as, viewer, answered_split, tmp_path):
    edge = answered_split.servers.get(name="edge1")
    url = f"/api/v1/deployments/{answered_split.pk}/servers/{edge.pk}/bundle.zip"
    response = api_as(viewer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'{answered_split.name}-edge1.zip"')
    files = unzip_checked(response.content, tmp_path)
    assert files and all(name.startswith("edge1/") for name in files)
    assert "webbridge.key: you may not download private keys" in files["edge1/MISSING.txt"].decode()
    other = api_as(viewer).get(f"/api/v1/deployments/{answered_split.pk + 999}/servers/{edge.pk}/"
                               "bundle.zip")  # fmt: skip
    assert other.status_code == 404 and other.json()["detail"]

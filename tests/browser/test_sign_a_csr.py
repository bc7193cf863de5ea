"""An Operator signs a CSR made by OpenSSL in the browser; OpenSSL judges the download."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def issuing_ca():
    from certauthority import services

    root = services.ca_create_root(
        name="Browser Root", subject="CN=Browser Root CA,O=Example Inc.,C=GB",
        key_type="ec256", actor="test",
    )  # fmt: skip
    return services.ca_create_intermediate(
        name="Browser Issuing", parent=root, subject="CN=Browser Issuing CA,O=Example Inc.,C=GB",
        key_type="ec256", actor="test",
    )  # fmt: skip


def test_an_operator_pastes_a_csr_previews_it_signs_it_and_downloads_a_chain_openssl_accepts(
    login, operator, issuing_ca, openssl, tmp_path
):
    key, csr = tmp_path / "webbridge.key", tmp_path / "webbridge.csr"
    openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/O=Example Inc./CN=join.example.com",
        "-addext", "subjectAltName=DNS:join.example.com,DNS:example.com", check=True,
    )  # fmt: skip
    page = login("operator", "pw-operator")
    page.click("#mainnav >> text=Certificate Authority")
    page.click("main >> text=Sign a CSR")
    page.fill("main textarea", csr.read_text())
    page.click("main button[type=submit]")

    # The preview shows what is about to be signed before anything is.
    preview = page.locator("main").inner_text()
    assert "join.example.com" in preview and "DNS:example.com" in preview
    assert "verifies" in preview
    page.select_option("select[name$=ca]", label="Browser Issuing")
    page.click("main button:has-text('Sign')")
    page.wait_for_url("**/ca/certificates/*/")
    assert "Signed CN=join.example.com" in page.locator(".alert").inner_text()

    with page.expect_download() as download:
        page.click("text=Certificate + chain (PEM)")
    fullchain = tmp_path / "fullchain.pem"
    download.value.save_as(fullchain)
    with page.expect_download() as download:
        page.click("text=Chain / bundle (PEM)")
    bundle = tmp_path / "bundle.pem"
    download.value.save_as(bundle)

    # The bundle runs from the issuing CA to the root (SPEC R1.4): the root is its last block.
    root = tmp_path / "root.pem"
    root.write_text("-----BEGIN" + bundle.read_text().split("-----BEGIN")[-1])
    result = openssl("verify", "-CAfile", root, "-untrusted", bundle, fullchain)
    assert result.returncode == 0, result.stdout + result.stderr
    match = openssl("x509", "-in", fullchain, "-noout", "-pubkey").stdout
    assert match == openssl("pkey", "-in", key, "-pubout").stdout


def test_the_preview_warns_about_the_client_profile_only_while_it_is_selected(
    login, operator, issuing_ca, openssl, tmp_path
):
    """Issue 10 item 16: with Server selected, no Client-profile warning shows."""
    key, csr = tmp_path / "cb.key", tmp_path / "cb.csr"
    openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=cb1.example.com", check=True,
    )  # fmt: skip
    page = login("operator", "pw-operator")
    page.goto("/ca/sign/")
    page.fill("main textarea", csr.read_text())
    page.click("main button[type=submit]")
    warning = page.locator("[data-profile-warning=client]")
    page.select_option("select[name$=profile]", "server")
    assert not warning.is_visible()
    page.select_option("select[name$=profile]", "client")
    assert warning.is_visible() and "'postgres'" in warning.inner_text()
    page.select_option("select[name$=profile]", "server")
    assert not warning.is_visible()

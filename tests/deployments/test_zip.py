"""One zip builder: a folder per server, named as its install script names them (R4, R1.4).

The web page, the wizard and the REST API all hand out ``services.deployment_bundle_zip``;
these tests judge its archives with ``unzip -t`` and ``openssl verify``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from certauthority.models import AuditAction, AuditEvent
from deployments import selectors, services

from .helpers import unzip_checked

pytestmark = pytest.mark.django_db


def test_each_server_folder_holds_exactly_what_its_install_script_uploads(answered_split, tmp_path):
    data = services.deployment_bundle_zip(
        deployment=answered_split, include_keys=True, actor="test"
    )
    files = unzip_checked(data, tmp_path)
    for server in answered_split.servers.all():
        script = selectors.server_install_script(deployment=answered_split, server_name=server.name)
        named = {u.name for u in script.script.uploads}
        held = {n.split("/", 1)[1] for n in files if n.startswith(f"{server.name}/")}
        # An install script never names a file it does not deliver.
        assert held == named | {"install.txt"}, server.name
        assert files[f"{server.name}/install.txt"].decode() == script.text


def test_every_certificate_in_the_zip_verifies_against_its_bundle(
    answered_split, tmp_path, openssl
):
    data = services.deployment_bundle_zip(
        deployment=answered_split, include_keys=True, actor="test"
    )
    files = unzip_checked(data, tmp_path)
    root = tmp_path / "x"
    checked = 0
    for name in files:
        if not name.endswith("_bundle.crt"):
            continue
        leaf = root / name.replace("_bundle.crt", ".crt")
        result = openssl("verify", "-CAfile", root / name, leaf)
        assert result.returncode == 0, (name, result.stderr)
        checked += 1
    assert checked >= 3  # webbridge, xmppserver and turn from the public CA at least
    key = root / "edge1" / "webbridge.key"
    cert = root / "edge1" / "webbridge.crt"
    assert (
        openssl("pkey", "-in", key, "-pubout").stdout
        == openssl("x509", "-in", cert, "-noout", "-pubkey").stdout
    )


def test_without_keys_the_folder_says_which_files_are_missing_and_why(answered_split, tmp_path):
    before = AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count()
    data = services.deployment_bundle_zip(
        deployment=answered_split, server="edge1", include_keys=False, actor="test"
    )
    files = unzip_checked(data, tmp_path)
    assert not any(n.endswith(".key") for n in files)
    assert all(n.startswith("edge1/") for n in files)
    missing = files["edge1/MISSING.txt"].decode()
    assert "webbridge.key: you may not download private keys" in missing
    assert AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count() == before


def test_one_server_zip_audits_only_that_servers_keys(answered_split):
    script = selectors.server_install_script(deployment=answered_split, server_name="edge1")
    keys = {u.name for u in script.script.uploads if u.kind == "key"}
    before = AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count()
    services.deployment_bundle_zip(
        deployment=answered_split, server="edge1", include_keys=True, actor="test"
    )
    after = AuditEvent.objects.filter(action=AuditAction.KEY_DOWNLOAD).count()
    assert after - before == len(keys) > 0


def test_pending_csrs_ride_along_and_the_missing_certificates_are_explained(
    load_example, internal_ca, tmp_path
):
    deployment = load_example("single-split", internal_ca=internal_ca.name)
    services.deployment_issue(deployment=deployment, actor="test")
    files = unzip_checked(
        services.deployment_bundle_zip(deployment=deployment, include_keys=True, actor="t"),
        tmp_path,
    )
    assert sorted(n for n in files if n.startswith("csr/")) == [
        "csr/turn.csr",
        "csr/webbridge.csr",
        "csr/xmppserver.csr",
    ]
    assert "webbridge.crt: waiting for the outside CA" in files["edge1/MISSING.txt"].decode()


def test_the_page_download_leaves_keys_out_and_post_with_keys_needs_the_permission(
    answered_split, client_as, viewer, operator, ca_admin, tmp_path
):
    edge = answered_split.servers.get(name="edge1")
    url = reverse("deployments:server-zip", args=[answered_split.pk, edge.pk])
    client = client_as(viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert (
        response["Content-Disposition"] == f'attachment; filename="{answered_split.name}-edge1.zip"'
    )
    assert not any(n.endswith(".key") for n in unzip_checked(response.content, tmp_path / "v"))
    assert client_as(operator).post(url, {"keys": "yes"}).status_code == 403
    client = client_as(ca_admin)
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"keys": "yes"})
    assert response.status_code == 200
    assert "edge1/webbridge.key" in unzip_checked(response.content, tmp_path / "a")


def test_the_whole_deployment_zip_needs_a_login_and_a_role(
    answered_split, client, client_as, nobody
):
    url = reverse("deployments:zip", args=[answered_split.pk])
    assert client.get(url).status_code == 302  # to the log-in page
    assert client_as(nobody).get(url).status_code == 403

"""Creating and changing deployments, servers and components over the API (issue 13).

The API refuses what the pages refuse (it validates with the same Django forms), answers
bad input with a 4xx and a message a person can act on, and saves nothing half-way.
"""

from __future__ import annotations

import pytest

from certauthority.models import Certificate, CertificateAuthority
from deployments.models import Component, Deployment, Server

pytestmark = pytest.mark.django_db

LAB = {
    "name": "lab",
    "domain": "lab.example.com",
    "topology": "single_combined",
    "strategy": "dedicated",
    "key_type": "rsa2048",
}


def test_an_operator_creates_a_deployment_a_server_and_a_component_and_gets_a_plan(
    api_as, operator, root_ca
):
    client = api_as(operator)
    created = client.post("/api/v1/deployments/", {**LAB, "internal_ca": root_ca.pk}, format="json")
    assert created.status_code == 201, created.content
    deployment = created.json()
    assert deployment["name"] == "lab" and deployment["internal_ca"] == root_ca.pk
    base = f"/api/v1/deployments/{deployment['id']}/servers/"
    server = client.post(
        base,
        {"name": "cms1", "fqdn": "cms1.lab.example.com", "role": "combined",
         "addresses": ["192.0.2.10"], "interfaces": ["a"]},
        format="json",
    )  # fmt: skip
    assert server.status_code == 201, server.content
    assert server.json()["addresses"] == ["192.0.2.10"]
    component = client.post(
        f"{base}{server.json()['id']}/components/",
        {"kind": "web_bridge", "fqdn": "join.lab.example.com"},
        format="json",
    )
    assert component.status_code == 201, component.content
    assert component.json()["kind"] == "web_bridge"
    plan = client.get(f"/api/v1/deployments/{deployment['id']}/plan/").json()
    names = {entry["basename"]: entry for entry in plan["entries"]}
    assert "webbridge" in names
    assert "join.lab.example.com" in names["webbridge"]["san"]
    assert names["webbridge"]["rule"] and names["webbridge"]["reason"]


def test_patch_changes_one_field_and_keeps_the_others(api_as, operator, load_example):
    deployment = load_example("single-split")
    url = f"/api/v1/deployments/{deployment.pk}/"
    before = api_as(operator).get(url).json()
    response = api_as(operator).patch(url, {"description": "moved to rack 4"}, format="json")
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["description"] == "moved to rack 4"
    assert {k: v for k, v in after.items() if k not in ("description", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("description", "updated_at")
    }
    server = deployment.servers.get(name="edge1")
    surl = f"/api/v1/deployments/{deployment.pk}/servers/{server.pk}/"
    patched = api_as(operator).patch(surl, {"addresses": ["198.51.100.7"]}, format="json")
    assert patched.status_code == 200, patched.content
    server.refresh_from_db()
    assert server.addresses == ["198.51.100.7"] and server.fqdn == patched.json()["fqdn"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({**LAB, "topology": "ring"}, "topology", "valid choice"),
        ({**LAB, "name": ""}, "name", "required"),
        ({**LAB, "domain": "bad domain\n"}, "domain", ""),
        ({**LAB, "lync_frontend": True, "lync_fqdn": "cms.lab.example.com"}, "lync_trusted_ca",
         "R3.13"),
        ({**LAB, "internal_ca": 999999}, "internal_ca", "valid choice"),
    ],
    ids=["topology", "no-name", "control-character", "lync-without-ca", "unknown-ca"],
)  # fmt: skip
def test_a_refused_deployment_names_the_field_and_saves_nothing(
    api_as, operator, body, field, words
):
    response = api_as(operator).post("/api/v1/deployments/", body, format="json")
    assert response.status_code == 400, response.content
    data = response.json()
    assert field in data["errors"], data
    assert words in " ".join(data["errors"][field])
    assert data["detail"]
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'"text"', b"{\"name\": ", b"\xff\xfe", b"{\"name\": \"\\u0000\"}"],
    ids=["garbage", "a-list", "a-string", "truncated", "not-utf8", "nul"],
)  # fmt: skip
def test_a_body_that_is_not_a_json_object_is_a_400_with_a_message(api_as, operator, raw):
    response = api_as(operator).generic(
        "POST", "/api/v1/deployments/", raw, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not Deployment.objects.exists()


def test_a_form_encoded_body_is_refused_with_415(api_as, operator):
    response = api_as(operator).post("/api/v1/deployments/", LAB)  # multipart, not JSON
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]


def test_a_server_on_the_wrong_deployment_is_404(api_as, viewer, load_example):
    split = load_example("single-split")
    other = load_example("single-combined")
    server = split.servers.first()
    response = api_as(viewer).get(f"/api/v1/deployments/{other.pk}/servers/{server.pk}/")
    assert response.status_code == 404 and response.json()["detail"]


def test_an_unknown_component_kind_is_a_400_naming_it(api_as, operator, load_example):
    split = load_example("single-split")
    server = split.servers.get(name="core1")
    before = Component.objects.count()
    url = f"/api/v1/deployments/{split.pk}/servers/{server.pk}/components/"
    response = api_as(operator).post(url, {"kind": "toaster"}, format="json")
    assert response.status_code == 400
    assert "toaster" in response.json()["detail"]
    assert Component.objects.count() == before


def test_a_duplicate_server_name_is_refused_and_nothing_changes(api_as, operator, load_example):
    split = load_example("single-split")
    before = Server.objects.count()
    response = api_as(operator).post(
        f"/api/v1/deployments/{split.pk}/servers/",
        {"name": "core1", "fqdn": "core1b.example.com", "role": "core"},
        format="json",
    )
    assert response.status_code in (400, 409), response.content
    assert response.json()["detail"]
    assert Server.objects.count() == before


@pytest.fixture
def csr(tmp_path, openssl):
    """A CSR made by openssl, as an admin's own tooling would make it."""
    key, out = tmp_path / "cb3.key", tmp_path / "cb3.csr"
    made = openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                   "-subj", "/CN=cb3.example.com", "-out", out)  # fmt: skip
    assert made.returncode == 0, made.stderr
    return out


def test_signing_a_pem_csr_returns_a_certificate_openssl_verifies_with_its_chain(
    api_as, operator, internal_ca, csr, tmp_path, openssl
):
    response = api_as(operator).post(
        f"/api/v1/cas/{internal_ca.pk}/sign/",
        {"csr": csr.read_text(), "profile": "server-client", "days": 90},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert Certificate.objects.filter(pk=body["id"], issuer_ca=internal_ca).exists()
    (tmp_path / "leaf.crt").write_text(body["certificate"])
    (tmp_path / "chain.crt").write_text(body["chain"])
    verified = openssl("verify", "-CAfile", tmp_path / "chain.crt", tmp_path / "leaf.crt")
    assert verified.returncode == 0, verified.stderr
    text = openssl("x509", "-in", tmp_path / "leaf.crt", "-noout", "-text").stdout
    assert "DNS:cb3.example.com" in text  # the CN joined the SAN list (R3.4)
    assert "TLS Web Server Authentication, TLS Web Client Authentication" in text


def test_signing_an_uploaded_csr_file_works_like_the_sign_page(api_as, operator, internal_ca, csr):
    with csr.open("rb") as upload:
        response = api_as(operator).post(
            f"/api/v1/cas/{internal_ca.pk}/sign/",
            {"csr": upload, "profile": "server", "san": ["cb3.example.com", "cb.example.com"]},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    certificate = Certificate.objects.get(pk=response.json()["id"])
    assert {"DNS:cb3.example.com", "DNS:cb.example.com"} <= set(certificate.san)


@pytest.mark.parametrize(
    ("csr_text", "words"),
    [
        ("", "Paste a CSR"),
        ("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n", "certificate signing request"),
        ("x" * (1024 * 1024 + 10), ""),
        ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", ""),
    ],
    ids=["empty", "truncated", "huge", "a-certificate"],
)
def test_a_bad_csr_is_a_400_and_nothing_is_signed(api_as, operator, internal_ca, csr_text, words):
    before = Certificate.objects.count()
    response = api_as(operator).post(
        f"/api/v1/cas/{internal_ca.pk}/sign/",
        {"csr": csr_text, "profile": "server"},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    assert words in response.json()["detail"]
    assert Certificate.objects.count() == before


def test_an_inactive_ca_refuses_to_sign(api_as, operator, internal_ca, csr):
    CertificateAuthority.objects.filter(pk=internal_ca.pk).update(is_active=False)
    response = api_as(operator).post(
        f"/api/v1/cas/{internal_ca.pk}/sign/",
        {"csr": csr.read_text(), "profile": "server"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["detail"]


def test_issue_answers_at_once_with_a_job_and_refuses_without_a_ca(
    api_as, operator, load_example, internal_ca
):
    bare = load_example("single-split")
    refused = api_as(operator).post(f"/api/v1/deployments/{bare.pk}/issue/")
    assert refused.status_code == 400
    assert "CA" in refused.json()["detail"]
    unknown = api_as(operator).post(f"/api/v1/deployments/{bare.pk}/issue/?ca=999999")
    assert unknown.status_code == 400 and "999999" in unknown.json()["detail"]
    queued = api_as(operator).post(f"/api/v1/deployments/{bare.pk}/issue/?ca={internal_ca.pk}")
    assert queued.status_code == 202, queued.content
    job = queued.json()
    assert job["state"] in ("queued", "failed") and job["total"] > 0
    assert queued["Location"] == job["url"]
    polled = api_as(operator).get(job["url"])
    assert polled.status_code == 200 and polled.json()["id"] == job["id"]


def test_certificates_filter_by_deployment_and_page_with_a_cursor(api_as, viewer, answered_split):
    client = api_as(viewer)
    everything = client.get("/api/v1/certificates/?page_size=500").json()["results"]
    mine = client.get(f"/api/v1/certificates/?deployment={answered_split.pk}&page_size=500")
    ids = {row["id"] for row in mine.json()["results"]}
    planned = set(
        answered_split.certificate_plans.exclude(certificate=None).values_list(
            "certificate_id", flat=True
        )
    )
    assert planned <= ids <= {row["id"] for row in everything}
    first = client.get("/api/v1/certificates/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    searched = client.get("/api/v1/certificates/?q=callbridge").json()["results"]
    assert searched and all(
        "callbridge" in (r["common_name"] + " ".join(r["san"])) for r in searched
    )


@pytest.mark.parametrize(
    "query",
    ["status=broken", "expires_before=tomorrow", "ca=abc", "deployment=x", "cursor=%00",
     "page_size=-1", "source=alien"],
)  # fmt: skip
def test_bad_filters_are_a_400_or_ignored_never_a_500(api_as, viewer, query):
    response = api_as(viewer).get(f"/api/v1/certificates/?{query}")
    assert response.status_code in (200, 400, 404), response.content[:300]
    if response.status_code >= 400:
        assert response.json()["detail"]

"""Every endpoint under every role (issue 13): anonymous 401, no role 403, then the web's
roles (core/roles.py) decide, on the server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "nobody", "viewer", "operator", "ca_admin")


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


# (method, path template, lowest role that may, body)
CSR_HINT = "not a CSR"
ENDPOINTS = [
    ("get", "/api/v1/deployments/", "viewer", None),
    ("post", "/api/v1/deployments/", "operator", {}),
    ("get", "/api/v1/deployments/{d}/", "viewer", None),
    ("patch", "/api/v1/deployments/{d}/", "operator", {"description": "changed"}),
    ("get", "/api/v1/deployments/{d}/plan/", "viewer", None),
    ("get", "/api/v1/deployments/{d}/findings/", "viewer", None),
    ("post", "/api/v1/deployments/{d}/issue/", "operator", {}),
    ("get", "/api/v1/deployments/{d}/bundle.zip", "viewer", None),
    ("post", "/api/v1/deployments/{d}/bundle.zip", "ca_admin", {"keys": True}),
    ("get", "/api/v1/deployments/{d}/servers/", "viewer", None),
    ("post", "/api/v1/deployments/{d}/servers/", "operator", {}),
    ("get", "/api/v1/deployments/{d}/servers/{s}/", "viewer", None),
    ("patch", "/api/v1/deployments/{d}/servers/{s}/", "operator", {}),
    ("get", "/api/v1/deployments/{d}/servers/{s}/bundle.zip", "viewer", None),
    ("get", "/api/v1/deployments/{d}/servers/{s}/components/", "viewer", None),
    ("post", "/api/v1/deployments/{d}/servers/{s}/components/", "operator", {}),
    ("get", "/api/v1/deployments/{d}/servers/{s}/components/{c}/", "viewer", None),
    ("patch", "/api/v1/deployments/{d}/servers/{s}/components/{c}/", "operator", {}),
    ("get", "/api/v1/cas/", "viewer", None),
    ("get", "/api/v1/cas/{ca}/", "viewer", None),
    ("post", "/api/v1/cas/{ca}/sign/", "operator", {"csr": CSR_HINT, "profile": "server"}),
    ("get", "/api/v1/certificates/", "viewer", None),
    ("get", "/api/v1/certificates/{cert}/", "viewer", None),
    ("get", "/api/v1/certificates/{cert}/download/?format=pem", "viewer", None),
    ("post", "/api/v1/certificates/{cert}/download/?format=pkcs12", "viewer",
     {"password": "correct horse"}),
    ("post", "/api/v1/certificates/{cert}/key/", "ca_admin", {}),
    ("post", "/api/v1/certificates/{cert}/renew/", "operator", {"mode": "sideways"}),
    ("get", "/api/v1/expiry/", "viewer", None),
    ("post", "/api/v1/tools/inspect/", "viewer", {"material_text": "junk"}),
    ("post", "/api/v1/tools/match/", "viewer", {}),
    ("post", "/api/v1/tools/verify/", "viewer", {}),
]  # fmt: skip


@pytest.fixture
def ids(load_example, internal_ca):
    """single-split with its internal entries issued (enough for every endpoint to answer)."""
    from deployments import services

    issued = load_example("single-split", internal_ca=internal_ca.name)
    services.deployment_issue(deployment=issued, actor="test")
    server = issued.servers.order_by("pk").first()
    component = server.components.order_by("pk").first()
    plan = issued.certificate_plans.filter(certificate__isnull=False).order_by("pk").first()
    return {"d": issued.pk, "s": server.pk, "c": component.pk, "ca": internal_ca.pk,
            "cert": plan.certificate_id}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "lowest", "body"), ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS])  # fmt: skip
def test_each_endpoint_answers_each_role_as_the_web_would(
    request, api_as, ids, role, method, path, lowest, body
):
    client = api_as(_user(request, role))
    url = path.format(**ids)
    response = getattr(client, method)(url, body, format="json") if body is not None else (
        getattr(client, method)(url))  # fmt: skip
    allowed = ROLES.index(role) >= ROLES.index(lowest)
    if role == "anonymous":
        assert response.status_code == 401, response.content[:300]
        assert response["WWW-Authenticate"].startswith("Token")
    elif not allowed:
        assert response.status_code == 403, response.content[:300]
        assert response.json()["detail"]
    else:
        # Allowed: the request reaches the view. Empty bodies are refused as bad input (4xx,
        # JSON with a message), never 401/403/5xx.
        assert response.status_code not in (401, 403), (url, response.content[:300])
        assert response.status_code < 500
        if response.status_code >= 400:
            assert response.json()["detail"], response.content[:300]


def test_a_viewer_gets_a_pkcs12_without_the_key_and_a_ca_admin_with_it(api_as, viewer,
                                                                        ca_admin, ids):  # fmt: skip
    url = f"/api/v1/certificates/{ids['cert']}/download/?format=pkcs12"
    body = {"password": "correct horse"}
    as_viewer = api_as(viewer).post(url, body, format="json")
    as_admin = api_as(ca_admin).post(url, body, format="json")
    assert as_viewer["X-CertDesk-Includes-Key"] == "no"
    assert as_admin["X-CertDesk-Includes-Key"] == "yes"


def test_the_session_of_the_web_works_too_with_its_csrf_check(client, viewer, ids):
    client.force_login(viewer)
    assert client.get("/api/v1/deployments/").status_code == 200


def test_a_session_write_without_the_csrf_token_is_refused_and_with_it_accepted(operator):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)
    body = {"name": "csrf-lab", "domain": "lab.example.com", "topology": "single_combined",
            "strategy": "dedicated", "key_type": "rsa2048"}  # fmt: skip
    refused = browser.post("/api/v1/deployments/", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    browser.get("/accounts/tokens/")  # a page with a form sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/deployments/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.content


def test_a_bad_token_is_401_not_a_server_error(api_as, db):
    client = api_as(None)
    client.credentials(HTTP_AUTHORIZATION="Token " + "x" * 40)
    response = client.get("/api/v1/deployments/")
    assert response.status_code == 401
    assert response.json()["detail"]

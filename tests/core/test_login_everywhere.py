"""Every page requires login, except the few that must be public. Walks the whole URLconf so a
new view cannot slip through unprotected."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Public on purpose: logging in, choosing a language, and what relying parties fetch (R1.5).
PUBLIC_PREFIXES = ("/accounts/login/", "/i18n/setlang/", "/crl/", "/ocsp/", "/static/")
# The REST API authenticates itself (token or session) and answers 401 in JSON, not a
# redirect to a login page a script cannot follow (issue 13). Its docs page is for people.
API_PREFIX = "/api/"
API_PAGES = ("/api/docs/",)


def _sample(route: str) -> str:
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:\w+:)?\w+>", "x", route)
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    return re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield "/" + _sample(prefix + str(entry.pattern)), entry


def _project_urls():
    return [(path, p) for path, p in _walk(get_resolver().url_patterns)
            if not path.startswith("/admin/")]  # fmt: skip


def test_the_urlconf_has_pages_to_check():
    assert len(_project_urls()) >= 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [path for path, _ in _project_urls() if not path.startswith(PUBLIC_PREFIXES)]
)
def test_an_anonymous_visitor_cannot_open_a_non_public_page(client, path):
    for method in (client.get, client.post):
        response = method(path)
        if path.startswith(API_PREFIX) and path not in API_PAGES:
            assert response.status_code == 401, f"{path} answered {response.status_code}"
            assert response["WWW-Authenticate"].startswith("Token")
            continue
        assert response.status_code == 302, f"{path} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/")


# Pages any logged-in user may use, whatever their role: a token acts with its user's role,
# and the API's description holds no data.
ANY_USER = ("/accounts/logout/", "/accounts/tokens/", "/api/schema/", "/api/docs/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [path for path, _ in _project_urls() if not path.startswith(PUBLIC_PREFIXES + ANY_USER)],
)
def test_a_logged_in_user_without_a_role_is_refused_every_non_public_page(client_as, nobody, path):
    client = client_as(nobody)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code in (403, 405), f"{path} answered {response.status_code}"
        if response.status_code == 405:
            continue  # wrong method for this page; the other method is checked too
    statuses = {client.get(path).status_code, client.post(path).status_code}
    assert 403 in statuses, f"{path} never refused a user without a role"


def test_only_the_intended_views_are_exempt_from_login():
    exempt = sorted(path for path, pattern in _project_urls()
                    if getattr(pattern.callback, "login_required", True) is False)  # fmt: skip
    unexpected = [path for path in exempt if not path.startswith(PUBLIC_PREFIXES + (API_PREFIX,))]
    assert unexpected == []
    # What the API exempts is a DRF view: it authenticates and checks permissions itself.
    from rest_framework.views import APIView

    api = [p for path, p in _project_urls() if path.startswith(API_PREFIX)]
    assert api and all(issubclass(p.callback.cls, APIView) for p in api)

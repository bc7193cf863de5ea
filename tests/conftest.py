"""Shared fixtures: users in each role, the openssl judge, and service availability.

When CI=true, a test that needs PostgreSQL or Redis and cannot reach it fails; elsewhere it
is skipped with the reason (so `make test` on a laptop without Redis still runs the rest).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from core.roles import Role

IN_CI = os.environ.get("CI", "").lower() == "true"


def service_missing(reason: str) -> None:
    """Skip locally, fail in CI: CI must execute every integration test."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def require_redis() -> str:
    url = settings.REDIS_URL
    if not url:
        service_missing("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {url} is unreachable: {exc}")
    return url


@pytest.fixture
def require_postgres() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        service_missing("DATABASE_URL does not point at PostgreSQL")


@pytest.fixture(scope="session")
def openssl() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the openssl binary, the independent judge of what CertDesk produces."""
    binary = shutil.which("openssl")
    assert binary, "the openssl binary is required by the test suite"

    def run(*args: str | Path, check: bool = False, input: str | None = None):
        return subprocess.run(
            [binary, *map(str, args)],
            capture_output=True,
            text=True,
            check=check,
            input=input,
            timeout=60,
        )

    return run


def _user_with_role(django_user_model, username: str, role: Role | None):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username=username, password="pw-" + username)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def viewer(db, django_user_model):
    return _user_with_role(django_user_model, "viewer", Role.VIEWER)


@pytest.fixture
def operator(db, django_user_model):
    return _user_with_role(django_user_model, "operator", Role.OPERATOR)


@pytest.fixture
def ca_admin(db, django_user_model):
    return _user_with_role(django_user_model, "caadmin", Role.CA_ADMIN)


@pytest.fixture
def nobody(db, django_user_model):
    """Logged in, but in no role."""
    return _user_with_role(django_user_model, "nobody", None)


@pytest.fixture
def client_as(client):
    """client_as(user) -> a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


# --- the one root CA --------------------------------------------------------------------------
# A test's database rows roll back after it, so the CA is made per test (an EC key and one
# PBKDF2 wrap: milliseconds). Session scope would leak rows into tests that count or name CAs.

ROOT_CA_NAME = "Example Root CA"
ROOT_CA_SUBJECT = "CN=Example Root CA,O=Example Inc.,C=GB"
# The name the deployment examples' variations give as `internal_ca:`.
LAB_ROOT_NAME = "Lab Root"
LAB_ROOT_SUBJECT = "CN=Lab Root CA,O=Example Inc.,C=GB"


def create_root_ca(name: str = ROOT_CA_NAME, subject: str = ROOT_CA_SUBJECT, actor=None):
    """A saved self-signed root CA with a fast EC key, as CertDesk itself creates one."""
    from certauthority import services

    return services.ca_create_root(name=name, subject=subject, key_type="ec256", actor=actor)


@pytest.fixture
def root_ca(db):
    """The root CA "Example Root CA" (CRL at /crl/example-root-ca.crl)."""
    return create_root_ca()


@pytest.fixture
def internal_ca(db):
    """The root CA a deployment names as its internal CA: ``internal_ca: Lab Root``."""
    return create_root_ca(LAB_ROOT_NAME, LAB_ROOT_SUBJECT, actor="test")


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    """Each test starts with no unlocked keys in memory, as a fresh process would."""
    from certauthority import keystore

    keystore.clear_cache()
    yield
    keystore.clear_cache()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Japanese leaves the thread's language active; start every test afresh."""
    yield
    from django.utils import translation

    translation.deactivate()

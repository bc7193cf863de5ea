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


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Japanese leaves the thread's language active; start every test afresh."""
    yield
    from django.utils import translation

    translation.deactivate()

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
from typing import Any

import pytest
from django.conf import settings

from core.roles import Role

IN_CI = os.environ.get("CI", "").lower() == "true"

# --- running in parallel (pytest-xdist, `make test`) -------------------------------------------
# Each xdist worker ("gw0", "gw1", ...) is its own process with its own PostgreSQL test
# database (pytest-django appends the worker id), tmp_path and browser. What the workers
# would otherwise share is made per worker here: the Celery queue and cache keys on the one
# Redis database, and the live server's port.


def xdist_worker() -> str:
    """``gw0``, ``gw1``, … under pytest-xdist; ``""`` in a plain run."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_number() -> int:
    worker = xdist_worker()
    return int(worker[2:]) if worker.startswith("gw") else 0


def pytest_configure(config: pytest.Config) -> None:
    # Live servers (browser tests, the OCSP responder test) bind to an OS-chosen free port by
    # default, which never collides. CERTDESK_TEST_PORT_BASE pins them to base + worker number
    # instead, for machines where each developer has a port range.
    base = os.environ.get("CERTDESK_TEST_PORT_BASE")
    if base and not config.getoption("liveserver", None):
        os.environ["DJANGO_LIVE_TEST_SERVER_ADDRESS"] = f"localhost:{int(base) + worker_number()}"
    # Cache keys on the shared Redis database stay apart (read when the cache is first used).
    if settings.configured and "KEY_PREFIX" in settings.CACHES.get("default", {}):
        settings.CACHES["default"]["KEY_PREFIX"] += f"-test{xdist_worker() or ''}"


# Tests that must share one worker process under `--dist loadgroup`: the browser tests (one
# Chromium, the heaviest process of the suite) and the Celery worker tests (one Celery worker).
# Grouped by path here because xdist_group marks do not group with pytest 9.2 + xdist 3.8:
# xdist writes the "@group" suffix into `item._nodeid`, which pytest 9 no longer reads.
XDIST_GROUPS = {"tests/browser/": "browser", "tests/integration/test_celery.py": "celery"}


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class PathGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in XDIST_GROUPS.items():
                if nodeid.startswith(prefix):
                    return group
            return super()._split_scope(nodeid)

    return PathGroupScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def _celery_queue_per_worker():
    """Tasks sent by one worker's tests are consumed only by the Celery worker that the same
    process starts (tests/integration): two workers on one Redis would steal each other's
    heartbeat, which then writes into the other worker's test database."""
    if settings.REDIS_URL:
        from config.celery import app

        app.conf.task_default_queue = f"certdesk-test-{xdist_worker() or 'main'}"
    yield


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


def issue_server_certificate(ca, cn: str = "cb1.example.com"):
    """A 30-day server certificate for CN from CA, through the services; CertDesk holds its key."""
    from cryptography import x509

    from certauthority import services

    keypair = services.keypair_generate(key_type="ec256", label=cn.split(".")[0], actor=None)
    csr = services.csr_create(
        keypair=keypair, subject=x509.Name.from_rfc4514_string(f"CN={cn}"), san=[], actor=None
    )
    return services.certificate_issue(
        ca=ca, csr=csr, profile="server", days=30, actor=None
    ).certificate


@pytest.fixture
def load_example(db):
    """load_example("scalable", internal_ca="Lab CA", options={"sip_tls": True}) -> Deployment.

    Loads deployments/examples/NAME.yaml; ``options`` are merged into the example's options,
    other keys replace top-level ones. Without changes the YAML text itself is loaded.
    """
    from deployments import services
    from tests.deployments.helpers import EXAMPLES, example_document

    def load(name: str, *, options: dict[str, bool] | None = None, **changes: Any):
        if not changes and not options:
            text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
            return services.deployment_load(text=text, actor="test")[0]
        doc = example_document(name)
        doc.update(changes)
        if options:
            doc["options"] = {**doc.get("options", {}), **options}
        return services.deployment_load_document(document=doc, actor="test")[0]

    return load


@pytest.fixture
def root_ca(db):
    """The root CA "Example Root CA" (CRL at /crl/example-root-ca.crl)."""
    return create_root_ca()


@pytest.fixture
def internal_ca(db):
    """The root CA a deployment names as its internal CA: ``internal_ca: Lab Root``."""
    return create_root_ca(LAB_ROOT_NAME, LAB_ROOT_SUBJECT, actor="test")


@pytest.fixture
def answered_split(load_example, internal_ca, tmp_path):
    """single-split, internal entries issued, public entries answered by an openssl CA."""
    from tests.deployments.publicca import issue_with_public_answers

    deployment = load_example("single-split", internal_ca=internal_ca.name)
    return issue_with_public_answers(deployment, tmp_path / "public")


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

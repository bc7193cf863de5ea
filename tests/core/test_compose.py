"""docker-compose.yml cannot be run here (no Docker engine), so check what can be checked:
every CertDesk service gets the variables it needs, and runs the Makefile's commands."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CERTDESK_SERVICES = ("migrate", "web", "worker", "beat")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _makefile_commands() -> dict[str, str]:
    text = (ROOT / "Makefile").read_text()
    found = dict(re.findall(r"^(WEB_CMD|WORKER_CMD|BEAT_CMD) := (.+)$", text, re.MULTILINE))
    bind = re.search(r"^BIND \?= (.+)$", text, re.MULTILINE).group(1)
    return {"web": found["WEB_CMD"].replace("$(BIND)", bind), "worker": found["WORKER_CMD"],
            "beat": found["BEAT_CMD"]}  # fmt: skip


def _env_example_names() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_the_stack_has_postgres_redis_web_worker_and_beat_sharing_one_image():
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    images = {services[name]["image"] for name in CERTDESK_SERVICES}
    assert images == {"certdesk:latest"}
    assert all(services[name]["build"] == "." for name in CERTDESK_SERVICES)


def test_every_certdesk_service_gets_the_database_redis_and_its_secrets():
    services = _compose()["services"]
    for name in CERTDESK_SERVICES:
        service = services[name]
        assert service["env_file"] == ".env", name
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
    # The env file is made from .env.example, which documents the secrets settings require.
    assert {"SECRET_KEY", "CERTDESK_KEY_ENCRYPTION_KEY", "ALLOWED_HOSTS"} <= _env_example_names()


def test_web_worker_and_beat_run_the_same_commands_as_the_makefile():
    services = _compose()["services"]
    make = _makefile_commands()
    assert services["worker"]["command"] == make["worker"]
    assert services["beat"]["command"] == make["beat"]
    # The web service listens on every interface of its container instead of loopback.
    assert services["web"]["command"] == make["web"].replace("127.0.0.1:8000", "0.0.0.0:8000")


def test_the_app_waits_for_migrations_and_a_healthy_database():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_setting_read_from_the_environment_is_documented_in_env_example():
    settings_text = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', settings_text))
    read |= set(re.findall(r'_secret\("([A-Z][A-Z0-9_]+)"\)', settings_text))
    missing = read - _env_example_names()
    assert not missing, f"undocumented in .env.example: {sorted(missing)}"


def test_the_image_never_bakes_in_local_secrets_databases_or_virtualenvs():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", "var", ".venv", ".git"} <= ignored

"""The ground everything stands on: login everywhere, roles, languages, settings at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core.roles import ROLE_PERMISSIONS, Role

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_three_roles_exist_as_groups_after_migrating():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Viewer", "Operator", "CA Admin"} <= names


@pytest.mark.django_db
def test_each_role_has_every_permission_it_is_meant_to_have():
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert set(perms) == granted, f"{role.value} misses {set(perms) - granted}"


@pytest.mark.django_db
def test_a_ca_admin_has_everything_an_operator_has_and_more():
    operator = set(ROLE_PERMISSIONS[Role.OPERATOR])
    admin = set(ROLE_PERMISSIONS[Role.CA_ADMIN])
    assert operator < admin
    assert "certauthority.download_private_key" in admin - operator


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_login_page_is_served_without_login_and_styled_with_the_vendored_bootstrap(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_the_vendored_bootstrap_is_served_by_the_app_itself(client):
    response = client.get("/static/vendor/bootstrap/bootstrap.min.css")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_user_logs_in_with_a_password_and_sees_the_dashboard(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer", "password": "pw-viewer"})
    assert response.status_code == 302
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "Dashboard" in page.content.decode()


@pytest.mark.django_db
def test_logging_out_ends_the_session(client_as, viewer):
    client = client_as(viewer)
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_the_language_switch_shows_the_dashboard_in_japanese(client_as, viewer):
    client = client_as(viewer)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    html = client.get(reverse("dashboard")).content.decode()
    assert 'lang="ja"' in html
    assert "ダッシュボード" in html


@pytest.mark.django_db
def test_the_login_page_is_translated_into_japanese(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "ログイン" in html


def _start_django(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "CERTDESK_KEY"))}
    # An empty var/ of its own: `make run`'s var/secret-key would otherwise be found (issue 10).
    env["CERTDESK_VAR_DIR"] = tempfile.mkdtemp(prefix="certdesk-var-")
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_without_a_secret_key_stops_with_one_line_naming_the_variable(tmp_path):
    result = _start_django(
        {
            "DEBUG": "false",
            "CERTDESK_KEY_ENCRYPTION_KEY": "x" * 32,
            "CERTDESK_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "CertDesk: set SECRET_KEY (or SECRET_KEY_FILE) in the environment or .env, or run "
        f"'make run' once to create it under {tmp_path}; it is required when DEBUG "
        "is off."
    ]


def test_start_up_without_the_key_encryption_secret_stops_and_names_it():
    result = _start_django({"DEBUG": "false", "SECRET_KEY": "s" * 50})
    assert result.returncode != 0
    assert "CERTDESK_KEY_ENCRYPTION_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_key_encryption_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "kek"
    secret.write_text("f" * 40 + "\n")
    result = _start_django(
        {"DEBUG": "false", "SECRET_KEY": "s" * 50, "CERTDESK_KEY_ENCRYPTION_KEY_FILE": str(secret)}
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_the_production_values_of_env_example():
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    # The example's placeholders stand for real secrets; give them realistic strength.
    values["SECRET_KEY"] = "k9$" + "Zx8#qW2@" * 8
    values["CERTDESK_KEY_ENCRYPTION_KEY"] = "e" * 48
    values.pop("DATABASE_URL", None)
    values.pop("REDIS_URL", None)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "CERTDESK_KEY"))}
    env.update(values)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_a_request_far_above_the_size_limit_gets_a_400_page_that_explains_it(
    client_as, viewer, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = client_as(viewer)
    response = client.post(
        reverse("tools"), {"tool": "inspect", "inspect-material_text": "A" * 20_000}
    )
    assert response.status_code == 400
    assert "far too large" in response.content.decode()

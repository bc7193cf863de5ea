"""The README's curl examples (issue 13), run as printed against a live CertDesk.

The state is what the README's tour leaves behind: an issuing CA named "Example Issuing
CA", the example deployment "example-split" issued by it, and the first administrator
"admin" (a CA Admin, as ``make run`` makes it). ``manage.py drf_create_token`` runs in the
shell, on the same database, as the README shows.
"""

from __future__ import annotations

import shutil
import zipfile

import pytest

from core.roles import Role
from tests.conftest import create_root_ca
from tests.readme import clone_layout, readme_block, run_block


def test_the_examples_use_curl_and_the_token_header_only():
    script = readme_block("api")
    assert script.count("curl -sf") >= 6
    assert all('-H "$AUTH"' in line for line in script.splitlines() if "curl " in line)


@pytest.mark.django_db(transaction=True)
def test_the_readme_curl_examples_run_against_a_live_server(
    require_postgres, live_server, load_example, django_user_model, tmp_path
):
    """PostgreSQL: the shell's manage.py and the live server must share one database."""
    assert shutil.which("curl"), "the README's examples need curl"
    from django.contrib.auth.models import Group

    from deployments import services

    admin = django_user_model.objects.create_superuser(username="admin", password="pw-admin")
    admin.groups.add(Group.objects.get(name=Role.CA_ADMIN.value))
    root = create_root_ca(name="Example Root CA", subject="CN=Example Root CA,O=Example Inc.")
    from certauthority import services as ca_services

    ca_services.ca_create_intermediate(
        name="Example Issuing CA",
        parent=root,
        subject="CN=Example Issuing CA,O=Example Inc.",
        key_type="ec256",
        actor="test",
    )
    deployment = load_example("single-split", internal_ca="Example Issuing CA")
    services.deployment_issue(deployment=deployment, actor="test")

    env = clone_layout(tmp_path, CERTDESK_URL=live_server.url)
    result = run_block(readme_block("api"), tmp_path, env, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "sftp/cb3.crt: OK" in result.stdout  # openssl verify judged the downloaded pair
    with zipfile.ZipFile(tmp_path / "example-split.zip") as plain:
        names = plain.namelist()
    assert "core1/install.txt" in names and not any(n.endswith(".key") for n in names)
    with zipfile.ZipFile(tmp_path / "example-split-keys.zip") as keyed:
        assert "core1/callbridge.key" in keyed.namelist()
    assert "No errors detected" in result.stdout  # unzip -t

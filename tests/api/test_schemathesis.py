"""A schemathesis run against the published OpenAPI description (issue 13).

The CLI fuzzes every operation of ``/api/schema/`` on a live CertDesk, with a real CA
Admin token (so every endpoint is reached, not refused at the door), and fails on any
server error or any response that breaks the schema. ``POST …/issue/`` is left out: it
queues key generation for the worker on every call (tests/api/test_writes.py covers it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SEED = "20261204"  # fixed, so a failure in CI replays locally


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(
    live_server, api_as, ca_admin, load_example, internal_ca, tmp_path
):
    from rest_framework.authtoken.models import Token

    from deployments import services

    deployment = load_example("single-split", internal_ca=internal_ca.name)
    services.deployment_issue(deployment=deployment, actor="test")
    token = Token.objects.create(user=ca_admin)
    binary = Path(sys.executable).with_name("schemathesis")
    assert binary.exists() or shutil.which("schemathesis"), "requirements-dev.txt installs it"
    result = subprocess.run(
        [
            str(binary if binary.exists() else "schemathesis"),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Token {token.key}",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--exclude-path-regex",
            "/issue/$",
            "--max-examples",
            "8",
            "--seed",
            SEED,
            "--workers",
            "2",
            "--request-timeout",
            "60",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "generated" in result.stdout and " 0 passed" not in result.stdout, report

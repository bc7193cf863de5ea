"""The commands install.txt prints for certificates signed outside CertDesk (SPEC R3.3, R3.4,
R3.5, R2.6, Appendix A), run for real: the `pki csr` line through CertDesk's own `pki`
command, the OpenSSL line through the openssl binary, which then judges the CSR."""

from __future__ import annotations

import io
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from deployments import rules
from tests.deployments.helpers import example_spec

SUBJECT = (("O", "Example Inc."), ("C", "GB"))


def _planned(spec: rules.DeploymentSpec, basename: str) -> rules.PlannedCertificate:
    return {p.basename: p for p in rules.required_certificates(spec)}[basename]


def _csr_text(openssl, path: Path) -> str:
    result = openssl("req", "-in", path, "-noout", "-verify", "-text", "-nameopt", "RFC2253")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _san(text: str) -> list[str]:
    match = re.search(r"X509v3 Subject Alternative Name:\s*\n\s*(.+)", text)
    return [n.strip().removeprefix("DNS:") for n in match.group(1).split(",")] if match else []


def _subject(text: str) -> str:
    return re.search(r"Subject: (.+)", text).group(1).strip()


def _run_openssl_line(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(shlex.split(line), cwd=cwd, capture_output=True, text=True, timeout=60)


CASES = [
    pytest.param("single-split", {}, "xmppserver", id="R3.7 XMPP server and domain"),
    pytest.param("single-split", {}, "webbridge", id="R3.6 Web Bridge"),
    pytest.param("scalable", {"strategy": "shared"}, "shared", id="R3.5 shared certificate"),
    pytest.param(
        "single-combined", {"strategy": "wildcard"}, "wildcard", id="R2.6 wildcard certificate"
    ),
]


@pytest.mark.parametrize(("example", "changes", "basename"), CASES)
def test_appendix_a_the_printed_openssl_line_makes_the_planned_csr(
    example, changes, basename, openssl, tmp_path
):
    spec = example_spec(example, subject=SUBJECT, **changes)
    planned = _planned(spec, basename)
    line = rules.obtain_commands(spec, planned)[1]
    result = _run_openssl_line(line, tmp_path)
    assert result.returncode == 0, result.stderr
    text = _csr_text(openssl, tmp_path / f"{basename}.csr")
    assert _subject(text) == f"CN={planned.common_name},O=Example Inc.,C=GB"
    assert _san(text) == list(planned.san)
    assert (tmp_path / f"{basename}.key").exists()


@pytest.mark.parametrize(("example", "changes", "basename"), CASES)
def test_r3_3_the_printed_pki_csr_line_gives_the_planned_cn_and_san_once_each(
    example, changes, basename, openssl, tmp_path
):
    # SPEC R3.4: the line leaves the CN out of subjectAltName; the tool adds it, once.
    spec = example_spec(example, subject=SUBJECT, **changes)
    planned = _planned(spec, basename)
    words = shlex.split(rules.obtain_commands(spec, planned)[0])
    assert words[:3] == ["pki", "csr", basename]
    out = io.StringIO()
    call_command(
        "pki", "--dir", str(tmp_path), *words[1:], "--key-type", "ec256", stdout=out, stderr=out
    )
    text = _csr_text(openssl, tmp_path / f"{basename}.csr")
    assert _subject(text) == f"CN={planned.common_name},O=Example Inc.,C=GB"
    # A SAN of the CN alone cannot be written without repeating the CN, so the line gives
    # no subjectAltName then (the CA copies the CN); otherwise the planned list, CN first.
    expected = list(planned.san) if len(planned.san) > 1 else []
    assert _san(text) == expected


def test_appendix_a_an_organisation_with_a_slash_keeps_the_cn_in_the_openssl_csr(openssl, tmp_path):
    spec = example_spec("single-split", subject=(("O", "Example / Labs"), ("C", "GB")))
    planned = _planned(spec, "webbridge")
    result = _run_openssl_line(rules.obtain_commands(spec, planned)[1], tmp_path)
    assert result.returncode == 0, result.stderr
    text = _csr_text(openssl, tmp_path / "webbridge.csr")
    assert _subject(text) == "CN=join.example.com,O=Example / Labs,C=GB"


def test_appendix_a_the_openssl_line_carries_the_same_email_address_as_the_pki_csr_line(
    openssl, tmp_path
):
    spec = example_spec("single-split", subject=(*SUBJECT, ("emailAddress", "pki@example.com")))
    planned = _planned(spec, "webbridge")
    pki_line, openssl_line, _certreq = rules.obtain_commands(spec, planned)
    assert "emailAddress:pki@example.com" in pki_line
    result = _run_openssl_line(openssl_line, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "emailAddress=pki@example.com" in _subject(
        _csr_text(openssl, tmp_path / "webbridge.csr")
    )

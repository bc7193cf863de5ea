"""The README's command-line tour, run exactly as printed, on a fresh install (issue 10 item 2).

The block after ``<!-- tour: runnable -->`` runs in bash in a temporary folder laid out like
a clone after ``make run`` (the code, ``.venv``, a ``var/`` with fresh secrets), against a
fresh database. Every command must exit 0; openssl then judges the files the tour made.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.readme import clone_layout, readme_block, run_block


def tour_script() -> str:
    return readme_block("tour")


def test_the_tour_has_no_optional_brackets_and_uses_one_way_to_run_commands():
    script = tour_script()
    assert "[" not in script.replace("$(", "")  # no "[--force]" left to paste
    commands = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert not any(line.startswith("python ") for line in commands)
    assert sum(".venv/bin/python manage.py" in line for line in commands) > 30


def _openssl(*args: str) -> str:
    result = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"openssl {' '.join(args)}: {result.stderr}"
    return result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_readme_tour_runs_top_to_bottom_as_printed(tmp_path):
    # What `make run` did before the tour starts: the var/ secrets and a migrated database.
    env = clone_layout(tmp_path)
    result = run_block(tour_script(), tmp_path, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "CommandError" not in result.stderr and "Traceback" not in result.stderr

    sftp, install = tmp_path / "sftp", tmp_path / "install"
    # The Web Bridge certificate chains to the exported root through the exported bundle.
    verify = _openssl(
        "verify", "-CAfile", str(sftp / "root.crt"), "-untrusted",
        str(sftp / "webbridge_bundle.crt"), str(sftp / "webbridge.crt"),
    )  # fmt: skip
    assert verify.strip().endswith("OK")
    # The CN is in the CSR's subjectAltName once, beside the other name (SPEC R3.4).
    csr_text = _openssl("req", "-in", str(sftp / "webbridge.csr"), "-noout", "-text")
    assert "DNS:join.example.com, DNS:example.com" in csr_text
    assert "CN is also in the subjectAltName" not in result.stderr
    # split wrote the install script's names.
    assert (sftp / "webbridge2.crt").is_file() and (sftp / "webbridge2_bundle.crt").is_file()
    assert (sftp / "callbridge_trust.crt").read_text().count("BEGIN CERTIFICATE") == 2
    # unlock left a key openssl reads without a password; pkcs12-to-ssh an SSH key.
    _openssl("pkey", "-in", str(sftp / "locked.key"), "-passin", "pass:not-asked", "-noout")
    assert (sftp / "admin.pub").read_text().startswith(("ssh-rsa ", "ecdsa-sha2-"))
    # The CRL lists the revoked Call Bridge certificate.
    serial = _openssl("x509", "-in", str(sftp / "cb2.crt"), "-noout", "-serial")
    serial = serial.strip().split("=")[1].upper()
    crl = _openssl("crl", "-inform", "DER", "-in", str(sftp / "issuing.crl"), "-noout", "-text")
    assert serial in crl.replace(":", "").upper()
    # The deployment: issued by the chosen CA, files per server, the attached Web Bridge.
    for cert, bundle in (
        (install / "core1" / "callbridge.crt", install / "core1" / "callbridge_bundle.crt"),
        (install / "edge1" / "webbridge.crt", install / "edge1" / "webbridge_bundle.crt"),
    ):
        assert (
            _openssl(
                "verify", "-CAfile", str(sftp / "root.crt"), "-untrusted", str(bundle), str(cert)
            )
            .strip()
            .endswith("OK")
        )
    assert (install / "core1" / "install.txt").is_file()
    assert "Example Issuing CA" in (tmp_path / "example-split.yaml").read_text()
    # After rekey-storage and the new secret in place, the CA still signs.
    assert (
        _openssl(
            "verify", "-CAfile", str(sftp / "issuing-chain.crt"), str(sftp / "cb1-renewed.crt")
        )
        .strip()
        .endswith("OK")
    )

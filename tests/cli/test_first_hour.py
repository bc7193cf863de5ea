"""The command line as a new admin meets it (issue 10 items 3-7): help, errors, CA choice, names."""

from __future__ import annotations

import io
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command, get_commands

from certauthority import selectors as ca_selectors
from certauthority.pki.files import bundle_file_name
from deployments import documents
from tests.cli.test_deployment_command import run
from tests.conftest import create_root_ca

EXAMPLE = Path(documents.EXAMPLES_DIR) / "single-split.yaml"
OUR_APPS = {"certauthority", "deployments", "core", "expiry"}


def argv(capsys, *args: str) -> tuple[int, str, str]:
    """Run as `manage.py ARGS` does from a shell (not call_command): exit code, stdout, stderr."""
    try:
        ManagementUtility(["manage.py", *args]).execute()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- item 4: --help of every command of ours ---------------------------------------------

OUR_COMMANDS = sorted(name for name, app in get_commands().items() if app in OUR_APPS)


def test_our_commands_are_the_ones_the_issue_names():
    assert {"pki", "ca", "deployment", "bootstrap"} <= set(OUR_COMMANDS)


@pytest.mark.parametrize("name", OUR_COMMANDS)
def test_help_of_every_command_prints_usage(capsys, name):
    code, out, err = argv(capsys, name, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"usage: manage.py {name}")
    code, out, err = argv(capsys, "help", name)
    assert (code, err) == (0, "") and out.startswith(f"usage: manage.py {name}")


def _verbs(name: str) -> list[str]:
    command = ManagementUtility(["manage.py"]).fetch_command(name)
    parser = command.create_parser("manage.py", name)
    for action in parser._actions:  # argparse keeps the sub-commands here
        if action.__class__.__name__ == "_SubParsersAction":
            return sorted(action.choices)
    return []


@pytest.mark.parametrize(
    "name,verb", [(n, v) for n in ("pki", "ca", "deployment") for v in _verbs(n)]
)
def test_help_of_every_verb_prints_usage(capsys, name, verb):
    code, out, err = argv(capsys, name, verb, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"usage: manage.py {name} {verb}")


# --- item 5: one line, no CommandError: prefix, hints that fit ------------------------------


@pytest.mark.django_db
def test_ca_sign_of_a_missing_csr_says_so_in_one_line_without_a_pki_hint(capsys, tmp_path, root_ca):
    code, out, err = argv(
        capsys, "ca", "sign", str(tmp_path / "webbridge.csr"), "--ca", root_ca.name,
        "--profile", "server", "--out", str(tmp_path / "webbridge.crt"),
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"{tmp_path / 'webbridge.csr'}: no such file")
    assert "CommandError" not in err and "pki list" not in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args,start",
    [
        (("deployment", "plan", "nowhere"), "No deployment called nowhere."),
        (("ca", "export", "No Such CA", "--out", "x.crt"), "No such CA: run"),
        (("pki", "--dir", "no-such-dir", "list"), "no-such-dir is not a directory."),
    ],
)
def test_errors_are_one_line_without_the_command_error_prefix(capsys, args, start):
    code, _out, err = argv(capsys, *args)
    assert code == 1
    assert err.startswith(start) and err.count("\n") == 1, err


# --- item 3: the internal CA of `deployment issue` ------------------------------------------


@pytest.mark.django_db
def test_the_sole_active_ca_is_found_only_when_there_is_exactly_one():
    assert ca_selectors.ca_sole_active() is None
    first = create_root_ca("First Root", "CN=First Root")
    assert ca_selectors.ca_sole_active() == first
    create_root_ca("Second Root", "CN=Second Root")
    assert ca_selectors.ca_sole_active() is None


@pytest.mark.django_db
def test_check_reports_a_deployment_without_internal_ca_as_an_error():
    run("load", str(EXAMPLE))
    code, out, _err = run("check", "example-split")
    assert code == 1
    assert "no findings" not in out
    assert re.search(r"^ERROR\tR3\.1\t.*cannot be issued: no internal CA chosen", out, re.M)


@pytest.mark.django_db
def test_issue_uses_the_only_active_ca_and_says_so(root_ca):
    run("load", str(EXAMPLE))
    code, out, err = run("issue", "example-split")
    assert code == 0, err
    first, *rows = out.splitlines()
    assert first == (
        f"example-split: using {root_ca.name}, the only active CA (choose another with --ca)."
    )
    assert any(row.startswith("callbridge\tissued\t") for row in rows)
    assert run("check", "example-split")[0] == 0


@pytest.mark.django_db
def test_issue_with_several_cas_names_them_and_takes_the_one_given(root_ca):
    other = create_root_ca("Other Root", "CN=Other Root")
    run("load", str(EXAMPLE))
    code, out, err = run("issue", "example-split")
    assert code == 1 and out == ""
    assert "--ca" in err and root_ca.name in err and other.name in err
    code, out, err = run("issue", "example-split", "--ca", other.name)
    assert code == 0, err
    assert f"signed by {other.name}" in out


@pytest.mark.django_db
def test_scripts_say_what_they_did_not_write_and_why(root_ca, tmp_path):
    run("load", str(EXAMPLE))
    run("issue", "example-split")
    code, out, err = run("scripts", "example-split", "--out", str(tmp_path))
    assert code == 0
    assert f"{tmp_path}/core1/{bundle_file_name('callbridge')}" in out.splitlines()
    lines = err.splitlines()
    assert f"not written: {tmp_path}/edge1/webbridge.crt: waiting for the outside CA: send " \
        "csr/webbridge.csr, then run 'deployment attach'." in lines  # fmt: skip
    assert not (tmp_path / "edge1" / "webbridge.crt").exists()


# --- items 6 and 7: pki split's names; pki csr and pki openssl agree -------------------------


def _pki(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("pki", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _names(openssl, csr: Path) -> tuple[str, str]:
    text = openssl("req", "-in", str(csr), "-noout", "-subject", "-text").stdout
    subject = text.splitlines()[0]
    san = re.search(r"Subject Alternative Name:.*\n\s*(.*)", text)
    return subject, san.group(1).strip() if san else ""


@pytest.mark.parametrize(
    "attributes",
    [
        ["CN:join.example.com", 'O:"Example Inc."', "subjectAltName:example.com"],
        ["CN:join.example.com", "subjectAltName:join.example.com,example.com"],
        ["CN:join.example.com"],
    ],
)
def test_pki_csr_and_the_openssl_commands_of_pki_openssl_make_the_same_names(
    openssl, tmp_path, attributes
):
    code, _out, _err = _pki("--dir", str(tmp_path), "csr", "ours", *attributes)
    assert code == 0
    code, out, _err = _pki("openssl", "theirs", *attributes)
    assert code == 0
    command = out.splitlines()[1]
    assert command.startswith("openssl req ")
    subprocess.run(shlex.split(command), cwd=tmp_path, check=True, capture_output=True)
    assert _names(openssl, tmp_path / "ours.csr") == _names(openssl, tmp_path / "theirs.csr")
    if len(attributes) > 1:  # a SAN list was given: the CN is in it, once (SPEC R3.4)
        assert _names(openssl, tmp_path / "ours.csr")[1].count("DNS:join.example.com") == 1


def test_pki_csr_and_pki_openssl_give_the_same_warning_for_a_repeated_cn(tmp_path):
    attributes = ["CN:join.example.com", "subjectAltName:join.example.com,example.com"]
    _c, _o, csr_err = _pki("--dir", str(tmp_path), "csr", "ours", *attributes)
    _c, _o, openssl_err = _pki("openssl", "theirs", *attributes)
    assert "is also in the subjectAltName list" in csr_err
    assert csr_err == openssl_err


@pytest.mark.django_db
def test_the_web_findings_page_shows_the_same_no_internal_ca_error(client_as, viewer):
    from deployments.models import Deployment

    run("load", str(EXAMPLE))
    deployment = Deployment.objects.get(name="example-split")
    page = client_as(viewer).get(f"/deployments/{deployment.pk}/findings/").content.decode()
    assert "cannot be issued: no internal CA chosen." in page

"""Path traversal: names in a deployment file or on the command line cannot make CertDesk
write outside the directory it was given (`deployment scripts --out`, `pki --dir`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from deployments.models import Deployment, Server
from tests.deployments.helpers import example_document

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = ["../../evil", "..", ".", "a/b", "core1/../../x", "/etc", "..\\x", "core1\n"]


def _deployment(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("deployment", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def _write_yaml(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_deployment_file_with_a_path_as_server_name_is_refused_and_nothing_saved(tmp_path, name):
    doc = example_document("single-split")
    doc["servers"][0]["name"] = name
    code, _out, err = _deployment("load", str(_write_yaml(tmp_path, doc)))
    assert code == 1
    assert "nothing was saved" in err
    assert Deployment.objects.count() == 0
    assert Server.objects.count() == 0


@pytest.mark.parametrize("tag", ["../lb", "lb/../../x", ".."])
def test_a_deployment_file_with_a_path_as_tag_is_refused(tmp_path, tag):
    doc = example_document("single-split")
    for server in doc["servers"]:
        for component in server.get("components", []):
            if component.get("tag") == "Edge1toLB":
                component["tag"] = tag
            if component.get("load_balancer") == "Edge1toLB":
                component["load_balancer"] = tag
    code, _out, _err = _deployment("load", str(_write_yaml(tmp_path, doc)))
    assert code == 1
    assert Deployment.objects.count() == 0


def test_the_database_refuses_a_server_name_with_a_slash_whoever_writes_it():
    deployment = Deployment.objects.create(name="d", domain="example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Server.objects.create(deployment=deployment, name="../x", fqdn="x.example.com", role="core")


def test_scripts_writes_only_inside_the_out_directory(tmp_path):
    from certauthority import services

    services.ca_create_root(
        name="Lab Root", subject="CN=Lab Root CA,O=Example Inc.,C=GB", key_type="ec256", actor="t"
    )
    doc = example_document("single-split")
    doc["internal_ca"] = "Lab Root"
    assert _deployment("load", str(_write_yaml(tmp_path, doc)))[0] == 0
    assert _deployment("issue", doc["name"])[0] == 0
    out = tmp_path / "out"
    code, stdout, _err = _deployment("scripts", doc["name"], "--out", str(out))
    assert code == 0
    written = [Path(line) for line in stdout.splitlines()]
    assert any(p.suffix == ".key" for p in written)
    for path in written:
        assert path.resolve().is_relative_to(out.resolve()), path
    on_disk = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert on_disk == {tmp_path / "hostile.yaml", *written}


def test_scripts_for_a_server_name_that_is_a_path_writes_nothing(tmp_path):
    doc = example_document("single-split")
    assert _deployment("load", str(_write_yaml(tmp_path, doc)))[0] == 0
    out = tmp_path / "out"
    code, _out, err = _deployment("scripts", doc["name"], "--server", "../../x", "--out", str(out))
    assert code == 1
    assert "No server ../../x" in err
    assert not (tmp_path / "x").exists()
    assert not out.exists() or not any(out.rglob("*"))


@pytest.mark.parametrize(
    "args",
    [
        ("inspect", "../secret.pem"),
        ("inspect", "/etc/hostname"),
        ("csr", "../escape", "CN:x.example.com"),
        ("selfsigned", "sub/escape", "CN:x.example.com"),
        ("pkcs12-to-ssh", "../admin"),
        ("split", "../secret.pem", "escape"),
        ("bundle", "../escape.crt", "a.crt"),
    ],
)
def test_the_pki_command_refuses_paths_where_it_wants_file_names(tmp_path, args):
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "secret.pem").write_text("outside --dir")
    before = {p for p in tmp_path.rglob("*")}
    with pytest.raises(SystemExit) as failed:
        call_command("pki", "--dir", str(work), *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert failed.value.code == 1
    assert {p for p in tmp_path.rglob("*")} == before


@pytest.mark.parametrize("field", ["name", "tag"])
def test_a_name_ending_in_a_newline_gets_the_naming_rule_not_a_database_error(tmp_path, field):
    # "$" in a regular expression also matches before a final newline; names must not.
    doc = example_document("single-split")
    if field == "name":
        doc["servers"][0]["name"] = "core1\n"
        where, rule = "servers[0].name", "Use only letters, digits, '-' and '_' (no dots)"
    else:
        lb = next(c for s in doc["servers"] for c in s["components"] if c.get("tag") == "Edge1toLB")
        lb["tag"] = "Edge1toLB\n"
        where, rule = ".tag", "Use only letters, digits, '-' and '_' in tags."
    code, _out, err = _deployment("load", str(_write_yaml(tmp_path, doc)))
    assert code == 1
    assert where in err and rule in err
    assert "database rule" not in err
    assert Deployment.objects.count() == 0


def test_the_pki_command_refuses_a_basename_ending_in_a_newline(tmp_path):
    from certauthority.pki.csr import validate_basename
    from certauthority.pki.errors import PKIError

    with pytest.raises(PKIError):
        validate_basename("webbridge\n")


def test_a_deployment_file_with_a_malformed_email_is_refused_at_load(tmp_path):
    # The e-mail address goes into the subject of every CSR of the deployment (SPEC R1.2).
    doc = example_document("single-split")
    doc.setdefault("subject", {})["emailAddress"] = "not-an-address"
    code, _out, err = _deployment("load", str(_write_yaml(tmp_path, doc)))
    assert code == 1
    assert "subject.emailAddress" in err
    assert Deployment.objects.count() == 0

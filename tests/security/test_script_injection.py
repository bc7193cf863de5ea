"""Issue 9 item 8 (high): no value of a deployment can add a line or a word to install.txt.

A newline or quote in a name, description, subject attribute, FQDN, tag or address, loaded
from a file or typed in a form, used to become extra lines the admin pastes into the MMP
(``factory_reset all``, ``reboot``). Values are now refused where they come in, with a message
naming the field, and quoted (or refused) where they are written. OpenSSL is the judge of
the shell lines: what it reads back is exactly the value, and nothing else runs.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from certauthority.pki.csr import parse_csr_arguments
from certauthority.pki.quoting import Grammar, UnsafeValue, mmp_split, quote
from deployments import documents, rules
from deployments.models import Deployment
from tests.deployments.helpers import example_document

from .test_bad_input import _deployment_form, _refused, nothing_saved

INJECTED = "factory_reset all"


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target = doc
    for part in path[:-1]:
        target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
    target[path[-1]] = value
    return doc


HOSTILE_DOCUMENT_VALUES = [
    (("name",), f"lab\n{INJECTED}", "name"),
    (("name",), "lab\rreboot", "name"),
    (("name",), "lab\u2028reboot", "name"),
    (("description",), "fine\x1b[2K\rreboot", "description"),
    (("description",), "fine\x00", "description"),
    (("public_ca",), f"Public CA\n{INJECTED}", "public_ca"),
    (("subject", "O"), f"Example Inc.\n{INJECTED}", "subject.O"),
    (("subject", "O"), 'Example "Inc.', "subject.O"),
    (("subject", "OU"), "IT\u202edesrever", "subject.OU"),
    (("subject", "L"), "London\x00", "subject.L"),
    (("subject", "ST"), " Greater London", "subject.ST"),
    (("subject", "ST"), "'Kent'", "subject.ST"),
    (("subject", "C"), "GB\n", "subject.C"),
    (("subject", "emailAddress"), "pki@example.com\nreboot", "subject.emailAddress"),
    (("domain",), "example.com\n", "domain"),
    (("servers", 0, "fqdn"), "core1.example.com\n", "servers[0].fqdn"),
    (("servers", 0, "addresses"), ["10.0.0.10\nreboot"], "servers[0].addresses[0]"),
    (("servers", 0, "addresses"), ["10.0.0.10 ; reboot"], "servers[0].addresses[0]"),
    (("servers", 0, "interfaces"), ["a\n"], "servers[0].interfaces[0]"),
    (("servers", 0, "components", 0, "fqdn"), "cb.example.com\n", "components[0].fqdn"),
    (("servers", 0, "components", 0, "names"), ["x.example.com\n"], "components[0].names[0]"),
    (("servers", 0, "components", 1, "srv_target"), "xmpp.example.com\n", "srv_target"),
    (("servers", 0, "components", 2, "tag"), "trunktoEdge1\nreboot", "components[2].tag"),
    (("servers", 1, "components", 2, "trunk"), "a:4999\n", "components[2].trunk"),
    (("servers", 1, "components", 2, "public"), ["b:5222\n"], "components[2].public[0]"),
    (("lync",), {"fqdn": "lync.example.com\n"}, "lync.fqdn"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "value", "where"), HOSTILE_DOCUMENT_VALUES)
def test_the_loader_refuses_a_value_a_script_cannot_carry_and_saves_nothing(
    tmp_path, capsys, path, value, where
):
    doc = _set(example_document("single-split"), path, value)
    file = tmp_path / "hostile.yaml"
    file.write_text(documents.dump_yaml(doc), encoding="utf-8")
    with nothing_saved(), pytest.raises(CommandError) as raised:
        call_command("deployment", "load", str(file))
    assert raised.value.returncode == 1
    assert "nothing was saved" in str(raised.value)
    err = capsys.readouterr().err
    line = next((line for line in err.splitlines() if where in line), "")
    assert line, f"no message names {where}: {err}"
    assert not Deployment.objects.exists()


@pytest.mark.django_db
def test_a_refused_value_is_shown_escaped_so_the_message_itself_adds_no_line(tmp_path, capsys):
    doc = _set(example_document("single-split"), ("subject", "O"), f"Evil\n{INJECTED}")
    file = tmp_path / "hostile.yaml"
    file.write_text(documents.dump_yaml(doc), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("deployment", "load", str(file))
    err = capsys.readouterr().err
    assert "U+000A (LINE FEED)" in err
    assert not any(line.startswith(INJECTED) for line in err.splitlines())


@pytest.mark.django_db
def test_a_multi_line_description_is_kept_but_never_reaches_install_txt(tmp_path):
    doc = _set(example_document("single-split"), ("description",), f"Lab.\n{INJECTED}\nreboot")
    file = tmp_path / "ok.yaml"
    file.write_text(documents.dump_yaml(doc), encoding="utf-8")
    call_command("deployment", "load", str(file))
    call_command("deployment", "scripts", "example-split", "--out", str(tmp_path / "out"))
    for install in (tmp_path / "out").glob("*/install.txt"):
        lines = install.read_text().splitlines()
        assert not any(line.startswith((INJECTED, "reboot")) for line in lines)


# --- the web forms (the model's validators) ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", f"lab\n{INJECTED}"),
        ("description", "x\x1b]0;reboot\x07"),
        ("public_ca_name", f"CA\r\n{INJECTED}"),
        ("organization", f"Example Inc.\n{INJECTED}"),
        ("organization", 'Example "Inc.'),
        ("organizational_unit", "IT\u202e"),
        ("locality", "London\u2029reboot"),
        ("state", "Kent\treboot"),
        ("email", "pki@example.com\nreboot"),
    ],
)
def test_the_deployment_form_refuses_a_value_a_script_cannot_carry(
    client_as, operator, split, field, value
):
    with nothing_saved():
        response = client_as(operator).post(
            reverse("deployments:create"), _deployment_form(**{field: value})
        )
    assert response.status_code == 200
    text = _refused(response)
    assert any(
        message in text
        for message in ("could add a line", "double quote", "Enter a valid email address.")
    )
    assert not Deployment.objects.filter(name="lab").exists()


def test_editing_a_deployment_to_a_hostile_subject_changes_nothing(client_as, operator, split):
    with nothing_saved():
        response = client_as(operator).post(
            reverse("deployments:edit", args=[split.pk]),
            _deployment_form(name="example-split", organization=f"Evil\n{INJECTED}"),
        )
    _refused(response, "could add a line")
    assert Deployment.objects.get(pk=split.pk).organization == "Example Inc."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"addresses": f"10.0.0.9\n{INJECTED}"}, "could add a line"),
        ({"addresses": "10.0.0.9 reboot"}, "neither an IP address nor a DNS name"),
    ],
)
def test_the_server_form_refuses_hostile_addresses(client_as, operator, split, data, message):
    form = {"name": "edge2", "fqdn": "edge2.example.com", "role": "edge", **data}
    with nothing_saved():
        response = client_as(operator).post(
            reverse("deployments:server-create", args=[split.pk]), form
        )
    assert response.status_code == 200
    _refused(response, message)


def test_the_component_form_refuses_a_hostile_listen_address(client_as, operator, split):
    server = split.servers.get(name="edge1")
    data = {"kind": "load_balancer", "tag": "lb2", "public_listen": "b:5222\nreboot"}
    with nothing_saved():
        response = client_as(operator).post(
            reverse("deployments:component-create", args=[split.pk, server.pk]), data
        )
    assert response.status_code == 200
    _refused(response, "interface:port")


# --- at output: a value stored before these checks is refused, never written -------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organization", f"Evil\n{INJECTED}"),
        ("organization", 'Evil "Inc.'),
        ("name", f"lab\n{INJECTED}"),
    ],
)
def test_scripts_refuse_a_stored_value_they_cannot_quote_and_write_no_install_txt(
    split, tmp_path, field, value
):
    Deployment.objects.filter(pk=split.pk).update(**{field: value})  # bypasses validation
    name = Deployment.objects.get(pk=split.pk).name
    with pytest.raises(CommandError) as raised:
        call_command("deployment", "scripts", name, "--out", str(tmp_path))
    assert raised.value.returncode == 1
    assert "cannot be written" in str(raised.value) or "would contain" in str(raised.value)
    assert not list(tmp_path.rglob("install.txt"))


def test_the_web_pages_refuse_a_stored_value_with_a_message_not_a_500(client_as, viewer, split):
    Deployment.objects.filter(pk=split.pk).update(organization=f"Evil\n{INJECTED}")
    client = client_as(viewer)
    edge = split.servers.get(name="edge1")
    response = client.get(
        reverse("deployments:server-script", args=[split.pk, edge.pk]), follow=True
    )
    assert response.status_code == 200
    assert "cannot be written into a command line" in response.content.decode()
    plan = client.get(reverse("deployments:plan", args=[split.pk]))
    assert plan.status_code == 200
    assert f"\n{INJECTED}" not in plan.content.decode()


def test_a_pending_csr_line_refuses_a_public_ca_name_with_a_line_break():
    doc = example_document("single-split")
    spec = documents.spec_from_document(doc)
    planned = next(p for p in rules.required_certificates(spec) if p.basename == "webbridge")
    spec = type(spec)(**{**spec.__dict__, "public_ca_name": f"CA\n{INJECTED}"})
    with pytest.raises(UnsafeValue, match="LINE FEED"):
        rules.obtain_commands(spec, planned, key_held=True, csr_file="csr/webbridge.csr")


def test_the_renderer_refuses_a_command_that_is_not_the_template():
    spec = documents.spec_from_document(example_document("single-split"))
    script = rules.install_script(spec, rules.required_certificates(spec), "edge1")
    step = script.steps[0]
    forged = type(step)(step.title, step.rule, (*step.commands, "webbridge enable\nreboot"))
    with pytest.raises(UnsafeValue):
        rules.render_install_text(type(script)(**{**script.__dict__, "steps": (forged,)}))


# --- OpenSSL as the judge: hostile-looking but valid values are carried exactly ----------------

AWKWARD = {
    "O": "Tom's $(touch pwned) `touch pwned2` & Co; <x>|y",
    "OU": "R&D / Ops \\ 50%",
    "L": "Zürich",
    "ST": "Île-de-France",
}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl binary")
def test_openssl_reads_back_exactly_the_subject_and_nothing_else_runs(tmp_path: Path):
    doc = example_document("single-split")
    doc["subject"] = {**AWKWARD, "C": "FR"}
    spec = documents.spec_from_document(documents.validate_document(doc))
    planned = next(p for p in rules.required_certificates(spec) if p.basename == "webbridge")
    pki_line, openssl_line, *_ = rules.obtain_commands(spec, planned)
    subprocess.run(["sh", "-c", openssl_line], cwd=tmp_path, check=True, capture_output=True)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()
    # The CSR OpenSSL wrote holds exactly the values (read from its DER, not its display).
    csr = x509.load_pem_x509_csr((tmp_path / "webbridge.csr").read_bytes())
    values = {a.oid._name: a.value for a in csr.subject}
    assert values["organizationName"] == AWKWARD["O"]
    assert values["organizationalUnitName"] == AWKWARD["OU"]
    assert values["localityName"] == AWKWARD["L"]
    assert values["stateOrProvinceName"] == AWKWARD["ST"]
    # The MMP line reads back as the same attributes (SPEC R3.3 grammar).
    words = mmp_split(pki_line)
    assert words[:3] == ["pki", "csr", "webbridge"]
    request = parse_csr_arguments(words[3:])
    assert request.attributes["o"] == AWKWARD["O"]
    assert request.attributes["ou"] == AWKWARD["OU"]
    assert request.attributes["l"] == AWKWARD["L"]


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\x00b", "a\u202eb", "a\u2028b", "a\tb"])
@pytest.mark.parametrize("grammar", list(Grammar))
def test_one_quoting_function_refuses_what_no_grammar_can_carry(value, grammar):
    with pytest.raises(UnsafeValue, match="cannot be written"):
        quote(value, grammar)


def test_the_mmp_grammar_refuses_a_double_quote_and_quotes_spaces():
    assert quote("Example Inc.", Grammar.MMP) == '"Example Inc."'
    assert quote("webbridge.crt", Grammar.MMP) == "webbridge.crt"
    with pytest.raises(UnsafeValue, match="double quote"):
        quote('Say "hi"', Grammar.MMP)


def test_yaml_round_trip_of_a_hostile_file_keeps_the_control_character():
    # The test above depends on YAML carrying the character into the loader unchanged.
    doc = _set(example_document("single-split"), ("subject", "O"), "a\x1bb")
    assert yaml.safe_load(documents.dump_yaml(doc))["subject"]["O"] == "a\x1bb"

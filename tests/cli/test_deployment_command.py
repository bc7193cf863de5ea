"""``manage.py deployment``: load/export round trip, bad files, plan, issue, check, scripts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deployments import documents
from deployments.models import Deployment

pytestmark = pytest.mark.django_db

EXAMPLES = Path(documents.EXAMPLES_DIR)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("deployment", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(f"{exc}\n")
        code = exc.returncode
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def ca(internal_ca):
    """The "Lab Root" CA that `with_ca` names in the document (tests/conftest.py)."""
    return internal_ca


def with_ca(tmp_path: Path, example: str) -> Path:
    text = (EXAMPLES / f"{example}.yaml").read_text()
    path = tmp_path / f"{example}.yaml"
    path.write_text(
        text.replace(
            "public_ca: Example Public CA", "public_ca: Example Public CA\ninternal_ca: Lab Root"
        )
    )
    return path


@pytest.mark.parametrize("example", ["single-combined", "single-split", "scalable"])
def test_every_documented_example_loads(example):
    code, out, _err = run("load", str(EXAMPLES / f"{example}.yaml"))
    assert code == 0
    assert out.startswith("Created deployment example-")


def test_export_writes_a_file_that_loads_back_to_the_same_export(tmp_path):
    run("load", str(EXAMPLES / "scalable.yaml"))
    first = tmp_path / "first.yaml"
    assert run("export", "example-scalable", "--out", str(first))[0] == 0
    code, out, _ = run("load", str(first))
    assert (code, out.split(":")[0]) == (0, "Updated deployment example-scalable")
    code, again, _ = run("export", "example-scalable")
    assert again == first.read_text()


def test_a_schema_error_names_the_path_of_the_bad_field_and_saves_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (EXAMPLES / "single-split.yaml")
        .read_text()
        .replace("role: edge", "role: dmz")
        .replace('trunk: "a:4999"', 'trunk: "a:99999"')
    )
    code, _out, err = run("load", str(bad))
    assert code == 1
    lines = err.splitlines()
    assert "servers[1].role: 'dmz' is not one of ['core', 'edge', 'combined']" in lines
    assert lines[-1] == f"{bad}: not loaded, nothing was saved."
    assert Deployment.objects.count() == 0


def test_a_broken_reference_is_reported_with_its_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (EXAMPLES / "single-split.yaml")
        .read_text()
        .replace("load_balancer: Edge1toLB", "load_balancer: Edge9")
    )
    code, _out, err = run("load", str(bad))
    assert code == 1
    assert "servers[0].components[2].load_balancer: no load balancer has the tag Edge9." in err
    assert Deployment.objects.count() == 0


def test_garbage_yaml_is_refused_with_the_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nservers: [\n  - {name: a\n")
    code, _out, err = run("load", str(bad))
    assert code == 1
    assert err.startswith("The file is not valid YAML or JSON (line ")
    assert Deployment.objects.count() == 0


def test_a_json_file_loads_too(tmp_path):
    import json

    import yaml

    doc = yaml.safe_load((EXAMPLES / "single-combined.yaml").read_text())
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc))
    assert run("load", str(path))[0] == 0


def test_a_missing_file_or_deployment_is_one_clear_line(tmp_path):
    code, _out, err = run("load", str(tmp_path / "none.yaml"))
    assert code == 1 and "cannot be read" in err
    code, _out, err = run("plan", "nope")
    assert (code, err.strip()) == (1, "No deployment called nope.")


def test_plan_prints_basename_cn_san_signer_and_reason():
    run("load", str(EXAMPLES / "single-split.yaml"))
    code, out, _ = run("plan", "example-split")
    assert code == 0
    lines = out.splitlines()
    assert lines[2].startswith(
        "xmppserver\tCN=xmpp.example.com\tSAN=xmpp.example.com,example.com\tpublic_ca\tPlanned\tR2.4: "
    )
    assert len(lines) == 8


def test_issue_then_check_gives_certificates_openssl_accepts_and_no_errors(ca, tmp_path, openssl):
    run("load", str(with_ca(tmp_path, "scalable")))
    code, out, _ = run("issue", "example-scalable")
    assert code == 0, out
    assert "dbcluster_client\tissued" in out
    assert "webbridge" in out and "\tcsr\t" in out
    code, out, _ = run("check", "example-scalable")
    assert (code, out.strip()) == (0, "example-scalable: no findings.")
    out_dir = tmp_path / "out"
    assert run("scripts", "example-scalable", "--out", str(out_dir))[0] == 0
    db1 = out_dir / "db1"
    for name in ("dbcluster_server", "dbcluster_client"):
        result = openssl("verify", "-CAfile", db1 / "dbcluster_ca.crt", db1 / f"{name}.crt")
        assert result.returncode == 0, result.stderr
    core1 = out_dir / "core1"
    result = openssl(
        "verify", "-CAfile", core1 / "core1-callbridge_bundle.crt", core1 / "core1-callbridge.crt"
    )
    assert result.returncode == 0, result.stderr
    # The key matches its certificate (what `pki match` checks on the MMP, SPEC R4.3).
    key_pub = openssl("pkey", "-in", core1 / "core1.key", "-pubout", check=True).stdout
    crt_pub = openssl("x509", "-in", core1 / "core1.crt", "-noout", "-pubkey", check=True).stdout
    assert key_pub == crt_pub
    combined = (out_dir / "edge1" / "combined_callbridge.crt").read_text()
    assert combined.count("BEGIN CERTIFICATE") == 3 and "\n\n" not in combined


def test_check_exits_1_when_an_error_is_found(ca, tmp_path):
    from deployments.models import CertificatePlan
    from deployments.services import plan_set_signer

    run("load", str(with_ca(tmp_path, "scalable")))
    plan_set_signer(
        plan=CertificatePlan.objects.get(basename="dbcluster_client"), signer="self_signed"
    )
    code, out, err = run("check", "example-scalable")
    assert code == 1
    assert "ERROR\tR6.1\tdbcluster_client" in out
    assert "error(s) in example-scalable" in err


def test_scripts_for_one_server_writes_only_that_server(tmp_path):
    run("load", str(EXAMPLES / "single-split.yaml"))
    code, _out, _ = run("scripts", "example-split", "--server", "edge1", "--out", str(tmp_path))
    assert code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["edge1"]
    assert (
        (tmp_path / "edge1" / "install.txt")
        .read_text()
        .startswith("# CertDesk install script for edge1")
    )
    code, _out, err = run("scripts", "example-split", "--server", "edge7", "--out", str(tmp_path))
    assert code == 1 and "servers: core1, edge1" in err


def test_issue_without_an_internal_ca_says_what_to_do():
    run("load", str(EXAMPLES / "single-split.yaml"))
    code, _out, err = run("issue", "example-split")
    # Issue 10 item 3: the line says how (--ca) and, with no CA at all, how to make one.
    assert code == 1 and "choose one with --ca" in err and "ca init" in err
    assert len(err.strip().splitlines()) == 1


def test_issue_with_days_above_398_prints_the_cas_warning(ca, tmp_path):
    # Issue 9 item 6: the CA warns above 398 days; issuing a plan must not swallow it.
    run("load", str(with_ca(tmp_path, "single-combined")))
    code, out, _ = run("issue", "example-combined", "--days", "500")
    assert code == 0, out
    issued = [line for line in out.splitlines() if "\tissued\t" in line]
    assert issued and all("398 days" in line for line in issued), out

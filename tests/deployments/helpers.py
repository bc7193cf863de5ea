"""Build deployment specs for the rules tests: the guide's examples, and small variations."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import yaml

from deployments import documents, rules

EXAMPLES = Path(documents.EXAMPLES_DIR)


def example_document(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def example_spec(name: str, **changes: Any) -> rules.DeploymentSpec:
    spec = documents.spec_from_document(documents.validate_document(example_document(name)))
    return dataclasses.replace(spec, **changes) if changes else spec


def plan_by_name(spec: rules.DeploymentSpec) -> dict[str, rules.PlannedCertificate]:
    return {p.basename: p for p in rules.required_certificates(spec)}


def replace_plan(
    plan: list[rules.PlannedCertificate], basename: str, **changes: Any
) -> list[rules.PlannedCertificate]:
    return [dataclasses.replace(p, **changes) if p.basename == basename else p for p in plan]


def findings_for(spec: rules.DeploymentSpec, **kwargs: Any) -> list[rules.Finding]:
    return rules.check_deployment(spec, **kwargs)


def rules_of(findings: list[rules.Finding]) -> set[str]:
    return {f.rule for f in findings}


def unzip_checked(data: bytes, into: Path) -> dict[str, bytes]:
    """``unzip -t`` must pass; the archive is extracted under ``into/x``; name -> bytes."""
    into.mkdir(parents=True, exist_ok=True)
    path = into / "bundle.zip"
    path.write_bytes(data)
    tested = subprocess.run(["unzip", "-t", path], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into / "x")
        return {name: archive.read(name) for name in archive.namelist()}

"""Deployments as files: parse YAML/JSON, validate against schema.json, turn into rules specs.

Pure functions (no database). The document is the one interchange shape: the loader turns it
into models, the exporter writes models back into it, and selectors build the rules'
``DeploymentSpec`` from it, so a file and the database always mean the same thing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.utils.translation import gettext as _

from certauthority.pki.files import MAX_INPUT_BYTES

from . import mapping, rules, validators

SCHEMA_PATH = Path(__file__).with_name("schema.json")
EXAMPLES_DIR = Path(__file__).with_name("examples")
OPTION_NAMES = mapping.OPTION_NAMES
SUBJECT_KEYS = mapping.SUBJECT_KEYS


class DocumentError(Exception):
    """A deployment file that cannot be loaded; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


# Issue 9 item 9: a deployment file is a few KiB; like every other input it is refused above
# 1 MiB, and YAML aliases (the "billion laughs") and deep nesting are refused while parsing,
# so the work done is linear in the file's size.
MAX_DOCUMENT_BYTES = MAX_INPUT_BYTES
MAX_DEPTH = 32
MAX_INT_LENGTH = 20


class _DocumentLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and with bounded nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                problem=_(
                    "aliases (*name) are not accepted in deployment files; write the value out"
                ),
                problem_mark=self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=_("nested more than %(depth)s levels deep") % {"depth": MAX_DEPTH},
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: Any) -> int:
        # YAML 1.1 reads 1:2:3 as a base-60 integer, which PyYAML sums in quadratic time (40,000
        # parts took 0.5 s, 1 MiB tens of seconds), and more than 4300 decimal digits raise a
        # bare ValueError (a traceback). No field of a deployment file needs either.
        value = str(self.construct_scalar(node))
        if ":" in value or len(value) > MAX_INT_LENGTH:
            raise yaml.MarkedYAMLError(
                problem=_("%(value)s… is not a number a deployment file holds; put text in quotes")
                % {"value": value[:20]},
                problem_mark=node.start_mark,
            )
        return int(super().construct_yaml_int(node))


_DocumentLoader.add_constructor("tag:yaml.org,2002:int", _DocumentLoader.construct_yaml_int)


def parse_text(text: str) -> Any:
    """YAML or JSON (JSON is YAML) into Python data; syntax errors say where."""
    if len(text) > MAX_DOCUMENT_BYTES or len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            [
                _(
                    "The file is larger than %(size)s KiB; a deployment file is a few KiB. Check that you chose the right file."
                )
                % {"size": MAX_DOCUMENT_BYTES // 1024}
            ]
        )
    loader = _DocumentLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = (
            _("line %(line)s, column %(column)s")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else _("unknown position")
        )
        problem = getattr(exc, "problem", None) or str(exc)
        raise DocumentError(
            [
                _("The file is not valid YAML or JSON (%(where)s): %(problem)s")
                % {"where": where, "problem": problem}
            ]
        ) from None
    finally:
        loader.dispose()


def validate_document(data: Any) -> dict[str, Any]:
    """Check a document against schema.json and the cross-references it cannot express."""
    if not isinstance(data, dict):
        raise DocumentError(
            [_("The file must describe one deployment as a mapping (name:, domain:, servers: …).")]
        )
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(
        validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)
    )
    if errors:
        raise DocumentError([f"{_path(e.absolute_path)}: {e.message}" for e in errors])
    # Issue 9 item 8: nothing that could add a line or a word to an install script.
    problems: list[str] = validators.document_problems(data)
    pack = data.get("knowledge_pack", rules.DEFAULT_PACK)
    if pack not in rules.pack_names():
        problems.append(
            "knowledge_pack: "
            + _("CertDesk has no knowledge pack %(pack)s; use one of: %(known)s.")
            % {"pack": pack, "known": ", ".join(rules.pack_names())}
        )
    servers = data["servers"]
    seen: dict[str, int] = {}
    tags: dict[str, str] = {}
    for i, server in enumerate(servers):
        # The schema's pattern lets a final newline through ("$" matches before it).
        if not rules.basename_is_valid(server["name"]):
            problems.append(
                f"servers[{i}].name: "
                + _(
                    "Use only letters, digits, '-' and '_' (no dots): it becomes part of file names."
                )
            )
        if server["name"] in seen:
            problems.append(
                f"servers[{i}].name: "
                + _("%(name)s is already the name of servers[%(other)s].")
                % {"name": server["name"], "other": seen[server["name"]]}
            )
        seen.setdefault(server["name"], i)
        for j, comp in enumerate(server.get("components", [])):
            tag = comp.get("tag")
            if tag:
                where = f"servers[{i}].components[{j}]"
                if not rules.basename_is_valid(tag):
                    problems.append(
                        f"{where}.tag: " + _("Use only letters, digits, '-' and '_' in tags.")
                    )
                if tag in tags:
                    problems.append(
                        f"{where}.tag: "
                        + _("the tag %(tag)s is already used by %(other)s.")
                        % {"tag": tag, "other": tags[tag]}
                    )
                tags.setdefault(tag, where)
    lb_tags = {
        c["tag"] for s in servers for c in s.get("components", []) if c["kind"] == "load_balancer"
    }
    for i, server in enumerate(servers):
        for j, comp in enumerate(server.get("components", [])):
            if comp["kind"] == "trunk" and comp.get("load_balancer") not in lb_tags:
                problems.append(
                    f"servers[{i}].components[{j}].load_balancer: "
                    + _("no load balancer has the tag %(tag)s.")
                    % {"tag": comp.get("load_balancer")}
                )
            for port_path, value in [("trunk", comp.get("trunk"))] + [
                (f"public[{k}]", v) for k, v in enumerate(comp.get("public", []))
            ]:
                if value and not rules.iface_port_is_valid(value):
                    problems.append(
                        f"servers[{i}].components[{j}].{port_path}: "
                        + _("%(value)s is not interface:port with a port from 1 to 65535.")
                        % {"value": value}
                    )
    if problems:
        raise DocumentError(problems)
    return data


def load_document(text: str) -> dict[str, Any]:
    return validate_document(parse_text(text))


def spec_from_document(
    doc: dict[str, Any], *, internal_ca_name: str | None = None
) -> rules.DeploymentSpec:
    """The rules' view of a (validated) document, through the one table in mapping.py."""
    return mapping.deployment_spec(doc, internal_ca_name=internal_ca_name)


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)


def example_paths() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.yaml"))

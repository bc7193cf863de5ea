"""The one mapping between the deployment document, the models and the rules' input
(deployments/mapping.py): every field is in the table, and export then load is the identity
for any valid document (property test, on PostgreSQL)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deployments import documents, mapping, rules, selectors, services, validators
from deployments.models import Component, Deployment, Server
from tests.deployments.helpers import example_document

# Model fields that are not part of the document: keys, bookkeeping, and order (a list's).
NOT_IN_DOCUMENT = {
    "deployment": {"id", "created_at", "updated_at"},
    "server": {"id", "deployment", "position"},
    "component": {"id", "deployment", "server", "position"},
}
# Spec attributes built from something other than one row: the nesting, and the subject pairs.
NOT_A_ROW = {
    "deployment": {"servers", "subject"},
    "server": {"components"},
    "component": {"server"},
}
TABLES = {
    "deployment": mapping.DEPLOYMENT,
    "server": mapping.SERVER,
    "component": mapping.COMPONENT,
}
MODELS = {"deployment": Deployment, "server": Server, "component": Component}
SPECS = {
    "deployment": rules.DeploymentSpec,
    "server": rules.ServerSpec,
    "component": rules.ComponentSpec,
}


@pytest.mark.parametrize("table", list(TABLES))
def test_every_model_field_and_spec_attribute_has_a_row_in_the_mapping(table):
    rows = TABLES[table]
    model_fields = {f.name for f in MODELS[table]._meta.concrete_fields}
    model_fields |= {f.name for f in MODELS[table]._meta.many_to_many}
    missing = model_fields - {f.model for f in rows} - NOT_IN_DOCUMENT[table]
    assert not missing, f"{table}: add a row to deployments/mapping.py for {sorted(missing)}"
    spec_fields = {f.name for f in dataclasses.fields(SPECS[table])}
    missing = spec_fields - {f.spec for f in rows} - NOT_A_ROW[table]
    assert not missing, f"{table}: add a row to deployments/mapping.py for {sorted(missing)}"


def test_the_knowledge_pack_row_names_its_document_key_model_field_spec_attribute_and_default():
    row = next(f for f in mapping.DEPLOYMENT if f.doc == "knowledge_pack")
    assert (row.model, row.spec, row.default) == ("knowledge_pack", "pack", "cms21")
    # Optional in the file, with the same default (schema.json).
    prop = documents.schema()["properties"]["knowledge_pack"]
    assert prop["default"] == "cms21" and "knowledge_pack" not in documents.schema()["required"]


def test_the_spec_built_through_the_table_is_what_the_rules_read(load_example):
    split = load_example("single-split")
    spec = selectors.deployment_spec(deployment=split)
    edge = spec.server("edge1")
    assert edge is not None and edge.role == "edge"
    web = next(c for c in edge.components if c.kind == "web_bridge")
    assert web.fqdn == "join.example.com"
    admin = next(c for c in edge.components if c.kind == "web_admin")
    assert admin.fqdn == "edge1.example.com"  # no name of its own: its server's FQDN (R3.6)
    lb = next(c for c in edge.components if c.kind == "load_balancer")
    assert lb.fqdn == "" and lb.tag == "Edge1toLB"  # named by its server's certificate (R4.5)
    assert ("O", "Example Inc.") in spec.subject


def test_the_knowledge_pack_of_a_file_is_stored_exported_and_planned_with(load_example):
    # Issue 8: a deployment records the pack it was planned with; the file may name it.
    doc = example_document("single-combined")
    doc["knowledge_pack"] = "cms21"
    deployment = services.deployment_load_document(document=doc, actor="test")[0]
    deployment.refresh_from_db()
    assert deployment.knowledge_pack == "cms21"
    exported = selectors.deployment_document(deployment=deployment)
    assert exported["knowledge_pack"] == "cms21"
    assert "knowledge_pack: cms21\n" in documents.dump_yaml(exported)
    assert selectors.deployment_spec(deployment=deployment).pack == "cms21"
    # Left out, it is the default pack.
    plain = load_example("single-split")
    assert plain.knowledge_pack == rules.DEFAULT_PACK
    assert selectors.deployment_document(deployment=plain)["knowledge_pack"] == rules.DEFAULT_PACK


def test_a_lower_case_country_reads_the_same_from_the_file_and_from_the_database(load_example):
    # Found by the property test below: the loader stored "GB" but the file's spec kept "gb",
    # so `pki csr` lines made from the file and from the database disagreed (SPEC R3.3).
    doc = example_document("single-combined")
    doc["subject"] = {**doc["subject"], "C": "gb"}
    deployment = services.deployment_load_document(document=doc, actor="test")[0]
    from_file = documents.spec_from_document(documents.validate_document(doc))
    assert ("C", "GB") in from_file.subject
    assert selectors.deployment_spec(deployment=deployment).subject == from_file.subject


# --- export then load, for generated documents -----------------------------------------------

LABEL = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
PLAIN = (
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"]),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    # What the file may hold: nothing that could add a line or a word to a script (issue 9).
    .filter(lambda v: v and validators.subject_problem(v) is None)
)
IFACE_PORT = st.builds(
    "{}:{}".format, st.sampled_from(["a", "b", "c", "d", "e", "lo"]), st.integers(1, 65535)
)
ROLES = {
    "single_combined": ["combined"],
    "single_split": ["core", "edge"],
    "scalable": ["core", "edge"],
}
KINDS_BY_ROLE = {
    "core": ["call_bridge", "xmpp", "web_admin", "database", "recorder", "streamer"],
    "edge": ["web_bridge", "turn", "web_admin", "h323_gateway"],
    "combined": ["call_bridge", "web_bridge", "xmpp", "turn", "web_admin", "recorder"],
}


def _maybe(draw, key: str, strategy, into: dict[str, Any]) -> None:
    if draw(st.booleans()):
        into[key] = draw(strategy)


@st.composite
def deployment_documents(draw) -> dict[str, Any]:
    """Valid deployment documents (schema.json, unique names and tags, trunks -> LBs)."""
    domain = f"{draw(LABEL)}.{draw(st.sampled_from(['com', 'net', 'example']))}"
    topology = draw(st.sampled_from(list(ROLES)))
    doc: dict[str, Any] = {"name": f"prop-{draw(LABEL)}", "domain": domain, "topology": topology}
    _maybe(draw, "description", PLAIN, doc)
    _maybe(draw, "strategy", st.sampled_from(["dedicated", "shared", "wildcard"]), doc)
    _maybe(draw, "key_type", st.sampled_from(["rsa2048", "ec256", "ec384"]), doc)
    _maybe(draw, "knowledge_pack", st.just("cms21"), doc)
    _maybe(draw, "public_ca", PLAIN, doc)
    _maybe(draw, "internal_ca", st.just("Lab Root"), doc)
    subject: dict[str, Any] = {}
    for key in ("O", "OU", "L", "ST"):
        _maybe(draw, key, PLAIN, subject)
    _maybe(draw, "C", st.from_regex(r"[A-Za-z]{2}", fullmatch=True), subject)
    _maybe(draw, "emailAddress", st.builds("{}@{}".format, LABEL, st.just(domain)), subject)
    if subject or draw(st.booleans()):
        doc["subject"] = subject
    options = draw(st.dictionaries(st.sampled_from(documents.OPTION_NAMES), st.booleans()))
    if options or draw(st.booleans()):
        doc["options"] = options
    lync: dict[str, Any] = {}
    _maybe(draw, "fqdn", st.builds(f"{{}}.{domain}".format, LABEL), lync)
    _maybe(draw, "trusted_ca", st.sampled_from(["internal_ca", "public_ca"]), lync)
    if lync or draw(st.booleans()):
        doc["lync"] = lync

    count = 1 if topology == "single_combined" else draw(st.integers(2, 4))
    names = draw(st.lists(LABEL, min_size=count, max_size=count, unique=True))
    servers = []
    lb_tags: list[str] = []
    for i, name in enumerate(names):
        role = ROLES[topology][0] if count == 1 else ("edge" if i % 2 else "core")
        server: dict[str, Any] = {"name": name, "fqdn": f"{name}.{domain}", "role": role}
        _maybe(draw, "addresses", st.lists(st.ip_addresses(v=4).map(str), max_size=2), server)
        _maybe(draw, "interfaces", st.lists(st.sampled_from(["a", "b", "lo"]), max_size=2), server)
        components = []
        for kind in draw(st.lists(st.sampled_from(KINDS_BY_ROLE[role]), unique=True)):
            comp: dict[str, Any] = {"kind": kind}
            _maybe(draw, "fqdn", st.builds(f"{{}}.{domain}".format, LABEL), comp)
            _maybe(draw, "names", st.lists(st.builds(f"{{}}.{domain}".format, LABEL)), comp)
            if kind == "xmpp":
                _maybe(draw, "xmpp_domain", st.just(domain), comp)
                _maybe(draw, "srv_target", st.builds(f"{{}}.{domain}".format, LABEL), comp)
            if kind == "database":
                _maybe(draw, "database_role", st.sampled_from(["host", "client"]), comp)
            components.append(comp)
        if role == "edge" and draw(st.booleans()):
            tag = f"LB{i}"
            lb = {"kind": "load_balancer", "tag": tag}
            _maybe(draw, "trunk", IFACE_PORT, lb)
            _maybe(draw, "public", st.lists(IFACE_PORT, max_size=2), lb)
            components.append(lb)
            lb_tags.append(tag)
        if components or draw(st.booleans()):
            server["components"] = components
        servers.append(server)
    for i, server in enumerate(servers):
        if server["role"] == "core" and lb_tags:
            for j, tag in enumerate(draw(st.lists(st.sampled_from(lb_tags), unique=True))):
                trunk = {"kind": "trunk", "tag": f"T{i}x{j}", "load_balancer": tag}
                _maybe(draw, "port", st.integers(1, 65535), trunk)
                server.setdefault("components", []).append(trunk)
    doc["servers"] = servers
    return documents.validate_document(doc)


def _rows(deployment: Deployment) -> dict[str, Any]:
    """What the database holds for a deployment, keys and timestamps aside."""

    def values(obj, skip: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in obj._meta.concrete_fields:
            if f.name == "load_balancer":
                out[f.name] = obj.load_balancer.tag if obj.load_balancer_id else None
            elif f.name not in skip:
                out[f.name] = getattr(obj, f.attname)
        return out

    return {
        "deployment": values(deployment, {"id", "created_at", "updated_at"}),
        "servers": [
            (
                values(s, {"id", "deployment"}),
                [values(c, {"id", "deployment", "server"}) for c in s.components.all()],
            )
            for s in selectors.deployment_servers(deployment=deployment)
        ],
        "plan": [
            (p.basename, p.common_name, p.san, p.signer, p.purpose, p.profile, p.key_type)
            for p in selectors.plan_rows(deployment=deployment)
        ],
    }


@pytest.mark.postgres
@settings(
    max_examples=25,
    deadline=None,
    database=None,  # nothing written into the work tree (and nothing shared between workers)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=deployment_documents())
def test_export_then_load_is_the_identity_for_any_valid_document(
    require_postgres, internal_ca, doc
):
    with transaction.atomic():
        first = services.deployment_load_document(document=doc, actor="test")[0]
        exported = selectors.deployment_document(deployment=first)
        # The database means what the file says: the rules see the same deployment.
        assert selectors.deployment_spec(deployment=first) == documents.spec_from_document(doc)
        before = _rows(first)

        # Export, through the YAML text the command line writes, then load it back.
        text = documents.dump_yaml(exported)
        second, created = services.deployment_load(text=text, actor="test")
        assert not created and second.pk == first.pk
        assert _rows(second) == before
        assert selectors.deployment_document(deployment=second) == exported
        transaction.set_rollback(True)

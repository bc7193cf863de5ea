"""One table of fields between the deployment document, the models and the rules' input.

A deployment exists in three shapes that must agree:

* the **document** (YAML/JSON, ``schema.json``), read and written by ``documents.py``, the
  command line's ``load``/``export`` and the ``deployment_document`` selector;
* the **models** (``Deployment``, ``Server``, ``Component``), written by the loader in
  ``services.py``;
* the **rules' input** (``DeploymentSpec``, ``ServerSpec``, ``ComponentSpec``), which
  ``documents.spec_from_document`` builds from a document.

Each row below says, for one field, its document key, its model attribute, its spec
attribute, the default when the document leaves it out, and how a value is converted on the
way. The loader, the exporter and the spec builder all walk these rows, so adding a field is
adding a row (and a model field and schema property). Export then load is the identity:
``tests/deployments/test_mapping.py`` shows it with generated documents.

Pure (no database access): the callers fetch and save; relations to other rows (the internal
CA by name, a trunk's load balancer by tag) are resolved by the caller and named here only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import rules

Item = Mapping[str, Any]  # one document mapping: the deployment, a server, a component
_MISSING = object()


def _same(value: Any, item: Item) -> Any:
    return value


def _as_list(value: Any, item: Item) -> list[Any]:
    return list(value)


def _as_tuple(value: Any, item: Item) -> tuple[Any, ...]:
    return tuple(value)


def _as_bool(value: Any, item: Item) -> bool:
    return bool(value)


@dataclass(frozen=True)
class Field:
    """One field of one shape of a deployment, in document order.

    ``doc`` is the key inside its group (``group`` is the nested mapping it sits in, such as
    ``subject`` or ``options``, or ``""`` at the item's top level). ``model`` / ``spec`` are
    the attribute names (``None``: not stored there). ``default`` is the value of a missing
    key; a callable default gets the item (a component's default depends on its kind).
    ``export`` is ``"always"`` (written even at its default) or ``"set"`` (only when truthy).
    """

    doc: str
    model: str | None
    spec: str | None
    default: Any = ""
    group: str = ""
    export: str = "set"
    to_model: Callable[[Any, Item], Any] = _same
    to_spec: Callable[[Any, Item], Any] = _same
    to_doc: Callable[[Any], Any] = lambda value: value
    required: bool = False
    # A row of another table, named in the document by this attribute of it (a CA's name, a
    # load balancer's tag); the caller resolves it (see the module doc).
    relation: str = ""

    def read(self, item: Item) -> Any:
        """The document's value, or the default."""
        source = item.get(self.group, {}) if self.group else item
        if self.doc in source:
            return source[self.doc]
        if self.required:
            raise KeyError(self.doc)
        return self.default(item) if callable(self.default) else self.default

    def default_for(self, item: Item) -> Any:
        return self.default(item) if callable(self.default) else self.default


def _list_field(doc: str, model: str, spec: str | None) -> Field:
    """A list in the document and the model (JSONField), a tuple in the frozen spec."""
    return Field(doc, model, spec, (), to_model=_as_list, to_spec=_as_tuple, to_doc=list)


# Groups of the deployment document and when they are written: "always", or "changed" (only
# when a member differs from its default; members then follow their own ``export``).
GROUPS: dict[str, str] = {"subject": "changed", "options": "always", "lync": "changed"}


def _country(value: Any, item: Item) -> str:
    """ISO 3166 codes are upper case; the file may say "gb" (the CSR must say GB either way)."""
    return str(value).upper()


# The deployment's yes/no choices (SPEC R2.4, R2.5, R3.10, R4.7, R4.10), under ``options:``.
OPTION_NAMES = (
    "webrtc",
    "native_apps",
    "lync_federation",
    "lync_frontend",
    "turn_tls",
    "sip_tls",
    "ldap_tls",
    "recording",
    "streaming",
)

DEPLOYMENT: tuple[Field, ...] = (
    Field("name", "name", "name", required=True, export="always"),
    Field("description", "description", None),
    Field("domain", "domain", "domain", required=True, export="always"),
    Field("topology", "topology", "topology", required=True, export="always"),
    Field("strategy", "strategy", "strategy", rules.Strategy.DEDICATED.value, export="always"),
    Field("key_type", "key_type", "key_type", rules.DEFAULT_KEY_TYPE, export="always"),
    Field("knowledge_pack", "knowledge_pack", "pack", rules.DEFAULT_PACK, export="always"),
    Field("public_ca", "public_ca_name", "public_ca_name"),
    # The document names a CertDesk CA; the model holds the row (resolved by the loader).
    Field("internal_ca", "internal_ca", "internal_ca_name", relation="name"),
    # Subject attributes for CSRs (SPEC R1.2, R3.3); the spec holds them as ordered pairs.
    Field("O", "organization", None, group="subject"),
    Field("OU", "organizational_unit", None, group="subject"),
    Field("L", "locality", None, group="subject"),
    Field("ST", "state", None, group="subject"),
    Field("C", "country", None, group="subject", to_model=_country, to_spec=_country),
    Field("emailAddress", "email", None, group="subject"),
    # Issue 12: who is told when a certificate nears its end; the rules never read it.
    _list_field("contacts", "contacts", None),
    *(
        Field(
            name,
            name,
            name,
            False,
            group="options",
            export="always",
            to_model=_as_bool,
            to_spec=_as_bool,
        )
        for name in OPTION_NAMES
    ),
    Field("fqdn", "lync_fqdn", "lync_fqdn", group="lync"),  # SPEC R4.7
    Field(
        "trusted_ca",
        "lync_trusted_ca",
        "lync_trusted_ca",
        rules.Signer.INTERNAL_CA.value,
        group="lync",
        export="always",
    ),  # SPEC R3.13
)

SERVER: tuple[Field, ...] = (
    Field("name", "name", "name", required=True, export="always"),
    Field("fqdn", "fqdn", "fqdn", required=True, export="always"),
    Field("role", "role", "role", required=True, export="always"),
    _list_field("addresses", "addresses", "addresses"),
    Field("interfaces", "interfaces", None, (), to_model=_as_list, to_doc=list),
)


def _component_fqdn(value: Any, item: Item) -> str:
    """A component without its own name answers on its server's FQDN (R3.6), except trunks
    and load balancers, whose names are their servers' own certificates (R4.5)."""
    recipe = _recipe(item)
    if value or (recipe is not None and recipe.identity == "server"):
        return value
    return item["_server_fqdn"]


def _recipe(item: Item) -> rules.Recipe | None:
    """The component's recipe in the document's knowledge pack (its kinds' facts, R2.1)."""
    return rules.get_pack(item.get("_pack") or rules.DEFAULT_PACK).recipe(item["kind"])


def _database_role_default(item: Item) -> str:
    recipe = _recipe(item)
    return str(rules.DatabaseRole.HOST) if recipe is not None and recipe.has_database_role else ""


COMPONENT: tuple[Field, ...] = (
    Field("kind", "kind", "kind", required=True, export="always"),
    Field("fqdn", "fqdn", "fqdn", to_spec=_component_fqdn),
    _list_field("names", "extra_names", "extra_names"),
    Field("xmpp_domain", "xmpp_domain", "xmpp_domain"),  # SPEC R3.7
    Field("srv_target", "srv_target", "srv_target"),  # SPEC R3.7
    Field("tag", "tag", "tag"),  # SPEC R4.5
    Field("trunk", "trunk_listen", "trunk_listen"),
    _list_field("public", "public_listen", "public_listen"),
    # A trunk names its load balancer by tag; the model holds the row (resolved by the loader).
    Field("load_balancer", "load_balancer", "load_balancer", relation="tag"),
    Field("port", "edge_port", "edge_port", None),
    Field("database_role", "database_role", "database_role", _database_role_default),  # R4.8
    # Issue 12: where the TLS probe connects; the rules never read it (no spec attribute).
    Field("probe_port", "probe_port", None, None),
)


@cache
def _model_fields() -> dict[str, set[str]]:
    from .models import Component, Deployment, Server

    return {
        name: {f.name for f in model._meta.get_fields()}
        for name, model in (
            ("deployment", Deployment),
            ("server", Server),
            ("component", Component),
        )
    }


@cache
def _spec_fields() -> dict[str, set[str]]:
    return {
        name: {f.name for f in dataclasses.fields(cls)}
        for name, cls in (
            ("deployment", rules.DeploymentSpec),
            ("server", rules.ServerSpec),
            ("component", rules.ComponentSpec),
        )
    }


def _active(fields: Iterable[Field], table: str, side: str) -> list[Field]:
    """The rows whose attribute exists on that side (a document-only row has none)."""
    present = (_model_fields() if side == "model" else _spec_fields())[table]
    return [f for f in fields if getattr(f, side) is not None and getattr(f, side) in present]


# --- document -> model ------------------------------------------------------------------------


def model_values(fields: tuple[Field, ...], table: str, item: Item) -> dict[str, Any]:
    """Model attribute -> value for one document item; relations are left to the caller."""
    return {
        f.model: f.to_model(f.read(item), item)
        for f in _active(fields, table, "model")
        if not f.relation and f.model is not None
    }


def deployment_values(doc: Item) -> dict[str, Any]:
    return model_values(DEPLOYMENT, "deployment", doc)


def server_values(item: Item) -> dict[str, Any]:
    return model_values(SERVER, "server", item)


def component_values(item: Item) -> dict[str, Any]:
    return model_values(COMPONENT, "component", item)


# --- model -> document ------------------------------------------------------------------------


def _model_value(obj: Any, f: Field) -> Any:
    value = getattr(obj, f.model or "")
    if f.relation:
        return f.default if value is None else getattr(value, f.relation)
    return f.to_doc(value) if value is not None else value


def document_of(fields: tuple[Field, ...], table: str, obj: Any) -> dict[str, Any]:
    """The document item of one model row, in the table's order; groups per ``GROUPS``."""
    out: dict[str, Any] = {}
    grouped: dict[str, list[tuple[Field, Any]]] = {}
    for f in _active(fields, table, "model"):
        value = _model_value(obj, f)
        if f.group:
            if f.group not in grouped:
                grouped[f.group] = []
                out[f.group] = None  # keeps the group's place in the order
            grouped[f.group].append((f, value))
        elif f.export == "always" or value:
            out[f.doc] = value
    for group, members in grouped.items():
        changed = any(value != f.default_for({}) for f, value in members)
        if GROUPS[group] == "always" or changed:
            out[group] = {f.doc: v for f, v in members if f.export == "always" or v}
        else:
            del out[group]
    return out


def deployment_document(deployment: Any, servers: Iterable[Any]) -> dict[str, Any]:
    """``servers``: the deployment's servers in order, each with ``components.all()``."""
    doc = document_of(DEPLOYMENT, "deployment", deployment)
    items = []
    for server in servers:
        item = document_of(SERVER, "server", server)
        components = [document_of(COMPONENT, "component", c) for c in server.components.all()]
        if components:
            item["components"] = components
        items.append(item)
    doc["servers"] = items
    return doc


# --- document -> the rules' input -------------------------------------------------------------


def spec_values(fields: tuple[Field, ...], table: str, item: Item) -> dict[str, Any]:
    return {f.spec: f.to_spec(f.read(item), item) for f in _active(fields, table, "spec") if f.spec}


def deployment_spec(doc: Item, *, internal_ca_name: str | None = None) -> rules.DeploymentSpec:
    """The rules' view of a (validated) document."""
    servers = []
    for s in doc["servers"]:
        components = tuple(
            rules.ComponentSpec(
                server=s["name"],
                **spec_values(
                    COMPONENT,
                    "component",
                    {**c, "_server_fqdn": s["fqdn"], "_pack": doc.get("knowledge_pack")},
                ),
            )
            for c in s.get("components", [])
        )
        servers.append(rules.ServerSpec(components=components, **spec_values(SERVER, "server", s)))
    values = spec_values(DEPLOYMENT, "deployment", doc)
    if internal_ca_name is not None:
        values["internal_ca_name"] = internal_ca_name
    subject = doc.get("subject", {})
    values["subject"] = tuple(
        (f.doc, f.to_spec(subject[f.doc], doc))
        for f in DEPLOYMENT
        if f.group == "subject" and subject.get(f.doc)
    )
    return rules.DeploymentSpec(servers=tuple(servers), **values)


SUBJECT_KEYS = tuple(f.doc for f in DEPLOYMENT if f.group == "subject")

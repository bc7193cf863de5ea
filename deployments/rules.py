"""The guide's knowledge as data plus pure functions (SPEC chapters 2-5).

Nothing here touches the database: services turn models into the plain dataclasses below
(``DeploymentSpec``, ``ServerSpec``, ``ComponentSpec``) and call these functions. Every rule
cites its SPEC number so code, tests and help pages point at the same place.

Main entry points:

- ``validate_topology(spec)``           what is structurally wrong (R2.1, R2.2)
- ``required_certificates(spec)``       every certificate, its CN/SAN, signer and reason (R2-R3)
- ``trust_relationships(spec, plan)``   which certificates each component must trust (R2.3, R4)
- ``install_script(spec, plan, server)`` SFTP files, pki checks and MMP commands (R4)
- ``obtain_commands(spec, planned)``    pki csr / OpenSSL / AD CS lines for outside CAs (R3)
- ``check_deployment(...)``             the chapter 5 diagnoses, on the plan and real certs
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# ---------------------------------------------------------------------------------------------
# Vocabulary (choices shared with models.py; TextChoices are plain enums, no DB involved)
# ---------------------------------------------------------------------------------------------


class Topology(models.TextChoices):
    # SPEC R2.2
    SINGLE_COMBINED = "single_combined", gettext_lazy("Single combined server")
    SINGLE_SPLIT = "single_split", gettext_lazy("Single split (Core + Edge)")
    SCALABLE = "scalable", gettext_lazy("Scalable and resilient")


class ServerRole(models.TextChoices):
    CORE = "core", gettext_lazy("Core")
    EDGE = "edge", gettext_lazy("Edge")
    COMBINED = "combined", gettext_lazy("Combined (Core and Edge)")


class Kind(models.TextChoices):
    # SPEC R2.1
    CALL_BRIDGE = "call_bridge", gettext_lazy("Call Bridge")
    WEB_BRIDGE = "web_bridge", gettext_lazy("Web Bridge")
    XMPP = "xmpp", gettext_lazy("XMPP server")
    TURN = "turn", gettext_lazy("TURN server")
    WEB_ADMIN = "web_admin", gettext_lazy("Web Admin")
    DATABASE = "database", gettext_lazy("Database")
    LOAD_BALANCER = "load_balancer", gettext_lazy("Load balancer")
    TRUNK = "trunk", gettext_lazy("Trunk")
    RECORDER = "recorder", gettext_lazy("Recorder")
    STREAMER = "streamer", gettext_lazy("Streamer")
    H323_GATEWAY = "h323_gateway", gettext_lazy("H.323 Gateway")


class Strategy(models.TextChoices):
    DEDICATED = "dedicated", gettext_lazy("A dedicated certificate per component")
    SHARED = "shared", gettext_lazy("One certificate shared by several components (R3.5)")
    WILDCARD = "wildcard", gettext_lazy("A wildcard certificate (R2.6)")


class Signer(models.TextChoices):
    PUBLIC_CA = "public_ca", gettext_lazy("Public CA")
    INTERNAL_CA = "internal_ca", gettext_lazy("Internal CA")
    SELF_SIGNED = "self_signed", gettext_lazy("Self-signed")


class CertProfile(models.TextChoices):
    SERVER = "server", gettext_lazy("Server")
    CLIENT = "client", gettext_lazy("Client")
    SERVER_CLIENT = "server-client", gettext_lazy("Server and client")


class DatabaseRole(models.TextChoices):
    HOST = "host", gettext_lazy("Database host")
    CLIENT = "client", gettext_lazy("Remote Call Bridge (client only)")


class Purpose(models.TextChoices):
    """What a planned certificate is for; decides its recipe and the checks that apply."""

    CALL_BRIDGE = "call_bridge", gettext_lazy("Call Bridge")
    WEB_BRIDGE = "web_bridge", gettext_lazy("Web Bridge")
    XMPP = "xmpp", gettext_lazy("XMPP server")
    TURN = "turn", gettext_lazy("TURN server")
    WEB_ADMIN = "web_admin", gettext_lazy("Web Admin")
    RECORDER = "recorder", gettext_lazy("Recorder")
    STREAMER = "streamer", gettext_lazy("Streamer")
    SHARED = "shared", gettext_lazy("Shared by several components")
    WILDCARD = "wildcard", gettext_lazy("Wildcard")
    LOAD_BALANCER = "load_balancer", gettext_lazy("Load balancer")
    TRUNK = "trunk", gettext_lazy("Trunk")
    DB_SERVER = "db_server", gettext_lazy("Database cluster server")
    DB_CLIENT = "db_client", gettext_lazy("Database cluster client")


class Severity(models.TextChoices):
    ERROR = "error", gettext_lazy("Error")
    WARNING = "warning", gettext_lazy("Warning")


# SPEC R3.3 / R4.2: letters, digits, '-' and '_' only; '.' only before the extension.
BASENAME_PATTERN = r"^[A-Za-z0-9_-]+$"
_BASENAME = re.compile(BASENAME_PATTERN)
# MMP interface:port, e.g. a:4999 or lo:5222 (SPEC R4.5).
IFACE_PORT_PATTERN = r"^(?:[a-e]|lo):[0-9]{1,5}$"
_IFACE_PORT = re.compile(IFACE_PORT_PATTERN)
DB_CLIENT_CN = "postgres"  # SPEC R3.9, R4.8
INTERNAL_CA_MEMBER = "@internal-ca"  # a trust bundle member: the internal CA chain


def basename_is_valid(name: str) -> bool:
    """SPEC R3.3: letters, digits, '-' and '_' only."""
    return bool(name) and bool(_BASENAME.match(name)) and len(name) <= 100


def iface_port_is_valid(value: str) -> bool:
    """SPEC R4.5: ``<iface>:<port>`` as the MMP writes it (``a:4999``, ``lo:5222``)."""
    if not _IFACE_PORT.match(value):
        return False
    return 0 < int(value.split(":")[1]) < 65536


# ---------------------------------------------------------------------------------------------
# Component catalogue (SPEC R2.1)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindInfo:
    kind: str
    file_base: str  # name of its files when it has a dedicated certificate (R4.1)
    needs_certificate: bool
    roles: frozenset[str]  # server roles it may run on
    singleton: bool  # at most one per server
    rule: str


_ANY = frozenset({ServerRole.CORE, ServerRole.EDGE, ServerRole.COMBINED})
_CORE = frozenset({ServerRole.CORE, ServerRole.COMBINED})
_EDGE = frozenset({ServerRole.EDGE, ServerRole.COMBINED})

CATALOGUE: dict[str, KindInfo] = {
    info.kind: info
    for info in (
        KindInfo(Kind.CALL_BRIDGE, "callbridge", True, _CORE, True, "R2.1"),
        KindInfo(Kind.WEB_BRIDGE, "webbridge", True, _EDGE, True, "R2.1"),
        KindInfo(Kind.XMPP, "xmppserver", True, _CORE, True, "R2.1"),
        KindInfo(Kind.TURN, "turn", True, _EDGE, True, "R2.1"),
        KindInfo(Kind.WEB_ADMIN, "webadmin", True, _ANY, True, "R2.1"),
        KindInfo(Kind.DATABASE, "dbcluster", True, _CORE, True, "R2.1"),
        # Load balancers exist only in split deployments, on the Edge (R2.1, R4.5).
        KindInfo(
            Kind.LOAD_BALANCER, "loadbalancer", True, frozenset({ServerRole.EDGE}), False, "R2.1"
        ),
        KindInfo(Kind.TRUNK, "trunk", True, frozenset({ServerRole.CORE}), False, "R4.5"),
        KindInfo(Kind.RECORDER, "recorder", True, _ANY, True, "R2.3"),
        KindInfo(Kind.STREAMER, "streamer", True, _ANY, True, "R2.3"),
        # No certificate rules in the guide for the H.323 Gateway (R2.1).
        KindInfo(Kind.H323_GATEWAY, "h323", False, _ANY, True, "R2.1"),
    )
}

# Components that one shared or wildcard certificate may serve (R3.5, R2.6).
SHAREABLE_KINDS = (Kind.CALL_BRIDGE, Kind.WEB_BRIDGE, Kind.XMPP, Kind.TURN)
# Order of the dedicated certificates in a plan.
_DEDICATED_ORDER = (
    Kind.CALL_BRIDGE,
    Kind.WEB_BRIDGE,
    Kind.XMPP,
    Kind.TURN,
    Kind.WEB_ADMIN,
    Kind.RECORDER,
    Kind.STREAMER,
)


# ---------------------------------------------------------------------------------------------
# Inputs: a deployment as plain data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentSpec:
    kind: str
    server: str
    fqdn: str = ""
    extra_names: tuple[str, ...] = ()
    xmpp_domain: str = ""
    srv_target: str = ""
    tag: str = ""  # load balancer or trunk tag (R4.5)
    trunk_listen: str = ""  # LB: iface:port the trunks connect to
    public_listen: tuple[str, ...] = ()  # LB: iface:port list open to the public
    load_balancer: str = ""  # trunk: the tag of the LB it connects to
    edge_port: int | None = None  # trunk: port on the Edge (default: the LB's trunk port)
    database_role: str = ""  # database: host | client

    @property
    def ref(self) -> str:
        """Stable reference inside a deployment: ``core1:trunk:trunktoEdge1``, ``edge1:web_bridge``."""
        return f"{self.server}:{self.kind}" + (f":{self.tag}" if self.tag else "")

    @property
    def names(self) -> tuple[str, ...]:
        return _unique((self.fqdn, *self.extra_names))


@dataclass(frozen=True)
class ServerSpec:
    name: str
    fqdn: str
    role: str
    components: tuple[ComponentSpec, ...] = ()
    addresses: tuple[str, ...] = ()

    def has(self, kind: str) -> bool:
        return any(c.kind == kind for c in self.components)


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    domain: str
    topology: str
    servers: tuple[ServerSpec, ...] = ()
    webrtc: bool = False
    native_apps: bool = False
    lync_federation: bool = False
    lync_frontend: bool = False
    lync_fqdn: str = ""
    lync_trusted_ca: str = Signer.INTERNAL_CA
    turn_tls: bool = False
    sip_tls: bool = False
    ldap_tls: bool = False
    recording: bool = False
    streaming: bool = False
    strategy: str = Strategy.DEDICATED
    public_ca_name: str = ""
    internal_ca_name: str = ""
    key_type: str = "rsa2048"
    subject: tuple[tuple[str, str], ...] = ()  # (("O", "Example Inc."), ("C", "GB"), …)

    def components(self, *kinds: str) -> list[ComponentSpec]:
        found = [c for s in self.servers for c in s.components]
        return [c for c in found if c.kind in kinds] if kinds else found

    def server(self, name: str) -> ServerSpec | None:
        return next((s for s in self.servers if s.name == name), None)

    def component(self, ref: str) -> ComponentSpec | None:
        return next((c for c in self.components() if c.ref == ref), None)

    def load_balancer(self, tag: str) -> ComponentSpec | None:
        return next((c for c in self.components(Kind.LOAD_BALANCER) if c.tag == tag), None)

    @property
    def is_split(self) -> bool:
        return self.topology != Topology.SINGLE_COMBINED


# ---------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedCertificate:
    """One identity (key + certificate) the deployment needs."""

    basename: str
    purpose: str
    common_name: str
    san: tuple[str, ...]  # the final list, CN included once (R3.4)
    signer: str
    profile: str
    components: tuple[str, ...]  # component refs using this identity
    reason: str
    rule: str
    public_ca_required: bool = False
    key_type: str = "rsa2048"

    @property
    def key_file(self) -> str:
        return f"{self.basename}.key"

    @property
    def cert_file(self) -> str:
        return f"{self.basename}.crt"

    @property
    def bundle_file(self) -> str | None:
        """The intermediate bundle uploaded beside the certificate (none when self-signed)."""
        if self.signer == Signer.SELF_SIGNED:
            return None
        return f"{self.basename}_bundle.crt"


@dataclass(frozen=True)
class TrustLink:
    """A component that must trust the certificates (or CA chain) in ``file_name``."""

    server: str
    component: str  # ref of the trusting component
    file_name: str
    members: tuple[str, ...]  # plan basenames, or INTERNAL_CA_MEMBER
    purpose: str  # webbridge_trust | loadbalancer_trust | trunk_trust | database_ca | ...
    rule: str


@dataclass(frozen=True)
class Finding:
    severity: str
    rule: str
    component: str  # a component ref, a plan basename or a server name
    problem: str
    fix: str


@dataclass(frozen=True)
class CertificateFacts:
    """What CertDesk reads from an actual certificate (see ``certificate_facts``)."""

    common_name: str
    dns_names: tuple[str, ...]
    subject: str
    issuer: str
    self_signed: bool
    eku: frozenset[str] | None  # {"serverAuth", "clientAuth", …}; None when absent
    not_after: dt.datetime
    public_key_sha256: str
    pem: str = ""


@dataclass(frozen=True)
class UploadFile:
    name: str
    kind: str  # key | certificate | bundle | trust
    source: str  # plan basename, or INTERNAL_CA_MEMBER, or a trust bundle
    note: str = ""


@dataclass(frozen=True)
class ScriptStep:
    title: str
    rule: str
    commands: tuple[str, ...]
    expect: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstallScript:
    deployment: str
    server: str
    fqdn: str
    uploads: tuple[UploadFile, ...]
    checks: tuple[str, ...]
    steps: tuple[ScriptStep, ...]
    trust_files: tuple[TrustLink, ...] = field(default=())


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    """Drop empties and duplicates (case-insensitive), keep the first spelling and order."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return tuple(out)


def name_covers(pattern: str, name: str) -> bool:
    """Whether a certificate name (possibly ``*.domain``) covers a DNS name (R2.6)."""
    pattern, name = pattern.lower(), name.lower()
    if pattern == name:
        return True
    if pattern.startswith("*."):
        head, _sep, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


def names_cover(names: Iterable[str], name: str) -> bool:
    return any(name_covers(n, name) for n in names)


def _san_with_cn(cn: str, names: Iterable[str]) -> tuple[str, ...]:
    # SPEC R3.4: the CN joins the SAN list once; never duplicated.
    return _unique((cn, *names))


def _file_base(kind: str, server: str, count: int) -> str:
    """Name files after where they are used (R4.1): ``webadmin``, or ``core1-webadmin``."""
    base = CATALOGUE[kind].file_base
    return base if count <= 1 else f"{server}-{base}"


def _component_fqdn(spec: DeploymentSpec, comp: ComponentSpec) -> str:
    if comp.fqdn:
        return comp.fqdn
    server = spec.server(comp.server)
    return server.fqdn if server else ""


# ---------------------------------------------------------------------------------------------
# Topology (SPEC R2.1, R2.2)
# ---------------------------------------------------------------------------------------------


def validate_topology(spec: DeploymentSpec) -> list[Finding]:
    """What is structurally wrong with the servers and components (errors block a plan)."""
    findings: list[Finding] = []
    roles = [s.role for s in spec.servers]
    if spec.topology == Topology.SINGLE_COMBINED and (
        len(spec.servers) != 1 or roles != [ServerRole.COMBINED]
    ):
        findings.append(
            Finding(
                Severity.ERROR,
                "R2.2",
                spec.name,
                _("A single combined deployment has exactly one server, with the combined role."),
                _("Keep one server and set its role to combined, or choose another topology."),
            )
        )
    if spec.topology == Topology.SINGLE_SPLIT and sorted(roles) != [
        ServerRole.CORE,
        ServerRole.EDGE,
    ]:
        findings.append(
            Finding(
                Severity.ERROR,
                "R2.2",
                spec.name,
                _("A single split deployment has one Core server and one Edge server."),
                _("Set one server to the Core role and one to the Edge role."),
            )
        )
    names = [s.name for s in spec.servers]
    for server in spec.servers:
        if not basename_is_valid(server.name):
            findings.append(
                Finding(
                    Severity.ERROR,
                    "R3.3",
                    server.name,
                    _("The server name %(name)s cannot prefix file names.") % {"name": server.name},
                    _("Use only letters, digits, '-' and '_' (no dots) in server names."),
                )
            )
        if names.count(server.name) > 1:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "R4.1",
                    server.name,
                    _("Two servers are called %(name)s.") % {"name": server.name},
                    _("Give every server its own name."),
                )
            )
        for comp in server.components:
            info = CATALOGUE.get(comp.kind)
            if info is None:
                continue
            allowed = info.roles
            if comp.kind == Kind.LOAD_BALANCER and not spec.is_split:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "R2.1",
                        comp.ref,
                        _("A load balancer is only used in split deployments."),
                        _("Remove the load balancer or choose a split topology."),
                    )
                )
            elif server.role not in allowed:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        info.rule,
                        comp.ref,
                        _("%(kind)s cannot run on the %(role)s server %(server)s.")
                        % {
                            "kind": Kind(comp.kind).label,
                            "role": ServerRole(server.role).label,
                            "server": server.name,
                        },
                        _("Move it to a server with one of these roles: %(roles)s.")
                        % {"roles": ", ".join(sorted(str(ServerRole(r).label) for r in allowed))},
                    )
                )
        for kind in {c.kind for c in server.components}:
            info = CATALOGUE.get(kind)
            if info and info.singleton and sum(c.kind == kind for c in server.components) > 1:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "R2.1",
                        f"{server.name}:{kind}",
                        _("Server %(server)s runs %(kind)s twice.")
                        % {"server": server.name, "kind": Kind(kind).label},
                        _("Keep one of them."),
                    )
                )
    for trunk in spec.components(Kind.TRUNK):
        if not trunk.load_balancer or spec.load_balancer(trunk.load_balancer) is None:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "R4.5",
                    trunk.ref,
                    _("The trunk %(tag)s does not point at a load balancer of this deployment.")
                    % {"tag": trunk.tag},
                    _("Choose the Edge load balancer this trunk connects to."),
                )
            )
    for comp in spec.components(Kind.XMPP):
        if not (comp.xmpp_domain or spec.domain):
            findings.append(
                Finding(
                    Severity.ERROR,
                    "R3.7",
                    comp.ref,
                    _("The XMPP server has no XMPP domain."),
                    _("Set the XMPP domain, for example example.com."),
                )
            )
    if spec.lync_frontend and not spec.lync_fqdn:
        findings.append(
            Finding(
                Severity.ERROR,
                "R4.7",
                spec.name,
                _("Lync Front End integration is on but the FQDN configured on Lync is not set."),
                _("Enter the FQDN the Lync Front End uses for the Call Bridge."),
            )
        )
    return findings


# ---------------------------------------------------------------------------------------------
# Required certificates (SPEC R2.4, R2.5, R3.5-R3.10, R4.1)
# ---------------------------------------------------------------------------------------------


def _public_required(spec: DeploymentSpec, kind: str) -> bool:
    # SPEC R2.4: who must be trusted by clients outside the organisation.
    if kind == Kind.WEB_BRIDGE:
        return spec.webrtc
    if kind == Kind.XMPP:
        return spec.native_apps
    if kind == Kind.CALL_BRIDGE:
        return spec.lync_federation
    if kind == Kind.TURN:
        # R2.4/R3.10: like the WB's certificate, from the same CA.
        return spec.turn_tls and (spec.webrtc or not spec.components(Kind.WEB_BRIDGE))
    return False


def _reason(spec: DeploymentSpec, kind: str) -> tuple[str, str]:
    """(reason, rule) for a component's certificate, in the admin's words."""
    public = _public_required(spec, kind)
    if kind == Kind.WEB_BRIDGE:
        if public:
            return _(
                "Browsers of WebRTC users connect to the Web Bridge and must trust it."
            ), "R2.4"
        return _(
            "The Web Bridge presents it to browsers; an internal CA will do without WebRTC users outside."
        ), "R3.6"
    if kind == Kind.XMPP:
        if public:
            return _(
                "The native Meeting apps (PC, Mac, iOS) check the XMPP server's certificate."
            ), "R2.4"
        return _("The XMPP server needs a certificate; only internal clients use it."), "R3.7"
    if kind == Kind.CALL_BRIDGE:
        if spec.lync_federation:
            return _(
                "Lync federates with the Call Bridge over the public network and must trust it."
            ), "R2.4"
        if spec.lync_frontend:
            return _(
                "The Lync Front End must trust the Call Bridge; sign it with the CA Lync trusts."
            ), "R3.13"
        return _(
            "Web Bridges, Active Directory and SIP TLS peers authenticate the Call Bridge with it."
        ), "R2.5"
    if kind == Kind.TURN:
        return _(
            "TURN over TLS presents a certificate like the Web Bridge's, from the same CA."
        ), "R3.10"
    if kind == Kind.WEB_ADMIN:
        return _("Web Admin is HTTPS only, and the API goes through it."), "R2.5"
    if kind == Kind.RECORDER:
        return _(
            "The Call Bridge asks for the recorder's certificate; the recorder must trust the Call Bridge's."
        ), "R2.3"
    if kind == Kind.STREAMER:
        return _(
            "The Call Bridge asks for the streamer's certificate; the streamer must trust the Call Bridge's."
        ), "R2.3"
    return "", "R2.1"


def _signer_for(spec: DeploymentSpec, kind: str) -> str:
    if kind == Kind.CALL_BRIDGE and spec.lync_frontend and not spec.lync_federation:
        return spec.lync_trusted_ca  # R3.13: the CA the Lync Front End trusts
    if kind == Kind.TURN:
        return (
            _signer_for(spec, Kind.WEB_BRIDGE)
            if spec.components(Kind.WEB_BRIDGE)
            else (Signer.PUBLIC_CA if _public_required(spec, kind) else Signer.INTERNAL_CA)
        )  # R3.10
    return Signer.PUBLIC_CA if _public_required(spec, kind) else Signer.INTERNAL_CA


def _certified_components(spec: DeploymentSpec) -> list[ComponentSpec]:
    out = []
    for comp in spec.components():
        if comp.kind == Kind.TURN and not spec.turn_tls:
            continue  # R2.4: TURN needs a certificate only with TLS
        out.append(comp)
    return out


def _component_names(spec: DeploymentSpec, comp: ComponentSpec) -> tuple[str, str, tuple[str, ...]]:
    """(CN, extra SAN names) for a dedicated certificate of one component."""
    fqdn = _component_fqdn(spec, comp)
    if comp.kind == Kind.XMPP:
        # R3.7: CN = the SRV target; SAN = that name and the XMPP domain.
        target = comp.srv_target or fqdn
        domain = comp.xmpp_domain or spec.domain
        return target, target, (target, domain, *comp.extra_names)
    if comp.kind == Kind.CALL_BRIDGE and spec.lync_frontend and spec.lync_fqdn:
        # R4.7: CN = the FQDN configured on the Lync FE; the SAN holds it too.
        return spec.lync_fqdn, fqdn, (spec.lync_fqdn, fqdn, *comp.extra_names)
    # R3.6 (WB) and the others: CN = the component's FQDN; a SAN list must contain it.
    return fqdn, fqdn, (fqdn, *comp.extra_names)


def required_certificates(spec: DeploymentSpec) -> list[PlannedCertificate]:
    """Every certificate the deployment needs, who signs it, what goes in CN and SAN, and why."""
    plan: list[PlannedCertificate] = []
    comps = _certified_components(spec)
    shared_kinds: tuple[str, ...] = ()
    if spec.strategy in (Strategy.SHARED, Strategy.WILDCARD):
        shared_kinds = SHAREABLE_KINDS
        sharing = [c for c in comps if c.kind in shared_kinds]
        if sharing:
            plan.append(_shared_certificate(spec, sharing))

    for kind in _DEDICATED_ORDER:
        if kind in shared_kinds:
            continue
        of_kind = [c for c in comps if c.kind == kind]
        for comp in of_kind:
            cn, _fqdn, names = _component_names(spec, comp)
            reason, rule = _reason(spec, kind)
            profile = (
                CertProfile.SERVER_CLIENT
                if kind in (Kind.CALL_BRIDGE, Kind.RECORDER, Kind.STREAMER)
                else CertProfile.SERVER
            )
            plan.append(
                PlannedCertificate(
                    basename=_file_base(kind, comp.server, len(of_kind)),
                    purpose=kind,
                    common_name=cn,
                    san=_san_with_cn(cn, names),
                    signer=_signer_for(spec, kind),
                    profile=profile,
                    components=(comp.ref,),
                    reason=reason,
                    rule=rule,
                    public_ca_required=_public_required(spec, kind),
                    key_type=spec.key_type,
                )
            )

    plan.extend(_trunk_and_lb_certificates(spec))
    plan.extend(_database_certificates(spec))
    return plan


def _shared_certificate(spec: DeploymentSpec, sharing: list[ComponentSpec]) -> PlannedCertificate:
    names: list[str] = []
    for comp in sharing:
        _cn, _fqdn, extra = _component_names(spec, comp)
        names.extend(extra)
    public = any(_public_required(spec, c.kind) for c in sharing)
    if spec.strategy == Strategy.WILDCARD:
        # R2.6 / R3.7: CN *.domain, SAN *.domain + domain + names the wildcard does not cover.
        cn = f"*.{spec.domain}"
        uncovered = [n for n in names if not name_covers(cn, n)]
        san = _san_with_cn(cn, (spec.domain, *uncovered))
        basename, purpose = "wildcard", Purpose.WILDCARD
        reason = _("One wildcard certificate serves %(kinds)s.")
        rule = "R2.6"
    else:
        # R3.5: CN = the domain; SAN = the domain and every FQDN of the components using it.
        cn = spec.domain
        san = _san_with_cn(cn, (*names, spec.domain))
        basename, purpose = "shared", Purpose.SHARED
        reason = _("One certificate serves %(kinds)s; its SAN lists every one of them.")
        rule = "R3.5"
    kinds = _unique(str(Kind(c.kind).label) for c in sharing)
    signer = Signer.PUBLIC_CA if public else Signer.INTERNAL_CA
    if not public and spec.lync_frontend and any(c.kind == Kind.CALL_BRIDGE for c in sharing):
        signer = spec.lync_trusted_ca
    return PlannedCertificate(
        basename=basename,
        purpose=purpose,
        common_name=cn,
        san=san,
        signer=signer,
        profile=CertProfile.SERVER_CLIENT,
        components=tuple(c.ref for c in sharing),
        reason=reason % {"kinds": ", ".join(kinds)},
        rule=rule,
        public_ca_required=public,
        key_type=spec.key_type,
    )


def _trunk_and_lb_certificates(spec: DeploymentSpec) -> list[PlannedCertificate]:
    """R3.8/R4.1: one identity per Edge for its LBs, one per Core reused by all its trunks."""
    plan = []
    for server in spec.servers:
        lbs = [c for c in server.components if c.kind == Kind.LOAD_BALANCER]
        if lbs:
            cn = lbs[0].fqdn or server.fqdn
            plan.append(
                PlannedCertificate(
                    basename=server.name,
                    purpose=Purpose.LOAD_BALANCER,
                    common_name=cn,
                    san=_san_with_cn(cn, (n for lb in lbs for n in lb.extra_names)),
                    signer=Signer.INTERNAL_CA,
                    profile=CertProfile.SERVER_CLIENT,
                    components=tuple(c.ref for c in lbs),
                    reason=_(
                        "The Core's trunks must trust this Edge's load balancer; never shared with a trunk."
                    ),
                    rule="R3.8",
                    key_type=spec.key_type,
                )
            )
    for server in spec.servers:
        trunks = [c for c in server.components if c.kind == Kind.TRUNK]
        if trunks:
            cn = trunks[0].fqdn or server.fqdn
            plan.append(
                PlannedCertificate(
                    basename=server.name,
                    purpose=Purpose.TRUNK,
                    common_name=cn,
                    san=_san_with_cn(cn, (n for t in trunks for n in t.extra_names)),
                    signer=Signer.INTERNAL_CA,
                    profile=CertProfile.SERVER_CLIENT,
                    components=tuple(c.ref for c in trunks),
                    reason=_(
                        "The Edge load balancers must trust this Core's trunks; one identity serves all its trunks."
                    ),
                    rule="R4.1",
                    key_type=spec.key_type,
                )
            )
    return plan


def database_cluster_needed(spec: DeploymentSpec) -> bool:
    """R2.2/R3.9: the cluster certificates are what scalable/resilient deployments add."""
    hosts = [c for c in spec.components(Kind.DATABASE) if c.database_role != DatabaseRole.CLIENT]
    return spec.topology == Topology.SCALABLE and bool(hosts)


def _database_certificates(spec: DeploymentSpec) -> list[PlannedCertificate]:
    if not database_cluster_needed(spec):
        return []
    dbs = spec.components(Kind.DATABASE)
    hosts = [c for c in dbs if c.database_role != DatabaseRole.CLIENT]
    host_names = [_component_fqdn(spec, c) for c in hosts]
    cn = host_names[0]
    return [
        PlannedCertificate(
            basename="dbcluster_server",
            purpose=Purpose.DB_SERVER,
            common_name=cn,
            san=_san_with_cn(cn, host_names[1:]),
            signer=Signer.INTERNAL_CA,
            profile=CertProfile.SERVER,
            components=tuple(c.ref for c in hosts),
            reason=_(
                "Every database host presents it; CN is one host, SAN the others; same CA as the client certificate."
            ),
            rule="R3.9",
            key_type=spec.key_type,
        ),
        PlannedCertificate(
            basename="dbcluster_client",
            purpose=Purpose.DB_CLIENT,
            common_name=DB_CLIENT_CN,
            san=(),
            signer=Signer.INTERNAL_CA,
            profile=CertProfile.CLIENT,
            components=tuple(c.ref for c in dbs),
            reason=_(
                "Database hosts and remote Call Bridges log in with it; its CN must be postgres."
            ),
            rule="R3.9",
            key_type=spec.key_type,
        ),
    ]


def plan_for_component(plan: Sequence[PlannedCertificate], ref: str) -> list[PlannedCertificate]:
    return [p for p in plan if ref in p.components]


def call_bridge_certificates(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate]
) -> list[PlannedCertificate]:
    """The distinct identities used by the Call Bridges (one when they share it)."""
    refs = {c.ref for c in spec.components(Kind.CALL_BRIDGE)}
    return [p for p in plan if refs & set(p.components) and p.purpose != Purpose.DB_CLIENT]


# ---------------------------------------------------------------------------------------------
# Trust relationships (SPEC R2.3, R4.5, R4.7.1, R4.8, R4.10)
# ---------------------------------------------------------------------------------------------


def trust_relationships(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate]
) -> list[TrustLink]:
    """Who must trust whom, and the file that carries the trusted certificates."""
    links: list[TrustLink] = []
    cb_certs = call_bridge_certificates(spec, plan)
    cb_members = tuple(p.basename for p in cb_certs)
    # R4.7.1: one CB cert (or one shared) is trusted as is; several are concatenated.
    cb_file = f"{cb_members[0]}.crt" if len(cb_members) == 1 else "combined_callbridge.crt"
    by_basename = {p.basename: p for p in plan}
    if cb_members:
        for wb in spec.components(Kind.WEB_BRIDGE):
            links.append(
                TrustLink(wb.server, wb.ref, cb_file, cb_members, "webbridge_trust", "R4.7.1")
            )
        # R2.3: recorder and streamer trust the CB's certificate.
        for comp in spec.components(Kind.RECORDER, Kind.STREAMER):
            purpose = "recorder_trust" if comp.kind == Kind.RECORDER else "streamer_trust"
            links.append(TrustLink(comp.server, comp.ref, cb_file, cb_members, purpose, "R2.3"))
    # R4.5: the LB trusts the trunk certs of the Cores connecting to it, and vice versa.
    for lb in spec.components(Kind.LOAD_BALANCER):
        trunks = [t for t in spec.components(Kind.TRUNK) if t.load_balancer == lb.tag]
        members = _unique(p.basename for t in trunks for p in plan_for_component(plan, t.ref))
        if members:
            name = f"{members[0]}.crt" if len(members) == 1 else f"{lb.server}_trunks.crt"
            links.append(TrustLink(lb.server, lb.ref, name, members, "loadbalancer_trust", "R4.5"))
    for trunk in spec.components(Kind.TRUNK):
        lb = spec.load_balancer(trunk.load_balancer)
        if lb is None:
            continue
        members = tuple(p.basename for p in plan_for_component(plan, lb.ref))
        if members:
            links.append(
                TrustLink(
                    trunk.server, trunk.ref, f"{members[0]}.crt", members, "trunk_trust", "R4.5"
                )
            )
    # R4.8: every DB host and remote CB gets the internal CA certificate as its bundle.
    if "dbcluster_client" in by_basename:
        for db in spec.components(Kind.DATABASE):
            links.append(
                TrustLink(
                    db.server,
                    db.ref,
                    "dbcluster_ca.crt",
                    (INTERNAL_CA_MEMBER,),
                    "database_ca",
                    "R4.8",
                )
            )
    # R4.10: SIP and LDAP peers verified against a trust bundle on each Call Bridge.
    for cb in spec.components(Kind.CALL_BRIDGE):
        if spec.sip_tls:
            links.append(
                TrustLink(
                    cb.server,
                    cb.ref,
                    "tls_sip_trust.crt",
                    (INTERNAL_CA_MEMBER,),
                    "tls_sip",
                    "R4.10",
                )
            )
        if spec.ldap_tls:
            links.append(
                TrustLink(
                    cb.server,
                    cb.ref,
                    "tls_ldap_trust.crt",
                    (INTERNAL_CA_MEMBER,),
                    "tls_ldap",
                    "R4.10",
                )
            )
    return links


# ---------------------------------------------------------------------------------------------
# MMP command templates (SPEC R4.3-R4.11) — data, filled in by install_script()
# ---------------------------------------------------------------------------------------------

MMP = {
    "pki_list": "pki list",
    "pki_inspect": "pki inspect {cert}",
    "pki_match": "pki match {key} {cert}",
    "pki_verify": "pki verify {cert} {bundle}",
    # R4.4
    "xmpp": ("xmpp disable", "xmpp certs {key} {cert}{bundle}", "xmpp enable"),
    # R4.5 (Edge)
    "loadbalancer": (
        "loadbalancer create {tag}",
        "loadbalancer auth {tag} {key} {cert} {trust}",
        "loadbalancer trunk {tag} {trunk}",
        "loadbalancer public {tag} {public}",
        "loadbalancer enable {tag}",
    ),
    # R4.5 (Core)
    "trunk": (
        "trunk create {tag} xmpp",
        "trunk auth {tag} {key} {cert} {trust}",
        "trunk edge {tag} {edge}{port}",
        "trunk enable {tag}",
    ),
    # R4.6 + R4.7.1
    "webbridge": ("webbridge disable", "webbridge certs {key} {cert}{bundle}"),
    "webbridge_trust": ("webbridge trust {trust}",),
    "webbridge_enable": ("webbridge enable",),
    # R4.7
    "callbridge": ("callbridge certs {key} {cert}{bundle}", "callbridge restart"),
    # R4.8
    "database_host": (
        "database cluster certs {server_key} {server_cert} {client_key} {client_cert} {ca}",
        "database cluster status",
    ),
    "database_client": (
        "database cluster certs {client_key} {client_cert} {ca}",
        "database cluster status",
    ),
    # R4.9
    "turn": ("turn disable", "turn certs {key} {cert}{bundle}", "turn enable"),
    # R4.10
    "tls": ("tls {service} trust {trust}", "tls {service} verify enable", "tls {service}"),
    # R4.11
    "webadmin": ("webadmin certs {key} {cert}{bundle}", "webadmin restart"),
    # R2.3 — command names from the MMP Command Reference, not from the certificate guide.
    "recorder": (
        "recorder disable",
        "recorder certs {key} {cert}{bundle}",
        "recorder trust {trust}",
        "recorder enable",
    ),
    "streamer": (
        "streamer disable",
        "streamer certs {key} {cert}{bundle}",
        "streamer trust {trust}",
        "streamer enable",
    ),
}

# What the MMP prints on success, as SPEC quotes it.
MMP_SUCCESS = {
    "xmpp": (
        "SUCCESS: Domain configured",
        "SUCCESS: Key and certificate pair match",
        "SUCCESS: license file present",
        "SUCCESS: XMPP server enabled",
    ),  # R4.4
    "webbridge": (
        "SUCCESS: Key and certificate pair match",
        "SUCCESS: Webbridge enabled",
    ),  # R4.6
    "callbridge": (
        "SUCCESS: listen interface configured",
        "SUCCESS: Key and certificate pair match",
    ),  # R4.7
}


def _opt(bundle: str | None) -> str:
    return f" {bundle}" if bundle else ""


# ---------------------------------------------------------------------------------------------
# Install scripts per server (SPEC R4.2-R4.11)
# ---------------------------------------------------------------------------------------------


def _server_plans(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate], server: str
) -> list[PlannedCertificate]:
    refs = {c.ref for c in spec.server(server).components} if spec.server(server) else set()
    return [p for p in plan if refs & set(p.components)]


def install_script(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate], server_name: str
) -> InstallScript:
    """The files to upload to one server, the pki checks, and the MMP commands in order."""
    server = spec.server(server_name)
    if server is None:
        raise KeyError(server_name)
    trust = [t for t in trust_relationships(spec, plan) if t.server == server_name]
    mine = _server_plans(spec, plan, server_name)
    by_ref: dict[str, list[PlannedCertificate]] = {}
    for p in mine:
        for ref in p.components:
            by_ref.setdefault(ref, []).append(p)

    uploads: list[UploadFile] = []

    def add(upload: UploadFile) -> None:
        if all(u.name != upload.name for u in uploads):
            uploads.append(upload)

    for p in mine:
        add(UploadFile(p.key_file, "key", p.basename))
        add(UploadFile(p.cert_file, "certificate", p.basename))
        if p.bundle_file and p.purpose not in (Purpose.DB_SERVER, Purpose.DB_CLIENT):
            add(UploadFile(p.bundle_file, "bundle", p.basename))
    for t in trust:
        add(UploadFile(t.file_name, "trust", ",".join(t.members)))

    checks: list[str] = []
    for p in mine:
        checks.append(MMP["pki_inspect"].format(cert=p.cert_file))
        checks.append(MMP["pki_match"].format(key=p.key_file, cert=p.cert_file))
        bundle = (
            "dbcluster_ca.crt"
            if p.purpose in (Purpose.DB_SERVER, Purpose.DB_CLIENT)
            else p.bundle_file
        )
        if bundle:
            checks.append(MMP["pki_verify"].format(cert=p.cert_file, bundle=bundle))

    def ident(comp: ComponentSpec) -> PlannedCertificate | None:
        found = [p for p in by_ref.get(comp.ref, []) if p.purpose != Purpose.DB_CLIENT]
        return found[0] if found else None

    def trust_of(comp: ComponentSpec, purpose: str) -> TrustLink | None:
        return next((t for t in trust if t.component == comp.ref and t.purpose == purpose), None)

    steps: list[ScriptStep] = []
    comps = list(server.components)

    def of(kind: str) -> list[ComponentSpec]:
        return [c for c in comps if c.kind == kind]

    for comp in of(Kind.XMPP):
        p = ident(comp)
        if p:
            steps.append(
                ScriptStep(
                    _("XMPP server"),
                    "R4.4",
                    tuple(
                        line.format(key=p.key_file, cert=p.cert_file, bundle=_opt(p.bundle_file))
                        for line in MMP["xmpp"]
                    ),
                    MMP_SUCCESS["xmpp"],
                    (_("The XMPP server also needs license.dat on the server."),),
                )
            )
    for comp in of(Kind.LOAD_BALANCER):
        p, t = ident(comp), trust_of(comp, "loadbalancer_trust")
        if p:
            steps.append(
                ScriptStep(
                    _("Load balancer %(tag)s") % {"tag": comp.tag},
                    "R4.5",
                    tuple(
                        line.format(
                            tag=comp.tag,
                            key=p.key_file,
                            cert=p.cert_file,
                            trust=t.file_name if t else "<trunk-certificate>",
                            trunk=comp.trunk_listen or "a:4999",
                            public=" ".join(comp.public_listen) or "b:5222",
                        )
                        for line in MMP["loadbalancer"]
                    ),
                    (),
                    (_("The public port opens only once a trunk from a Core is connected."),),
                )
            )
    for comp in of(Kind.TRUNK):
        p, t = ident(comp), trust_of(comp, "trunk_trust")
        lb = spec.load_balancer(comp.load_balancer)
        if p and lb:
            edge_server = spec.server(lb.server)
            edge = lb.fqdn or (edge_server.fqdn if edge_server else lb.server)
            port = comp.edge_port or (
                int(lb.trunk_listen.split(":")[1]) if lb.trunk_listen else None
            )
            steps.append(
                ScriptStep(
                    _("Trunk %(tag)s to %(edge)s") % {"tag": comp.tag, "edge": lb.server},
                    "R4.5",
                    tuple(
                        line.format(
                            tag=comp.tag,
                            key=p.key_file,
                            cert=p.cert_file,
                            trust=t.file_name if t else "<load-balancer-certificate>",
                            edge=edge,
                            port=f" {port}" if port else "",
                        )
                        for line in MMP["trunk"]
                    ),
                )
            )
    for comp in of(Kind.WEB_BRIDGE):
        p, t = ident(comp), trust_of(comp, "webbridge_trust")
        if p:
            lines = [
                line.format(key=p.key_file, cert=p.cert_file, bundle=_opt(p.bundle_file))
                for line in MMP["webbridge"]
            ]
            notes = []
            if t:
                lines += [line.format(trust=t.file_name) for line in MMP["webbridge_trust"]]
                if len(t.members) > 1:
                    notes.append(
                        _(
                            "%(file)s joins the Call Bridge certificates %(files)s with no blank line between them."
                        )
                        % {"file": t.file_name, "files": ", ".join(f"{m}.crt" for m in t.members)}
                    )
                notes.append(
                    _("Afterwards the 'webbridge' command shows Trust bundle: %(file)s.")
                    % {"file": t.file_name}
                )
            lines += list(MMP["webbridge_enable"])
            steps.append(
                ScriptStep(
                    _("Web Bridge"),
                    "R4.6, R4.7.1",
                    tuple(lines),
                    MMP_SUCCESS["webbridge"],
                    tuple(notes),
                )
            )
    for comp in of(Kind.CALL_BRIDGE):
        p = ident(comp)
        if p:
            steps.append(
                ScriptStep(
                    _("Call Bridge"),
                    "R4.7",
                    tuple(
                        line.format(key=p.key_file, cert=p.cert_file, bundle=_opt(p.bundle_file))
                        for line in MMP["callbridge"]
                    ),
                    MMP_SUCCESS["callbridge"],
                )
            )
    for comp in of(Kind.DATABASE):
        t = trust_of(comp, "database_ca")
        refs = {p.purpose: p for p in by_ref.get(comp.ref, [])}
        client = refs.get(Purpose.DB_CLIENT)
        if not (t and client):
            continue
        note = _(
            "Only on a disabled cluster: if the cluster exists, run 'database cluster remove' on every server first."
        )
        if comp.database_role == DatabaseRole.CLIENT:
            lines = [
                line.format(
                    client_key=client.key_file, client_cert=client.cert_file, ca=t.file_name
                )
                for line in MMP["database_client"]
            ]
            title = _("Database cluster (remote Call Bridge)")
        else:
            srv = refs.get(Purpose.DB_SERVER)
            if srv is None:
                continue
            lines = [
                line.format(
                    server_key=srv.key_file,
                    server_cert=srv.cert_file,
                    client_key=client.key_file,
                    client_cert=client.cert_file,
                    ca=t.file_name,
                )
                for line in MMP["database_host"]
            ]
            title = _("Database cluster (host)")
        steps.append(ScriptStep(title, "R4.8", tuple(lines), (), (note,)))
    for comp in of(Kind.TURN):
        p = ident(comp)
        if p:
            steps.append(
                ScriptStep(
                    _("TURN server"),
                    "R4.9",
                    tuple(
                        line.format(key=p.key_file, cert=p.cert_file, bundle=_opt(p.bundle_file))
                        for line in MMP["turn"]
                    ),
                )
            )
    for comp in of(Kind.CALL_BRIDGE):
        for service in ("sip", "ldap"):
            t = trust_of(comp, f"tls_{service}")
            if t:
                steps.append(
                    ScriptStep(
                        _("Verify %(service)s TLS peers") % {"service": service.upper()},
                        "R4.10",
                        tuple(
                            line.format(service=service, trust=t.file_name) for line in MMP["tls"]
                        ),
                        (),
                        (
                            _(
                                "Put the CA certificates that signed the peers' certificates in %(file)s."
                            )
                            % {"file": t.file_name},
                        ),
                    )
                )
    for comp in of(Kind.WEB_ADMIN):
        p = ident(comp)
        if p:
            steps.append(
                ScriptStep(
                    _("Web Admin"),
                    "R4.11",
                    tuple(
                        line.format(key=p.key_file, cert=p.cert_file, bundle=_opt(p.bundle_file))
                        for line in MMP["webadmin"]
                    ),
                )
            )
    for kind, key in ((Kind.RECORDER, "recorder"), (Kind.STREAMER, "streamer")):
        for comp in of(kind):
            p, t = ident(comp), trust_of(comp, f"{key}_trust")
            if p:
                steps.append(
                    ScriptStep(
                        Kind(kind).label,
                        "R2.3",
                        tuple(
                            line.format(
                                key=p.key_file,
                                cert=p.cert_file,
                                bundle=_opt(p.bundle_file),
                                trust=t.file_name if t else "<callbridge-certificate>",
                            )
                            for line in MMP[key]
                        ),
                        (),
                        (
                            _(
                                "These command names come from the MMP Command Reference, not the certificate guide."
                            ),
                        ),
                    )
                )
    return InstallScript(
        deployment=spec.name,
        server=server.name,
        fqdn=server.fqdn,
        uploads=tuple(uploads),
        checks=tuple(checks),
        steps=tuple(steps),
        trust_files=tuple(trust),
    )


def render_install_text(script: InstallScript, *, obtain: Sequence[str] = ()) -> str:
    """install.txt: what an admin reads and copies, one command per line."""
    out: list[str] = [
        _("# CertDesk install script for %(server)s (%(fqdn)s), deployment %(deployment)s")
        % {"server": script.server, "fqdn": script.fqdn, "deployment": script.deployment},
        _("# Lines starting with '->' are what the MMP prints when a step succeeds."),
        "",
    ]
    if obtain:
        out.append(_("## Certificates signed outside CertDesk (R3.3, R3.12, Appendix A)"))
        out.extend(obtain)
        out.append("")
    out.append(_("## 1. Upload these files by SFTP (R4.2)"))
    out.extend(u.name for u in script.uploads)
    out.append(MMP["pki_list"])
    out.append("")
    out.append(_("## 2. Check each file before assigning it (R4.3)"))
    out.extend(script.checks)
    for number, step in enumerate(script.steps, start=3):
        out.append("")
        out.append(f"## {number}. {step.title} ({step.rule})")
        out.extend(f"# {note}" for note in step.notes)
        out.extend(step.commands)
        out.extend(f"-> {line}" for line in step.expect)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Obtaining certificates outside CertDesk (SPEC R3.3, R3.12, Appendix A)
# ---------------------------------------------------------------------------------------------

_SUBJECT_KEYS = ("OU", "O", "L", "ST", "C", "emailAddress")


def _quote(value: str) -> str:
    return f'"{value}"' if any(ch in value for ch in " \"'") else value


def obtain_commands(spec: DeploymentSpec, planned: PlannedCertificate) -> list[str]:
    """How to get this certificate from a public CA or AD CS, when CertDesk does not sign it."""
    subject = dict(spec.subject)
    attrs = [f"CN:{planned.common_name}"]
    attrs += [f"{k}:{_quote(subject[k])}" for k in _SUBJECT_KEYS if subject.get(k)]
    extra = [n for n in planned.san if n.lower() != planned.common_name.lower()]
    if extra:
        # R3.4: the CN is added to the SAN list automatically; do not repeat it.
        attrs.append("subjectAltName:" + ",".join(extra))
    slash = (
        "".join(f"/{k}={subject[k]}" for k in ("C", "ST", "L", "O", "OU") if subject.get(k))
        + f"/CN={planned.common_name}"
    )
    newkey = {
        "ec256": "ec -pkeyopt ec_paramgen_curve:P-256",
        "ec384": "ec -pkeyopt ec_paramgen_curve:P-384",
        "rsa3072": "rsa:3072",
        "rsa4096": "rsa:4096",
    }.get(planned.key_type, "rsa:2048")
    openssl = (
        f"openssl req -out {planned.basename}.csr -new -newkey {newkey} -nodes "
        f'-keyout {planned.key_file} -subj "{slash}"'
    )
    if planned.san:
        openssl += ' -addext "subjectAltName=' + ",".join(f"DNS:{n}" for n in planned.san) + '"'
    return [
        f"pki csr {planned.basename} " + " ".join(attrs),
        openssl,
        f'certreq -submit -attrib "CertificateTemplate:WebServer" {planned.basename}.csr',
    ]


# ---------------------------------------------------------------------------------------------
# Reading actual certificates
# ---------------------------------------------------------------------------------------------

_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
}


def certificate_facts(pem: str | bytes) -> CertificateFacts:
    """Read the first certificate of a PEM text into the facts the checks need."""
    data = pem.encode() if isinstance(pem, str) else pem
    cert = x509.load_pem_x509_certificate(data)
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    try:
        san_ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(san_ext.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        dns = ()
    try:
        eku_ext = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        eku: frozenset[str] | None = frozenset(_EKU_NAMES.get(o, o.dotted_string) for o in eku_ext)
    except x509.ExtensionNotFound:
        eku = None
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return CertificateFacts(
        common_name=str(cns[-1].value) if cns else "",
        dns_names=dns,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        self_signed=cert.issuer == cert.subject,
        eku=eku,
        not_after=cert.not_valid_after_utc,
        public_key_sha256=hashlib.sha256(spki).hexdigest(),
        pem=data.decode(),
    )


# ---------------------------------------------------------------------------------------------
# Checks (SPEC chapter 5 plus the constraints of chapters 3 and 4)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckContext:
    spec: DeploymentSpec
    plan: tuple[PlannedCertificate, ...]
    trust: tuple[TrustLink, ...]
    certificates: Mapping[str, CertificateFacts]  # by plan basename, only those that exist
    internal_ca_subject: str
    now: dt.datetime

    def of_purpose(self, *purposes: str) -> list[PlannedCertificate]:
        return [p for p in self.plan if p.purpose in purposes]

    def for_kind(self, kind: str) -> list[tuple[ComponentSpec, PlannedCertificate]]:
        out = []
        for comp in self.spec.components(kind):
            for p in plan_for_component(self.plan, comp.ref):
                if p.purpose != Purpose.DB_CLIENT:
                    out.append((comp, p))
        return out


def _err(rule: str, where: str, problem: str, fix: str) -> Finding:
    return Finding(Severity.ERROR, rule, where, problem, fix)


def _warn(rule: str, where: str, problem: str, fix: str) -> Finding:
    return Finding(Severity.WARNING, rule, where, problem, fix)


def check_trunk_lb_sharing(ctx: CheckContext) -> list[Finding]:
    """R5.5 / R3.8: a trunk and a load balancer never share a key/certificate pair."""
    findings = []
    trunk_refs = {c.ref for c in ctx.spec.components(Kind.TRUNK)}
    lb_refs = {c.ref for c in ctx.spec.components(Kind.LOAD_BALANCER)}
    for p in ctx.plan:
        if trunk_refs & set(p.components) and lb_refs & set(p.components):
            findings.append(
                _err(
                    "R5.5",
                    p.basename,
                    _(
                        "%(name)s is used by both a trunk and a load balancer: they cannot authenticate each other."
                    )
                    % {"name": p.basename},
                    _("Give the load balancer and the trunk separate keys and certificates."),
                )
            )
    trunk_keys = {
        ctx.certificates[p.basename].public_key_sha256: p.basename
        for p in ctx.plan
        if trunk_refs & set(p.components) and p.basename in ctx.certificates
    }
    for p in ctx.plan:
        facts = ctx.certificates.get(p.basename)
        if facts and lb_refs & set(p.components) and not trunk_refs & set(p.components):
            other = trunk_keys.get(facts.public_key_sha256)
            if other:
                findings.append(
                    _err(
                        "R5.5",
                        p.basename,
                        _(
                            "The load balancer certificate %(lb)s has the same key as the trunk certificate %(trunk)s."
                        )
                        % {"lb": p.basename, "trunk": other},
                        _("Generate a new key and certificate for the load balancer."),
                    )
                )
    return findings


def check_database_cluster(ctx: CheckContext) -> list[Finding]:
    """R3.9 / R4.8 / R6.1: DB server and client certs from one internal CA, client CN postgres."""
    findings = []
    servers = ctx.of_purpose(Purpose.DB_SERVER)
    clients = ctx.of_purpose(Purpose.DB_CLIENT)
    for p in servers + clients:
        if p.signer == Signer.SELF_SIGNED or (
            p.basename in ctx.certificates and ctx.certificates[p.basename].self_signed
        ):
            findings.append(
                _err(
                    "R6.1",
                    p.basename,
                    _(
                        "%(name)s is self-signed: the database cluster needs a CA certificate as its bundle."
                    )
                    % {"name": p.basename},
                    _("Have the internal CA sign both database certificates."),
                )
            )
    for server in servers:
        for client in clients:
            if server.signer != client.signer:
                findings.append(
                    _err(
                        "R3.9",
                        client.basename,
                        _(
                            "The database server and client certificates are planned for different signers."
                        ),
                        _("Sign both with the same internal CA."),
                    )
                )
            sf, cf = ctx.certificates.get(server.basename), ctx.certificates.get(client.basename)
            if sf and cf and sf.issuer != cf.issuer:
                findings.append(
                    _err(
                        "R3.9",
                        client.basename,
                        _(
                            "The database server and client certificates were signed by different CAs (%(a)s, %(b)s)."
                        )
                        % {"a": sf.issuer, "b": cf.issuer},
                        _(
                            "Reissue them from the same internal CA; its certificate is the cluster's bundle."
                        ),
                    )
                )
    for client in clients:
        facts = ctx.certificates.get(client.basename)
        cn = facts.common_name if facts else client.common_name
        if cn != DB_CLIENT_CN:
            findings.append(
                _err(
                    "R3.9",
                    client.basename,
                    _(
                        "The database client certificate's CN is %(cn)s, not postgres; the MMP will refuse it."
                    )
                    % {"cn": cn or "-"},
                    _("Reissue the client certificate with CN=postgres."),
                )
            )
        if facts and facts.eku is not None and "clientAuth" not in facts.eku:
            findings.append(
                _err(
                    "R3.9",
                    client.basename,
                    _(
                        "The database client certificate's extended key usage does not allow clientAuth."
                    ),
                    _("Reissue it with the client profile."),
                )
            )
    for server in servers:
        facts = ctx.certificates.get(server.basename)
        if facts and facts.eku is not None and "serverAuth" not in facts.eku:
            findings.append(
                _err(
                    "R3.9",
                    server.basename,
                    _(
                        "The database server certificate's extended key usage does not allow serverAuth."
                    ),
                    _("Reissue it with the server profile."),
                )
            )
    return findings


def check_turn_same_ca_as_webbridge(ctx: CheckContext) -> list[Finding]:
    """R3.10 / R5.3: the TURN certificate exists and comes from the Web Bridge's CA."""
    findings = []
    if not ctx.spec.turn_tls:
        return findings
    wbs = ctx.for_kind(Kind.WEB_BRIDGE)
    turns = ctx.for_kind(Kind.TURN)
    if ctx.spec.components(Kind.TURN) and not turns:
        findings.append(
            _err(
                "R5.3",
                ctx.spec.components(Kind.TURN)[0].ref,
                _("TURN over TLS is on but no certificate is planned for the TURN server."),
                _("Plan a TURN certificate like the Web Bridge's."),
            )
        )
    for _turn_comp, turn in turns:
        for _wb_comp, wb in wbs:
            if turn.basename == wb.basename:
                continue
            if turn.signer != wb.signer:
                findings.append(
                    _err(
                        "R3.10",
                        turn.basename,
                        _(
                            "The TURN certificate is planned for a different signer than the Web Bridge's; browsers may not trust it."
                        ),
                        _("Have the Web Bridge's CA sign the TURN certificate."),
                    )
                )
                break
            tf, wf = ctx.certificates.get(turn.basename), ctx.certificates.get(wb.basename)
            if tf and wf and tf.issuer != wf.issuer:
                findings.append(
                    _err(
                        "R3.10",
                        turn.basename,
                        _(
                            "The TURN certificate was issued by %(turn)s but the Web Bridge's by %(wb)s."
                        )
                        % {"turn": tf.issuer, "wb": wf.issuer},
                        _("Reissue the TURN certificate from the Web Bridge's CA."),
                    )
                )
                break
    return findings


def check_self_signed_and_public(ctx: CheckContext) -> list[Finding]:
    """R5.1 / R6.1: no self-signed certificate where a CA is needed; public CA where required."""
    findings = []
    lync_cb = ctx.spec.lync_frontend or ctx.spec.lync_federation
    cb_names = {p.basename for p in call_bridge_certificates(ctx.spec, ctx.plan)}
    for p in ctx.plan:
        facts = ctx.certificates.get(p.basename)
        self_signed = p.signer == Signer.SELF_SIGNED or (facts is not None and facts.self_signed)
        if self_signed and lync_cb and p.basename in cb_names:
            findings.append(
                _err(
                    "R6.1",
                    p.basename,
                    _("%(name)s is self-signed: Lync will not trust the Call Bridge.")
                    % {"name": p.basename},
                    _("Have the CA that Lync trusts sign it."),
                )
            )
        elif self_signed and p.public_ca_required:
            findings.append(
                _err(
                    "R5.1",
                    p.basename,
                    _(
                        "%(name)s is self-signed but clients outside must trust it: they will see 'service not trusted'."
                    )
                    % {"name": p.basename},
                    _("Reissue it signed by %(ca)s.")
                    % {"ca": ctx.spec.public_ca_name or _("a public CA")},
                )
            )
        elif p.public_ca_required and p.signer == Signer.INTERNAL_CA:
            findings.append(
                _err(
                    "R5.1",
                    p.basename,
                    _("%(name)s is planned for the internal CA but outside clients must trust it.")
                    % {"name": p.basename},
                    _("Have a public CA sign it, or switch off the option that exposes it."),
                )
            )
        elif self_signed and p.purpose not in (Purpose.DB_SERVER, Purpose.DB_CLIENT):
            findings.append(
                _warn(
                    "R6.1",
                    p.basename,
                    _(
                        "%(name)s is self-signed: fine for a test lab, but browsers warn and it is not for production."
                    )
                    % {"name": p.basename},
                    _("Have the internal CA sign it before going live."),
                )
            )
        if (
            facts
            and p.signer == Signer.INTERNAL_CA
            and ctx.internal_ca_subject
            and not facts.self_signed
            and facts.issuer != ctx.internal_ca_subject
        ):
            findings.append(
                _warn(
                    "R5.1",
                    p.basename,
                    _(
                        "%(name)s was not issued by the deployment's internal CA (issuer: %(issuer)s)."
                    )
                    % {"name": p.basename, "issuer": facts.issuer},
                    _("Make sure every client trusts that CA, or reissue from the internal CA."),
                )
            )
    return findings


def check_xmpp_names(ctx: CheckContext) -> list[Finding]:
    """R5.2 / R3.7: the XMPP certificate carries the DNS name (CN and SAN) and the domain (SAN)."""
    findings = []
    for comp, p in ctx.for_kind(Kind.XMPP):
        facts = ctx.certificates.get(p.basename)
        cn = facts.common_name if facts else p.common_name
        san = facts.dns_names if facts else p.san
        target = comp.srv_target or _component_fqdn(ctx.spec, comp)
        domain = comp.xmpp_domain or ctx.spec.domain
        if not san:
            findings.append(
                _err(
                    "R3.4",
                    p.basename,
                    _(
                        "The XMPP certificate has no subjectAltName list; native apps will report certificate errors."
                    ),
                    _("Reissue it with SAN %(target)s,%(domain)s.")
                    % {"target": target, "domain": domain},
                )
            )
            continue
        if not (name_covers(cn, target) and names_cover(san, target)):
            findings.append(
                _err(
                    "R5.2",
                    p.basename,
                    _(
                        "The XMPP certificate does not name the server %(target)s in both CN and SAN."
                    )
                    % {"target": target},
                    _("Reissue it with CN %(target)s and %(target)s in the SAN.")
                    % {"target": target},
                )
            )
        if domain.lower() not in (n.lower() for n in san):
            findings.append(
                _err(
                    "R5.2",
                    p.basename,
                    _("The XMPP certificate's SAN lacks the XMPP domain %(domain)s.")
                    % {"domain": domain},
                    _("Reissue it with %(domain)s added to the SAN.") % {"domain": domain},
                )
            )
    return findings


def check_webbridge_names(ctx: CheckContext) -> list[Finding]:
    """R5.3 / R3.6: the WB certificate names the WB's FQDN (its DNS A record)."""
    findings = []
    for comp, p in ctx.for_kind(Kind.WEB_BRIDGE):
        facts = ctx.certificates.get(p.basename)
        cn = facts.common_name if facts else p.common_name
        san = facts.dns_names if facts else p.san
        fqdn = _component_fqdn(ctx.spec, comp)
        ok = names_cover(san, fqdn) if san else name_covers(cn, fqdn)
        if not ok:
            findings.append(
                _err(
                    "R5.3",
                    p.basename,
                    _(
                        "The Web Bridge certificate does not name %(fqdn)s; browsers will show a certificate error."
                    )
                    % {"fqdn": fqdn},
                    _("Reissue it with %(fqdn)s as CN (and in the SAN list).") % {"fqdn": fqdn},
                )
            )
    return findings


def check_callbridge_trust(ctx: CheckContext) -> list[Finding]:
    """R5.4 / R4.7.1: every WB trusts every CB certificate, and none has expired."""
    findings = []
    cb_certs = call_bridge_certificates(ctx.spec, ctx.plan)
    needed = {p.basename for p in cb_certs}
    for wb in ctx.spec.components(Kind.WEB_BRIDGE):
        held: set[str] = set()
        for t in ctx.trust:
            if t.component == wb.ref and t.purpose == "webbridge_trust":
                held |= set(t.members)
        missing = sorted(needed - held)
        if missing:
            findings.append(
                _err(
                    "R5.4",
                    wb.ref,
                    _(
                        "The Web Bridge on %(server)s does not trust the Call Bridge certificate %(names)s; the Call Bridge cannot reach it."
                    )
                    % {"server": wb.server, "names": ", ".join(missing)},
                    _("Add it to the Web Bridge trust bundle with 'webbridge trust'."),
                )
            )
    for p in cb_certs:
        facts = ctx.certificates.get(p.basename)
        if facts and facts.not_after <= ctx.now:
            findings.append(
                _err(
                    "R5.4",
                    p.basename,
                    _(
                        "The Call Bridge certificate %(name)s expired on %(date)s; Web Bridges reject it."
                    )
                    % {"name": p.basename, "date": facts.not_after.date().isoformat()},
                    _(
                        "Renew it and install it on the Call Bridge and in every Web Bridge trust bundle."
                    ),
                )
            )
    return findings


def check_expired(ctx: CheckContext) -> list[Finding]:
    """R4.3: 'pki inspect' shows the validity dates; an expired certificate must be renewed."""
    cb_names = {p.basename for p in call_bridge_certificates(ctx.spec, ctx.plan)}
    findings = []
    for p in ctx.plan:
        facts = ctx.certificates.get(p.basename)
        if facts and p.basename not in cb_names and facts.not_after <= ctx.now:
            findings.append(
                _err(
                    "R4.3",
                    p.basename,
                    _("%(name)s expired on %(date)s.")
                    % {"name": p.basename, "date": facts.not_after.date().isoformat()},
                    _("Renew it and install the new certificate."),
                )
            )
    return findings


def check_lync(ctx: CheckContext) -> list[Finding]:
    """R5.6 / R3.13 / R4.7: Lync FE knows the CB by its CN and trusts the CB's CA."""
    findings = []
    spec = ctx.spec
    if not spec.lync_frontend:
        return findings
    for p in call_bridge_certificates(spec, ctx.plan):
        facts = ctx.certificates.get(p.basename)
        cn = facts.common_name if facts else p.common_name
        if spec.lync_fqdn and cn.lower() != spec.lync_fqdn.lower():
            findings.append(
                _err(
                    "R5.6",
                    p.basename,
                    _(
                        "The Call Bridge certificate's CN is %(cn)s but Lync is configured with %(fqdn)s."
                    )
                    % {"cn": cn, "fqdn": spec.lync_fqdn},
                    _(
                        "Reissue the certificate with CN %(fqdn)s, or change the FQDN on the Lync Front End."
                    )
                    % {"fqdn": spec.lync_fqdn},
                )
            )
        wrong_ca = p.signer != spec.lync_trusted_ca
        if facts and ctx.internal_ca_subject and not wrong_ca:
            from_internal = facts.issuer == ctx.internal_ca_subject
            wrong_ca = from_internal != (spec.lync_trusted_ca == Signer.INTERNAL_CA)
        if wrong_ca:
            findings.append(
                _err(
                    "R5.6",
                    p.basename,
                    _(
                        "The Call Bridge certificate is not signed by the CA the Lync Front End trusts (%(ca)s)."
                    )
                    % {"ca": Signer(spec.lync_trusted_ca).label},
                    _(
                        "Reissue it from that CA, or upload its CA certificate to the Lync servers' root store."
                    ),
                )
            )
    return findings


def check_shared_has_san(ctx: CheckContext) -> list[Finding]:
    """R3.4: a certificate shared by several components needs a SAN list."""
    findings = []
    for p in ctx.plan:
        if len(p.components) < 2 or p.purpose in (
            Purpose.DB_CLIENT,
            Purpose.TRUNK,
            Purpose.LOAD_BALANCER,
        ):
            continue
        facts = ctx.certificates.get(p.basename)
        san = facts.dns_names if facts else p.san
        if not san:
            findings.append(
                _err(
                    "R3.4",
                    p.basename,
                    _("%(name)s is shared by several components but has no subjectAltName list.")
                    % {"name": p.basename},
                    _("Reissue it with every component's FQDN in the SAN."),
                )
            )
    return findings


def check_recorder_streamer_placement(ctx: CheckContext) -> list[Finding]:
    """R2.3: the recorder and streamer belong on a server other than the Call Bridge's."""
    findings = []
    for server in ctx.spec.servers:
        if not server.has(Kind.CALL_BRIDGE):
            continue
        for comp in server.components:
            if comp.kind in (Kind.RECORDER, Kind.STREAMER):
                findings.append(
                    _warn(
                        "R2.3",
                        comp.ref,
                        _(
                            "%(kind)s runs on %(server)s together with the Call Bridge; that only suits tests or very small deployments."
                        )
                        % {"kind": Kind(comp.kind).label, "server": server.name},
                        _("Move it to another server."),
                    )
                )
    return findings


def check_san_contains_cn(ctx: CheckContext) -> list[Finding]:
    """R3.6: when a SAN list is used it must hold the CN too (clients read only the SAN)."""
    findings = []
    for p in ctx.plan:
        facts = ctx.certificates.get(p.basename)
        if (
            not facts
            or not facts.dns_names
            or not facts.common_name
            or facts.common_name == DB_CLIENT_CN
        ):
            continue
        if not names_cover(facts.dns_names, facts.common_name):
            findings.append(
                _warn(
                    "R3.6",
                    p.basename,
                    _("%(name)s has a SAN list without its CN %(cn)s.")
                    % {"name": p.basename, "cn": facts.common_name},
                    _("Reissue it with the CN in the SAN list."),
                )
            )
    return findings


# The checks, in the order they are shown. Data: add one by appending a function.
CHECKS = (
    check_trunk_lb_sharing,
    check_database_cluster,
    check_turn_same_ca_as_webbridge,
    check_self_signed_and_public,
    check_xmpp_names,
    check_webbridge_names,
    check_callbridge_trust,
    check_expired,
    check_lync,
    check_shared_has_san,
    check_san_contains_cn,
    check_recorder_streamer_placement,
)


def check_deployment(
    spec: DeploymentSpec,
    plan: Sequence[PlannedCertificate] | None = None,
    *,
    trust: Sequence[TrustLink] | None = None,
    certificates: Mapping[str, CertificateFacts] | None = None,
    internal_ca_subject: str = "",
    now: dt.datetime | None = None,
) -> list[Finding]:
    """Every finding for a deployment: topology, the plan, trust and the actual certificates.

    ``plan`` defaults to the derived plan and ``trust`` to the derived trust relationships,
    so a caller passes them only to check what is really configured.
    """
    findings = validate_topology(spec)
    plan = tuple(required_certificates(spec) if plan is None else plan)
    trust = tuple(trust_relationships(spec, plan) if trust is None else trust)
    ctx = CheckContext(
        spec=spec,
        plan=plan,
        trust=trust,
        certificates=dict(certificates or {}),
        internal_ca_subject=internal_ca_subject,
        now=now or dt.datetime.now(dt.UTC),
    )
    for check in CHECKS:
        findings.extend(check(ctx))
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == Severity.ERROR for f in findings)

"""A deployment as plain data (the inputs) and what the rules derive from it (the outputs).

Services turn models into ``DeploymentSpec``/``ServerSpec``/``ComponentSpec``; the rules
return ``PlannedCertificate``, ``TrustLink``, ``Finding``, ``InstallScript`` and friends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from certauthority.pki.files import bundle_file_name

from .catalogue import DEFAULT_KEY_TYPE, Kind, Signer, Strategy, Topology
from .naming import unique
from .packs import DEFAULT_PACK

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
        return unique((self.fqdn, *self.extra_names))


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
    key_type: str = DEFAULT_KEY_TYPE
    subject: tuple[tuple[str, str], ...] = ()  # (("O", "Example Inc."), ("C", "GB"), …)
    pack: str = DEFAULT_PACK  # the knowledge pack it is planned with (packs/)

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
    key_type: str = DEFAULT_KEY_TYPE

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
        return bundle_file_name(self.basename)


@dataclass(frozen=True)
class TrustLink:
    """A component that must trust the certificates (or CA chain) in ``file_name``."""

    server: str
    component: str  # ref of the trusting component
    file_name: str
    members: tuple[str, ...]  # plan basenames, or INTERNAL_CA_MEMBER
    purpose: str  # a TrustPurpose
    rule: str


@dataclass(frozen=True)
class Finding:
    severity: str
    rule: str
    component: str  # a component ref, a plan basename or a server name
    problem: str
    fix: str
    # When the TLS probe saw it (issue 12); None for findings on the plan and stored certs.
    seen_at: dt.datetime | None = None


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
    # The issuer (RFC 4514) at which the chain CertDesk delivers stops short of a root it
    # knows; "" when complete, declared a trusted root, or not looked at (checks/chains.py).
    chain_gap: str = ""
    # SHA-256 of the DER (hex): what the TLS probe compares with the presented leaf (R5.1).
    fingerprint_sha256: str = ""


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

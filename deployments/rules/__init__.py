"""The guide's knowledge as data plus pure functions (SPEC chapters 2-5).

Nothing here touches the database: services turn models into the plain dataclasses of
``specs`` (``DeploymentSpec``, ``ServerSpec``, ``ComponentSpec``) and call these functions. Every
rule cites its SPEC number so code, tests and help pages point at the same place.

Main entry points:

- ``validate_topology(spec)``           what is structurally wrong (R2.1, R2.2)
- ``required_certificates(spec)``       every certificate, its CN/SAN, signer and reason (R2-R3)
- ``trust_relationships(spec, plan)``   which certificates each component must trust (R2.3, R4)
- ``install_script(spec, plan, server)`` SFTP files, pki checks and MMP commands (R4)
- ``obtain_commands(spec, planned)``    pki csr / OpenSSL / AD CS lines for outside CAs (R3)
- ``check_deployment(...)``             the chapter 5 diagnoses, on the plan and real certs
- ``check_presented_chain(...)``        what a TLS endpoint presents, against the plan (issue 12)

What CertDesk knows about one component kind is its **recipe** (``recipe.Recipe``): placement,
signer, CN/SAN, keys, trust, install steps and checks, each citing its SPEC rule. The recipes of
one Meeting Server version form a **knowledge pack** (``packs/cms21/``, one module per kind); a
deployment names its pack (``DeploymentSpec.pack``), and the functions below loop over that
pack's recipes, never over a list of kinds of their own.

Modules, by concept (import from the package; the layout may change):

- ``catalogue``  vocabulary (TextChoices), name patterns, trust purposes, default key type
- ``recipe``     the shape of a recipe and of a knowledge pack
- ``packs``      the registry of packs; ``packs/cms21/`` the Meeting Server 2.1 guide
- ``specs``      the input dataclasses and the result dataclasses
- ``naming``     certificate names covering DNS names, SAN lists, file names
- ``topology``   ``validate_topology``
- ``plan``       ``required_certificates``: dedicated, shared/wildcard, per server, cluster
- ``trust``      ``trust_relationships``
- ``scripts``    ``install_script``, ``render_install_text``, ``obtain_commands``
- ``facts``      ``certificate_facts``: what CertDesk reads from a real certificate
- ``checks``     ``CheckContext``, every ``check_*``, ``CHECKS``, ``check_deployment``
"""

from __future__ import annotations

from .catalogue import (
    BASENAME_PATTERN,
    DB_CLIENT_CN,
    DEFAULT_KEY_TYPE,
    IFACE_PORT_PATTERN,
    INTERNAL_CA_MEMBER,
    LEAF_PROFILES,
    CertProfile,
    DatabaseRole,
    Kind,
    Purpose,
    ServerRole,
    Severity,
    Signer,
    Strategy,
    Topology,
    TrustPurpose,
    basename_is_valid,
    iface_port_is_valid,
)
from .checks import (
    CheckContext,
    ProbeTarget,
    check_callbridge_trust,
    check_database_cluster,
    check_deployment,
    check_expired,
    check_lync,
    check_presented_chain,
    check_recorder_streamer_placement,
    check_san_contains_cn,
    check_self_signed_and_public,
    check_shared_has_san,
    check_trunk_lb_sharing,
    check_turn_same_ca_as_webbridge,
    check_webbridge_names,
    check_xmpp_names,
    client_auth_finding,
    has_errors,
    unreachable_finding,
)
from .facts import certificate_facts
from .lifetimes import INTERNAL_TLS_DAYS, default_validity_days, public_tls_max_days
from .naming import component_fqdn, file_base, name_covers, names_cover, san_with_cn, unique
from .packs import DEFAULT_PACK, get_pack, pack_names, register_pack, unregister_pack
from .plan import (
    call_bridge_certificates,
    database_cluster_needed,
    identities_of,
    pack_of,
    plan_for_component,
    public_required,
    required_certificates,
    signer_for,
)
from .recipe import InstallStep, KnowledgePack, Names, Reason, Recipe, TrustNeed
from .scripts import (
    PKI_CHECKS,
    install_script,
    obtain_commands,
    render_install_text,
)
from .specs import (
    CertificateFacts,
    ComponentSpec,
    DeploymentSpec,
    Finding,
    InstallScript,
    PlannedCertificate,
    ScriptStep,
    ServerSpec,
    TrustLink,
    UploadFile,
)
from .topology import validate_topology
from .trust import trust_relationships

__all__ = [
    "BASENAME_PATTERN",
    "DB_CLIENT_CN",
    "DEFAULT_KEY_TYPE",
    "DEFAULT_PACK",
    "IFACE_PORT_PATTERN",
    "INTERNAL_CA_MEMBER",
    "INTERNAL_TLS_DAYS",
    "LEAF_PROFILES",
    "PKI_CHECKS",
    "CertProfile",
    "CertificateFacts",
    "CheckContext",
    "ComponentSpec",
    "DatabaseRole",
    "DeploymentSpec",
    "Finding",
    "InstallScript",
    "InstallStep",
    "Kind",
    "KnowledgePack",
    "Names",
    "PlannedCertificate",
    "ProbeTarget",
    "Purpose",
    "Reason",
    "Recipe",
    "ScriptStep",
    "ServerRole",
    "ServerSpec",
    "Severity",
    "Signer",
    "Strategy",
    "Topology",
    "TrustLink",
    "TrustNeed",
    "TrustPurpose",
    "UploadFile",
    "basename_is_valid",
    "call_bridge_certificates",
    "certificate_facts",
    "check_callbridge_trust",
    "check_database_cluster",
    "check_deployment",
    "check_expired",
    "check_lync",
    "check_presented_chain",
    "check_recorder_streamer_placement",
    "check_san_contains_cn",
    "check_self_signed_and_public",
    "check_shared_has_san",
    "check_trunk_lb_sharing",
    "check_turn_same_ca_as_webbridge",
    "check_webbridge_names",
    "check_xmpp_names",
    "client_auth_finding",
    "component_fqdn",
    "database_cluster_needed",
    "default_validity_days",
    "file_base",
    "get_pack",
    "has_errors",
    "identities_of",
    "iface_port_is_valid",
    "install_script",
    "name_covers",
    "names_cover",
    "obtain_commands",
    "pack_names",
    "pack_of",
    "plan_for_component",
    "public_required",
    "public_tls_max_days",
    "register_pack",
    "render_install_text",
    "required_certificates",
    "san_with_cn",
    "signer_for",
    "trust_relationships",
    "unique",
    "unreachable_finding",
    "unregister_pack",
    "validate_topology",
]

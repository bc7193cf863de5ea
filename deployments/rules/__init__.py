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

Modules, by concept (import from the package; the layout may change):

- ``catalogue``  vocabulary (TextChoices), name patterns, the component catalogue (R2.1)
- ``specs``      the input dataclasses and the result dataclasses
- ``naming``     certificate names covering DNS names, SAN lists, file names
- ``topology``   ``validate_topology``
- ``plan``       ``required_certificates``: dedicated, shared/wildcard, trunk/LB, database cluster
- ``trust``      ``trust_relationships``
- ``scripts``    MMP command templates, ``install_script``, ``render_install_text``,
  ``obtain_commands``
- ``facts``      ``certificate_facts``: what CertDesk reads from a real certificate
- ``checks``     ``CheckContext``, every ``check_*``, ``CHECKS``, ``check_deployment``
"""

from __future__ import annotations

from .catalogue import (
    BASENAME_PATTERN,
    CATALOGUE,
    DB_CLIENT_CN,
    IFACE_PORT_PATTERN,
    INTERNAL_CA_MEMBER,
    SHAREABLE_KINDS,
    CertProfile,
    DatabaseRole,
    Kind,
    KindInfo,
    Purpose,
    ServerRole,
    Severity,
    Signer,
    Strategy,
    Topology,
    basename_is_valid,
    iface_port_is_valid,
)
from .checks import (
    CHECKS,
    CheckContext,
    check_callbridge_trust,
    check_database_cluster,
    check_deployment,
    check_expired,
    check_lync,
    check_recorder_streamer_placement,
    check_san_contains_cn,
    check_self_signed_and_public,
    check_shared_has_san,
    check_trunk_lb_sharing,
    check_turn_same_ca_as_webbridge,
    check_webbridge_names,
    check_xmpp_names,
    has_errors,
)
from .facts import certificate_facts
from .naming import name_covers, names_cover
from .plan import (
    call_bridge_certificates,
    database_cluster_needed,
    plan_for_component,
    required_certificates,
)
from .scripts import (
    MMP,
    MMP_SUCCESS,
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
    "CATALOGUE",
    "CHECKS",
    "DB_CLIENT_CN",
    "IFACE_PORT_PATTERN",
    "INTERNAL_CA_MEMBER",
    "MMP",
    "MMP_SUCCESS",
    "PKI_CHECKS",
    "SHAREABLE_KINDS",
    "CertProfile",
    "CertificateFacts",
    "CheckContext",
    "ComponentSpec",
    "DatabaseRole",
    "DeploymentSpec",
    "Finding",
    "InstallScript",
    "Kind",
    "KindInfo",
    "PlannedCertificate",
    "Purpose",
    "ScriptStep",
    "ServerRole",
    "ServerSpec",
    "Severity",
    "Signer",
    "Strategy",
    "Topology",
    "TrustLink",
    "UploadFile",
    "basename_is_valid",
    "call_bridge_certificates",
    "certificate_facts",
    "check_callbridge_trust",
    "check_database_cluster",
    "check_deployment",
    "check_expired",
    "check_lync",
    "check_recorder_streamer_placement",
    "check_san_contains_cn",
    "check_self_signed_and_public",
    "check_shared_has_san",
    "check_trunk_lb_sharing",
    "check_turn_same_ca_as_webbridge",
    "check_webbridge_names",
    "check_xmpp_names",
    "database_cluster_needed",
    "has_errors",
    "iface_port_is_valid",
    "install_script",
    "name_covers",
    "names_cover",
    "obtain_commands",
    "plan_for_component",
    "render_install_text",
    "required_certificates",
    "trust_relationships",
    "validate_topology",
]

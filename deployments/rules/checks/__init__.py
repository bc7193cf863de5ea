"""Checks (SPEC chapter 5 plus the constraints of chapters 3 and 4), on the plan and real certs.

Each check is a function of a ``CheckContext``. The deployment's knowledge pack lists which run
and in what order (``KnowledgePack.checks``); each recipe names those that concern its kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from ..catalogue import Severity
from ..plan import pack_of, required_certificates
from ..specs import CertificateFacts, DeploymentSpec, Finding, PlannedCertificate, TrustLink
from ..topology import validate_topology
from ..trust import trust_relationships
from .chains import check_chains
from .clients import check_client_auth, client_auth_finding
from .context import CheckContext
from .names import (
    check_san_contains_cn,
    check_shared_has_san,
    check_webbridge_names,
    check_xmpp_names,
)
from .peers import check_callbridge_trust, check_expired, check_trunk_lb_sharing
from .placement import check_recorder_streamer_placement
from .probe import ProbeTarget, check_presented_chain, unreachable_finding
from .signers import (
    check_database_cluster,
    check_internal_ca_chosen,
    check_lync,
    check_self_signed_and_public,
    check_turn_same_ca_as_webbridge,
)


def check_deployment(
    spec: DeploymentSpec,
    plan: Sequence[PlannedCertificate] | None = None,
    *,
    trust: Sequence[TrustLink] | None = None,
    certificates: Mapping[str, CertificateFacts] | None = None,
    internal_ca_subject: str = "",
    internal_ca_chosen: bool | None = None,
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
        internal_ca_chosen=internal_ca_chosen,
    )
    for check in pack_of(spec).checks:
        findings.extend(check(ctx))
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == Severity.ERROR for f in findings)


__all__ = [
    "CertificateFacts",
    "CheckContext",
    "DeploymentSpec",
    "Finding",
    "Iterable",
    "Mapping",
    "PlannedCertificate",
    "ProbeTarget",
    "Sequence",
    "Severity",
    "TrustLink",
    "check_callbridge_trust",
    "check_chains",
    "check_client_auth",
    "check_database_cluster",
    "check_deployment",
    "check_expired",
    "check_internal_ca_chosen",
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
    "has_errors",
    "pack_of",
    "required_certificates",
    "trust_relationships",
    "unreachable_finding",
    "validate_topology",
]

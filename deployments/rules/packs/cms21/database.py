"""Database cluster (SPEC R2.2, R3.9, R4.8, R6.1, Appendix A)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...catalogue import (
    DB_CLIENT_CN,
    INTERNAL_CA_MEMBER,
    CertProfile,
    DatabaseRole,
    Kind,
    Purpose,
    Signer,
    Topology,
    TrustPurpose,
)
from ...checks import check_database_cluster
from ...naming import component_fqdn, san_with_cn
from ...recipe import CORE_ROLES, InstallStep, Reason, Recipe, StepInput, TrustNeed
from ...specs import DeploymentSpec, PlannedCertificate

CA_FILE = "dbcluster_ca.crt"  # R4.8: the internal CA certificate is the cluster's bundle

SERVER_REASON = Reason(
    _(
        "Every database host presents it; CN is one host, SAN the others; same CA as the client certificate."
    ),
    "R3.9",
)
CLIENT_REASON = Reason(
    _("Database hosts and remote Call Bridges log in with it; its CN must be postgres."), "R3.9"
)


def database_cluster_needed(spec: DeploymentSpec) -> bool:
    """R2.2/R3.9: the cluster certificates are what scalable/resilient deployments add."""
    hosts = [c for c in spec.components(Kind.DATABASE) if c.database_role != DatabaseRole.CLIENT]
    return spec.topology == Topology.SCALABLE and bool(hosts)


def _plan(spec: DeploymentSpec) -> list[PlannedCertificate]:
    if not database_cluster_needed(spec):
        return []
    dbs = spec.components(Kind.DATABASE)
    hosts = [c for c in dbs if c.database_role != DatabaseRole.CLIENT]
    host_names = [component_fqdn(spec, c) for c in hosts]
    cn = host_names[0]
    return [
        # R3.9: one server certificate may serve every host: CN one host, SAN the others.
        PlannedCertificate(
            basename="dbcluster_server",
            purpose=Purpose.DB_SERVER,
            common_name=cn,
            san=san_with_cn(cn, host_names[1:]),
            signer=Signer.INTERNAL_CA,
            profile=CertProfile.SERVER,
            components=tuple(c.ref for c in hosts),
            reason=str(SERVER_REASON.text),
            rule=SERVER_REASON.rule,
            key_type=spec.key_type,
        ),
        # R3.9, R4.8: the client certificate's CN is exactly postgres.
        PlannedCertificate(
            basename="dbcluster_client",
            purpose=Purpose.DB_CLIENT,
            common_name=DB_CLIENT_CN,
            san=(),
            signer=Signer.INTERNAL_CA,
            profile=CertProfile.CLIENT,
            components=tuple(c.ref for c in dbs),
            reason=str(CLIENT_REASON.text),
            rule=CLIENT_REASON.rule,
            key_type=spec.key_type,
        ),
    ]


def _cluster_ca(spec, plan, comp) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    # R4.8: every DB host and remote CB gets the internal CA certificate as its bundle.
    return (INTERNAL_CA_MEMBER,) if any(p.purpose == Purpose.DB_CLIENT for p in plan) else ()


def _values(given: StepInput, *, host: bool) -> dict[str, str] | None:
    if (given.component.database_role == DatabaseRole.CLIENT) == host:
        return None
    link = given.trust.get(TrustPurpose.DATABASE_CA)
    client = given.by_purpose.get(Purpose.DB_CLIENT)
    server = given.by_purpose.get(Purpose.DB_SERVER)
    if link is None or client is None or (host and server is None):
        return None
    values = {"client_key": client.key_file, "client_cert": client.cert_file, "ca": link.file_name}
    if server is not None:
        values |= {"server_key": server.key_file, "server_cert": server.cert_file}
    return values


_NOTE = _(
    "Only on a disabled cluster: if the cluster exists, run 'database cluster remove' on every server first."
)

RECIPE = Recipe(
    kind=Kind.DATABASE,
    rules=("R2.2", "R3.9", "R4.8", "R6.1"),
    file_base="dbcluster",
    roles=CORE_ROLES,
    has_database_role=True,
    settings=("database_role",),  # R4.8
    purpose=Purpose.DB_SERVER,
    other_purposes=(Purpose.DB_CLIENT,),
    identity="cluster",
    plan=_plan,
    own_bundle=False,  # R4.8: the cluster's bundle is the CA certificate, not an intermediate
    verify_bundle=CA_FILE,
    reasons=(SERVER_REASON, CLIENT_REASON),
    trust=(
        TrustNeed(TrustPurpose.DATABASE_CA, "R4.8", _cluster_ca, lambda c, m: CA_FILE, order=50),
    ),
    install=(
        InstallStep(
            title=_("Database cluster (host)"),
            rule="R4.8",
            order=60,
            commands=(
                "database cluster certs {server_key} {server_cert} {client_key} {client_cert} {ca}",
                "database cluster status",
            ),
            notes=(_NOTE,),
            values=lambda given: _values(given, host=True),
            needs_identity=False,
        ),
        InstallStep(
            title=_("Database cluster (remote Call Bridge)"),
            rule="R4.8",
            order=60,
            commands=(
                "database cluster certs {client_key} {client_cert} {ca}",
                "database cluster status",
            ),
            notes=(_NOTE,),
            values=lambda given: _values(given, host=False),
            needs_identity=False,
        ),
    ),
    checks=(check_database_cluster,),
)

"""Who signs what: database cluster (R3.9), TURN (R3.10), self-signed/public (R5.1, R6.1), Lync (R5.6)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..catalogue import DB_CLIENT_CN, Kind, Purpose, Signer
from ..plan import call_bridge_certificates
from ..specs import Finding
from .context import CheckContext, error, warning


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
                error(
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
                    error(
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
                    error(
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
                error(
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
                error(
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
                error(
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
    findings: list[Finding] = []
    if not ctx.spec.turn_tls:
        return findings
    wbs = ctx.for_kind(Kind.WEB_BRIDGE)
    turns = ctx.for_kind(Kind.TURN)
    if ctx.spec.components(Kind.TURN) and not turns:
        findings.append(
            error(
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
                    error(
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
                    error(
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
                error(
                    "R6.1",
                    p.basename,
                    _("%(name)s is self-signed: Lync will not trust the Call Bridge.")
                    % {"name": p.basename},
                    _("Have the CA that Lync trusts sign it."),
                )
            )
        elif self_signed and p.public_ca_required:
            findings.append(
                error(
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
                error(
                    "R5.1",
                    p.basename,
                    _("%(name)s is planned for the internal CA but outside clients must trust it.")
                    % {"name": p.basename},
                    _("Have a public CA sign it, or switch off the option that exposes it."),
                )
            )
        elif self_signed and p.purpose not in (Purpose.DB_SERVER, Purpose.DB_CLIENT):
            findings.append(
                warning(
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
                warning(
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


def check_lync(ctx: CheckContext) -> list[Finding]:
    """R5.6 / R3.13 / R4.7: Lync FE knows the CB by its CN and trusts the CB's CA."""
    findings: list[Finding] = []
    spec = ctx.spec
    if not spec.lync_frontend:
        return findings
    for p in call_bridge_certificates(spec, ctx.plan):
        facts = ctx.certificates.get(p.basename)
        cn = facts.common_name if facts else p.common_name
        if spec.lync_fqdn and cn.lower() != spec.lync_fqdn.lower():
            findings.append(
                error(
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
                error(
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


def check_internal_ca_chosen(ctx: CheckContext) -> list[Finding]:
    """R3.1 step 2: entries planned for the internal CA cannot be issued until one is chosen.

    Runs only when the caller knows whether the deployment has an internal CA (the database
    does; a plan checked on its own does not), so "no findings" never hides it (issue 10).
    """
    if ctx.internal_ca_chosen is not False:
        return []
    waiting = [
        p.basename
        for p in ctx.plan
        if p.signer == Signer.INTERNAL_CA and p.basename not in ctx.certificates
    ]
    if not waiting:
        return []
    return [
        error(
            "R3.1",
            ", ".join(waiting),
            _("%(count)d certificate(s) cannot be issued: no internal CA chosen.")
            % {"count": len(waiting)},
            _(
                "Choose the deployment's internal CA on its form, or run "
                "'manage.py deployment issue NAME --ca CA'."
            ),
        )
    ]

"""What an admin types: MMP command templates, install scripts per server (SPEC R4.2-R4.11)
and the commands that obtain a certificate outside CertDesk (SPEC R3.3, R3.12, Appendix A)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from certauthority.pki.csr import parse_csr_arguments
from certauthority.pki.keys import KeyType
from certauthority.pki.openssl_commands import csr_commands
from certauthority.pki.quoting import (
    MMP_BARE_WORD,
    Grammar,
    UnsafeValue,
    check_line,
    join_shell,
    quote,
    quote_attribute,
)

from .catalogue import DatabaseRole, Kind, Purpose
from .specs import (
    ComponentSpec,
    DeploymentSpec,
    InstallScript,
    PlannedCertificate,
    ScriptStep,
    TrustLink,
    UploadFile,
)
from .trust import trust_relationships

# ---------------------------------------------------------------------------------------------
# MMP command templates (SPEC R4.3-R4.11) — data, filled in by install_script()
# ---------------------------------------------------------------------------------------------

# R4.2, R4.3: the checks run on every uploaded file before it is assigned.
PKI_CHECKS: dict[str, str] = {
    "list": "pki list",
    "inspect": "pki inspect {cert}",
    "match": "pki match {key} {cert}",
    "verify": "pki verify {cert} {bundle}",
}

MMP: dict[str, tuple[str, ...]] = {
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


def _certs_lines(command: str, p: PlannedCertificate, **fields: object) -> tuple[str, ...]:
    """MMP[command] with the identity's key, certificate, optional bundle and ``fields``."""
    values = {"key": p.key_file, "cert": p.cert_file, "bundle": _opt(p.bundle_file), **fields}
    return tuple(line.format(**values) for line in MMP[command])


# ---------------------------------------------------------------------------------------------
# Install scripts per server (SPEC R4.2-R4.11)
# ---------------------------------------------------------------------------------------------


def _server_plans(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate], server: str
) -> list[PlannedCertificate]:
    found = spec.server(server)
    refs = {c.ref for c in found.components} if found else set()
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
    p: PlannedCertificate | None  # a plan entry, then each component's identity
    t: TrustLink | None
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
        checks.append(PKI_CHECKS["inspect"].format(cert=p.cert_file))
        checks.append(PKI_CHECKS["match"].format(key=p.key_file, cert=p.cert_file))
        bundle = (
            "dbcluster_ca.crt"
            if p.purpose in (Purpose.DB_SERVER, Purpose.DB_CLIENT)
            else p.bundle_file
        )
        if bundle:
            checks.append(PKI_CHECKS["verify"].format(cert=p.cert_file, bundle=bundle))

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
                    _certs_lines("xmpp", p),
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
                    _certs_lines(
                        "loadbalancer",
                        p,
                        tag=comp.tag,
                        trust=t.file_name if t else "<trunk-certificate>",
                        trunk=comp.trunk_listen or "a:4999",
                        public=" ".join(comp.public_listen) or "b:5222",
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
                    _certs_lines(
                        "trunk",
                        p,
                        tag=comp.tag,
                        trust=t.file_name if t else "<load-balancer-certificate>",
                        edge=edge,
                        port=f" {port}" if port else "",
                    ),
                )
            )
    for comp in of(Kind.WEB_BRIDGE):
        p, t = ident(comp), trust_of(comp, "webbridge_trust")
        if p:
            lines = list(_certs_lines("webbridge", p))
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
                    _certs_lines("callbridge", p),
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
                    _certs_lines("turn", p),
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
                    _certs_lines("webadmin", p),
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
                        _certs_lines(
                            key, p, trust=t.file_name if t else "<callbridge-certificate>"
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


# Issue 9 item 8: every line of install.txt is checked as it is written. A command is the
# template's verb followed by bare words (file names, tags, DNS names, interface:port); the
# lines for outside CAs are quoted by certauthority.pki.quoting; any other text is a comment.
MMP_VERBS = frozenset(line.split(" ")[0] for lines in MMP.values() for line in lines) | {"pki"}
OBTAIN_VERBS = frozenset({"pki", "openssl", "certreq", "python"})


def _comment(text: str) -> str:
    return quote(text, Grammar.COMMENT)


def _mmp_command(line: str) -> str:
    check_line(line)
    words = line.split(" ")
    if words[0] not in MMP_VERBS or not all(MMP_BARE_WORD.fullmatch(w) for w in words):
        raise UnsafeValue(
            _(
                "The install script would contain the line %(line)s, which is not an MMP command "
                "CertDesk writes: correct the value it came from (a tag, name or address)."
            )
            % {"line": ascii(line)}
        )
    return line


def _obtain_line(line: str) -> str:
    check_line(line)
    if not line.startswith("#") and line.split(" ")[0] not in OBTAIN_VERBS:
        raise UnsafeValue(
            _("The install script would contain the line %(line)s: correct the value it came from.")
            % {"line": ascii(line)}
        )
    return line


def _without(line: str, absent: frozenset[str]) -> str:
    """``… certs <key> <crt> <bundle>`` without a bundle that is not delivered (R4.4-R4.11)."""
    words = line.split(" ")
    if len(words) > 3 and words[-1] in absent and "certs" in words:
        return " ".join(words[:-1])
    return line


def render_install_text(
    script: InstallScript, *, obtain: Sequence[str] = (), absent: frozenset[str] = frozenset()
) -> str:
    """install.txt: what an admin reads and copies, one command per line.

    Refuses (``UnsafeValue``) rather than writes a line a value could have changed: a
    command that is not the template's verb and bare words, or any control character.
    ``absent``: intermediate bundles that will never be delivered, because the operator
    declared the certificate's issuer a root the clients trust (R1.3): they are neither
    uploaded nor named; ``pki verify`` then needs that root's certificate.
    """
    out: list[str] = [
        _("# CertDesk install script for %(server)s (%(fqdn)s), deployment %(deployment)s")
        % {
            "server": _comment(script.server),
            "fqdn": _comment(script.fqdn),
            "deployment": _comment(script.deployment),
        },
        _("# Lines starting with '->' are what the MMP prints when a step succeeds."),
        "",
    ]
    if obtain:
        out.append(_("## Certificates signed outside CertDesk (R3.3, R3.12, Appendix A)"))
        out.extend(_obtain_line(line) for line in obtain)
        out.append("")
    out.append(_("## 1. Upload these files by SFTP (R4.2)"))
    out.extend(quote(u.name, Grammar.MMP) for u in script.uploads if u.name not in absent)
    out.append(PKI_CHECKS["list"])
    out.append("")
    out.append(_("## 2. Check each file before assigning it (R4.3)"))
    for line in script.checks:
        words = line.split(" ")
        if words[:2] == ["pki", "verify"] and words[-1] in absent:
            out.append(
                _comment(
                    _(
                        "# pki verify %(cert)s <root-certificate>: its issuer is a root the "
                        "clients trust, which CertDesk does not hold; upload that root's "
                        "certificate to verify against it."
                    )
                    % {"cert": words[2]}
                )
            )
            continue
        out.append(_mmp_command(line))
    for number, step in enumerate(script.steps, start=3):
        out.append("")
        out.append(f"## {number}. {_comment(step.title)} ({_comment(step.rule)})")
        out.extend(f"# {_comment(note)}" for note in step.notes)
        out.extend(_mmp_command(_without(line, absent)) for line in step.commands)
        out.extend(f"-> {_comment(line)}" for line in step.expect)
    return "\n".join(check_line(line) for line in out) + "\n"


# ---------------------------------------------------------------------------------------------
# Obtaining certificates outside CertDesk (SPEC R3.3, R3.12, Appendix A)
# ---------------------------------------------------------------------------------------------

_SUBJECT_KEYS = ("OU", "O", "L", "ST", "C", "emailAddress")


def attach_command(spec: DeploymentSpec, planned: PlannedCertificate) -> str:
    """The command that attaches a CA's answer to this plan entry (SPEC R3.11)."""
    return join_shell(
        [
            "python",
            "manage.py",
            "deployment",
            "attach",
            spec.name,
            planned.basename,
            "answer.pem",
            "--bundle",
            "chain.pem",
        ]
    )


def obtain_commands(
    spec: DeploymentSpec,
    planned: PlannedCertificate,
    *,
    key_held: bool = False,
    csr_file: str = "",
) -> list[str]:
    """How to get this certificate from a public CA or AD CS, when CertDesk does not sign it.

    ``key_held``: CertDesk already made the entry's key, and ``csr_file`` (when set) is its
    request: then the lines say to send that file and attach the answer, and never show a
    command that makes a new key, whose answer attach would refuse (issue 9 item 3).
    """
    ca = spec.public_ca_name or _("the public CA")
    then_attach = [
        _comment(
            _(
                "# Then attach the CA's answer (the certificate, and its chain in --bundle), "
                "here or with Attach on the deployment's plan page:"
            )
        ),
        attach_command(spec, planned),
    ]
    if key_held:
        if not csr_file:
            return [
                _comment(
                    _(
                        "# %(basename)s: CertDesk holds its key; make its request with: python "
                        "manage.py deployment issue, then send the CSR to %(ca)s."
                    )
                    % {"basename": planned.basename, "ca": ca}
                ),
                join_shell(["python", "manage.py", "deployment", "issue", spec.name]),
                *then_attach,
            ]
        return [
            _comment(
                _(
                    "# %(basename)s: CertDesk made its key and request: send %(csr)s to %(ca)s "
                    "(AD CS: certreq -submit %(csr)s). Do not run pki csr or openssl req: a new key "
                    "would not match the key CertDesk holds."
                )
                % {"basename": planned.basename, "csr": csr_file, "ca": ca}
            ),
            *then_attach,
        ]
    subject = dict(spec.subject)
    attrs = [f"CN:{planned.common_name}"]
    attrs += [f"{k}:{subject[k]}" for k in _SUBJECT_KEYS if subject.get(k)]
    extra = [n for n in planned.san if n.lower() != planned.common_name.lower()]
    # R3.4: the CN is added to the SAN list automatically; do not repeat it.
    pki_words = [("CN", planned.common_name)]
    pki_words += [(k, subject[k]) for k in _SUBJECT_KEYS if subject.get(k)]
    if extra:
        pki_words.append(("subjectAltName", ",".join(extra)))
    # Appendix A: the same identity for OpenSSL, parsed by the same grammar so subject values
    # are escaped alike; its SAN always lists the CN too, as browsers require one.
    request = parse_csr_arguments(
        attrs + (["subjectAltName:" + ",".join(planned.san)] if planned.san else [])
    )
    openssl = csr_commands(planned.basename, request, KeyType.parse(planned.key_type))
    return [
        " ".join(
            ["pki", "csr", quote(planned.basename, Grammar.MMP)]
            + [quote_attribute(k, v) for k, v in pki_words]
        ),
        openssl["new_key_and_csr"],
        # R3.12; the basename is a checked file name, the template a constant.
        f'certreq -submit -attrib "CertificateTemplate:WebServer" '
        f"{quote(planned.basename, Grammar.MMP)}.csr",
    ]

"""What an admin types: install scripts per server from the recipes' MMP steps (SPEC R4.2-R4.11)
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

from .packs import get_pack, pack_names
from .plan import pack_of, presents
from .recipe import Recipe, StepInput
from .specs import (
    DeploymentSpec,
    InstallScript,
    PlannedCertificate,
    ScriptStep,
    UploadFile,
)
from .trust import trust_relationships

# R4.2, R4.3: the checks run on every uploaded file before it is assigned.
PKI_CHECKS: dict[str, str] = {
    "list": "pki list",
    "inspect": "pki inspect {cert}",
    "match": "pki match {key} {cert}",
    "verify": "pki verify {cert} {bundle}",
}


# ---------------------------------------------------------------------------------------------
# Install scripts per server (SPEC R4.2-R4.11): the steps are the recipes' ``install``
# ---------------------------------------------------------------------------------------------


def install_script(
    spec: DeploymentSpec, plan: Sequence[PlannedCertificate], server_name: str
) -> InstallScript:
    """The files to upload to one server, the pki checks, and the MMP commands in order."""
    server = spec.server(server_name)
    if server is None:
        raise KeyError(server_name)
    pack = pack_of(spec)
    trust = [t for t in trust_relationships(spec, plan) if t.server == server_name]
    refs = {c.ref for c in server.components}
    mine = [p for p in plan if refs & set(p.components)]
    by_ref: dict[str, list[PlannedCertificate]] = {}
    for p in mine:
        for ref in p.components:
            by_ref.setdefault(ref, []).append(p)

    def recipe_of(p: PlannedCertificate) -> Recipe | None:
        return next((r for r in pack.recipes if p.purpose in (r.purpose, *r.other_purposes)), None)

    uploads: list[UploadFile] = []

    def add(upload: UploadFile) -> None:
        if all(u.name != upload.name for u in uploads):
            uploads.append(upload)

    checks: list[str] = []
    for p in mine:
        recipe = pack.recipe_for_purpose(p.purpose)
        own_bundle = recipe is None or recipe.own_bundle
        add(UploadFile(p.key_file, "key", p.basename))
        add(UploadFile(p.cert_file, "certificate", p.basename))
        if p.bundle_file and own_bundle:
            add(UploadFile(p.bundle_file, "bundle", p.basename))
    for t in trust:
        add(UploadFile(t.file_name, "trust", ",".join(t.members)))
    for p in mine:
        recipe = pack.recipe_for_purpose(p.purpose)
        checks.append(PKI_CHECKS["inspect"].format(cert=p.cert_file))
        checks.append(PKI_CHECKS["match"].format(key=p.key_file, cert=p.cert_file))
        bundle = (recipe.verify_bundle if recipe else "") or p.bundle_file
        if bundle:
            checks.append(PKI_CHECKS["verify"].format(cert=p.cert_file, bundle=bundle))

    steps: list[ScriptStep] = []
    for recipe, step in pack.install_steps():
        for comp in server.components:
            if comp.kind != recipe.kind:
                continue
            entries = by_ref.get(comp.ref, [])
            given = StepInput(
                spec=spec,
                component=comp,
                identity=next((p for p in entries if presents(p)), None),
                by_purpose={p.purpose: p for p in entries},
                trust={t.purpose: t for t in trust if t.component == comp.ref},
            )
            rendered = step.render(given)
            if rendered is not None:
                title, commands, notes = rendered
                steps.append(ScriptStep(title, step.rule, commands, step.expect, notes))
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
def mmp_verbs() -> frozenset[str]:
    """The first word of every MMP command a knowledge pack's recipes can write, and ``pki``."""
    packs = [get_pack(name) for name in pack_names()]
    verbs = {
        command.split(" ")[0]
        for pack in packs
        for recipe in pack.recipes
        for step in recipe.install
        for command in step.commands
    }
    return frozenset(verbs | {"pki"})


OBTAIN_VERBS = frozenset({"pki", "openssl", "certreq", "python"})


def _comment(text: str) -> str:
    return quote(text, Grammar.COMMENT)


def _mmp_command(line: str) -> str:
    check_line(line)
    words = line.split(" ")
    if words[0] not in mmp_verbs() or not all(MMP_BARE_WORD.fullmatch(w) for w in words):
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

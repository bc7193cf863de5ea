"""What an admin types: install scripts per server from the recipes' MMP steps (SPEC R4.2-R4.11)
and the commands that obtain a certificate outside CertDesk (SPEC R3.3, R3.12, Appendix A)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from certauthority.pki.csr import parse_csr_arguments
from certauthority.pki.keys import KeyType
from certauthority.pki.openssl_commands import csr_commands

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
        recipe = recipe_of(p)
        own_bundle = recipe is None or recipe.own_bundle
        add(UploadFile(p.key_file, "key", p.basename))
        add(UploadFile(p.cert_file, "certificate", p.basename))
        if p.bundle_file and own_bundle:
            add(UploadFile(p.bundle_file, "bundle", p.basename))
    for t in trust:
        add(UploadFile(t.file_name, "trust", ",".join(t.members)))
    for p in mine:
        recipe = recipe_of(p)
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
    out.append(PKI_CHECKS["list"])
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
    # R3.4: the CN is added to the SAN list automatically; do not repeat it.
    pki_attrs = attrs + (["subjectAltName:" + ",".join(extra)] if extra else [])
    # Appendix A: the same identity for OpenSSL, parsed by the same grammar so subject values
    # are escaped alike; its SAN always lists the CN too, as browsers require one.
    request = parse_csr_arguments(
        attrs + (["subjectAltName:" + ",".join(planned.san)] if planned.san else [])
    )
    openssl = csr_commands(planned.basename, request, KeyType.parse(planned.key_type))
    return [
        f"pki csr {planned.basename} " + " ".join(pki_attrs),
        openssl["new_key_and_csr"],
        f'certreq -submit -attrib "CertificateTemplate:WebServer" {planned.basename}.csr',
    ]

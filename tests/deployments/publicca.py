"""A public-like CA made with the openssl binary: root -> intermediate -> leaf (issue 9 item 1).

OpenSSL, not CertDesk, makes every certificate here, so the tests judge CertDesk's chain
handling against certificates it had no hand in.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

_CA_EXT = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
_LEAF_EXT = (
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
    "extendedKeyUsage=serverAuth,clientAuth\n"
)


def _run(*args: str | Path, cwd: Path) -> None:
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True)


class OpenSSLPublicCA:
    """``root.crt`` signs ``inter.crt``, which signs leaves from CertDesk's CSRs."""

    def __init__(self, directory: Path, name: str = "Public-like") -> None:
        self.dir = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "ca.ext").write_text(_CA_EXT)
        (directory / "leaf.ext").write_text(_LEAF_EXT)
        ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
        _run("req", "-x509", *ec, "-keyout", "root.key", "-out", "root.crt", "-days", "3650",
             "-subj", f"/O={name} Trust/CN={name} Root CA", "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)  # fmt: skip
        _run("req", "-new", *ec, "-keyout", "inter.key", "-out", "inter.csr",
             "-subj", f"/O={name} Trust/CN={name} Issuing CA", cwd=directory)  # fmt: skip
        _run("x509", "-req", "-in", "inter.csr", "-CA", "root.crt", "-CAkey", "root.key",
             "-CAcreateserial", "-out", "inter.crt", "-days", "1825", "-extfile", "ca.ext",
             cwd=directory)  # fmt: skip
        self.root = (directory / "root.crt").read_bytes()
        self.inter = (directory / "inter.crt").read_bytes()
        self.issuer_cn = f"{name} Issuing CA"

    def sign(self, csr_pem: str, basename: str) -> Path:
        """The leaf for ``csr_pem`` (its SAN copied), as ``<basename>.pem``; returns the path."""
        csr = self.dir / f"{basename}.csr"
        csr.write_text(csr_pem)
        out = self.dir / f"{basename}.pem"
        _run("x509", "-req", "-in", csr, "-CA", "inter.crt", "-CAkey", "inter.key",
             "-CAcreateserial", "-out", out, "-days", "90", "-extfile", "leaf.ext",
             "-copy_extensions", "copyall", cwd=self.dir)  # fmt: skip
        return out

    def chain_file(self, *, root: bool = True) -> Path:
        """The CA's 'chain' download: the intermediate, and the root unless ``root=False``."""
        path = self.dir / ("chain.pem" if root else "inter-only.pem")
        path.write_bytes(self.inter + (self.root if root else b""))
        return path


def issue_with_public_answers(deployment, directory: Path):
    """Issue the deployment's internal entries, then answer each public CSR from an openssl CA.

    Returns the deployment, every plan entry holding a certificate (the zip and API tests)."""
    from deployments import selectors, services

    services.deployment_issue(deployment=deployment, actor="test")
    public = OpenSSLPublicCA(directory)
    for plan in selectors.plan_rows(deployment=deployment):
        if plan.status != "csr_ready":
            continue
        answer = public.sign(plan.signing_request.pem, plan.basename).read_bytes()
        services.plan_attach_certificate(
            plan=plan, data=answer + public.chain_file().read_bytes(), actor="test"
        )
    return deployment

"""The OpenSSL commands that do what ``pki csr`` / ``pki selfsigned`` do (SPEC Appendix A).

For administrators who generate keys on their own machines: the commands carry the
same subject (``-subj``) and subjectAltName (``-addext``) as the request, shell-quoted
by ``quoting.join_shell``.
"""

from __future__ import annotations

from .csr import CsrRequest, validate_basename
from .keys import DEFAULT_KEY_TYPE, KeyType
from .names import attribute_label, openssl_general_name
from .quoting import join_shell


def _newkey(key_type: KeyType) -> list[str]:
    if key_type is KeyType.EC256:
        return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    if key_type is KeyType.EC384:
        return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]
    bits = {KeyType.RSA2048: 2048, KeyType.RSA3072: 3072, KeyType.RSA4096: 4096}[key_type]
    return ["-newkey", f"rsa:{bits}"]


def openssl_subject(request: CsrRequest) -> str:
    """``/C=GB/O=Example Inc./CN=www.example.com``: the subject in ``-subj`` syntax."""
    parts = []
    for attribute in request.subject():
        # OpenSSL's -subj reads '/' as a new RDN and '+' as another attribute of this one
        # (an OU of "R&D+CN=evil" would add a CN); a backslash makes either plain text.
        value = str(attribute.value)
        value = value.replace("\\", "\\\\").replace("/", "\\/").replace("+", "\\+")
        parts.append(f"/{attribute_label(attribute.oid)}={value}")
    return "".join(parts)


def _subject_and_san(request: CsrRequest) -> list[str]:
    subject = openssl_subject(request)
    # Without -utf8, OpenSSL reads -subj bytes as Latin-1: "Zürich" would become "ZÃ¼rich".
    args = (["-utf8"] if not subject.isascii() else []) + ["-subj", subject]
    if request.alt_names:
        san = ",".join(openssl_general_name(name) for name in request.alt_names)
        args += ["-addext", f"subjectAltName={san}"]
    return args


def _join(args: list[str]) -> str:
    # One quoting rule for every command CertDesk writes; a value with a control character
    # (a line break in O, say) is refused, not quoted (issue 9 item 8).
    return join_shell(args)


def csr_commands(
    basename: str, request: CsrRequest, key_type: KeyType = DEFAULT_KEY_TYPE
) -> dict[str, str]:
    """Shell commands keyed by purpose: ``new_key_and_csr``, ``csr_for_existing_key``."""
    validate_basename(basename)
    key, csr = f"{basename}.key", f"{basename}.csr"
    names = _subject_and_san(request)
    return {
        "new_key_and_csr": _join(
            [
                "openssl",
                "req",
                "-out",
                csr,
                "-new",
                *_newkey(key_type),
                "-nodes",
                "-keyout",
                key,
                "-sha256",
                *names,
            ]
        ),
        "csr_for_existing_key": _join(
            ["openssl", "req", "-out", csr, "-key", key, "-new", "-sha256", *names]
        ),
    }


def selfsigned_command(
    basename: str,
    request: CsrRequest,
    days: int,
    key_type: KeyType = DEFAULT_KEY_TYPE,
) -> str:
    """The ``openssl req -x509`` command for a self-signed certificate (SPEC R6.1)."""
    validate_basename(basename)
    args = [
        "openssl",
        "req",
        "-x509",
        "-nodes",
        "-days",
        str(days),
        *_newkey(key_type),
        "-keyout",
        f"{basename}.key",
        "-out",
        f"{basename}.crt",
        "-sha256",
        *_subject_and_san(request),
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "extendedKeyUsage=serverAuth,clientAuth",
    ]
    return _join(args)

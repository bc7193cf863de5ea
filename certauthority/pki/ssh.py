"""OpenSSH public key lines (SPEC Appendix C ``pki pkcs12-to-ssh``)."""

from __future__ import annotations

import re

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .errors import PKIError
from .pkcs12 import load_pkcs12

SshPublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
_SSH_PREFIXES = (b"ssh-rsa ", b"ssh-ed25519 ", b"ecdsa-sha2-", b"ssh-dss ", b"sk-")
_COMMENT = re.compile(r"^[A-Za-z0-9._@+-]*$")


def looks_like_ssh_public_key(data: bytes) -> bool:
    return data.lstrip().startswith(_SSH_PREFIXES)


def load_ssh_public_key(data: bytes) -> SshPublicKey:
    """Load the first line of an OpenSSH ``authorized_keys``-style public key."""
    line = data.strip().splitlines()[0] if data.strip() else b""
    try:
        key = serialization.load_ssh_public_key(line)
    except (ValueError, IndexError):
        raise PKIError("The file is not a readable OpenSSH public key.") from None
    except Exception:  # unsupported key types such as DSA or security keys
        raise PKIError("The OpenSSH public key is of a type CertDesk does not support.") from None
    if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)):
        raise PKIError("The OpenSSH public key is of a type CertDesk does not support.")
    return key


def ssh_public_key_line(
    source: SshPublicKey | x509.Certificate | object, comment: str | None = None
) -> str:
    """``ssh-rsa AAAA… comment``: the OpenSSH form of a public key, a certificate's key or a
    private key's public half. No trailing newline."""
    public: object
    if isinstance(source, x509.Certificate):
        public = source.public_key()
    elif hasattr(source, "public_key"):
        public = source.public_key()  # type: ignore[union-attr]
    else:
        public = source
    if not isinstance(
        public, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)
    ):
        raise PKIError("This key type has no OpenSSH form: use RSA, EC or Ed25519.")
    try:
        line = public.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode("ascii")
    except ValueError:
        raise PKIError("This key has no OpenSSH form (EC keys must be P-256, P-384 or P-521).")
    if comment:
        if not _COMMENT.fullmatch(comment):
            raise PKIError("The SSH key comment may contain only letters, digits and ._@+-.")
        line = f"{line} {comment}"
    return line


def pkcs12_to_ssh(data: bytes, password: bytes | None, comment: str | None = None) -> str:
    """The OpenSSH public key line for the key in a PKCS#12 file (everything else dropped)."""
    contents = load_pkcs12(data, password)
    if contents.key is not None:
        return ssh_public_key_line(contents.key, comment)
    if contents.certificate is not None:
        return ssh_public_key_line(contents.certificate, comment)
    raise PKIError("The PKCS#12 file holds neither a key nor a certificate.")

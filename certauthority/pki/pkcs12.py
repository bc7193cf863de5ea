"""PKCS#12 (.p12/.pfx) files: recognising and opening them (SPEC Appendix C ``pkcs12-to-ssh``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from .errors import PasswordRequired, PKIError, WrongPassword
from .pbe import check_pkcs12, opens_encrypted_parts

# id-data and id-signedData: the content types a PFX's authSafe may carry (RFC 7292).
_ID_DATA = bytes.fromhex("06092a864886f70d010701")
_ID_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")


@dataclass
class Pkcs12Contents:
    """What a PKCS#12 file holds: usually one key, its certificate and a chain."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | None
    certificate: x509.Certificate | None
    additional_certificates: list[x509.Certificate] = field(default_factory=list)


def _read_length(data: bytes, offset: int) -> tuple[int, int]:
    """Decode a DER length at ``offset``; return (length, offset after it)."""
    if offset >= len(data):
        raise ValueError("truncated")
    first = data[offset]
    offset += 1
    if first < 0x80:
        return first, offset
    count = first & 0x7F
    if count == 0 or count > 4 or offset + count > len(data):
        raise ValueError("bad length")
    return int.from_bytes(data[offset : offset + count], "big"), offset + count


def is_pkcs12(data: bytes) -> bool:
    """Whether ``data`` is shaped like a DER PFX: SEQUENCE { INTEGER 3, ContentInfo … }."""
    try:
        if not data or data[0] != 0x30:
            return False
        length, offset = _read_length(data, 1)
        if offset + length != len(data):
            return False
        if data[offset : offset + 3] != b"\x02\x01\x03":
            return False
        offset += 3
        if data[offset] != 0x30:
            return False
        _, offset = _read_length(data, offset + 1)
        oid = data[offset : offset + len(_ID_DATA)]
        return oid in (_ID_DATA, _ID_SIGNED_DATA)
    except (ValueError, IndexError):
        return False


def load_pkcs12(data: bytes, password: bytes | None) -> Pkcs12Contents:
    """Open a PKCS#12 file; WrongPassword / PasswordRequired when the password does not fit."""
    if not is_pkcs12(data):
        raise PKIError("The file is not a PKCS#12 (.p12/.pfx) file.")
    encrypted = check_pkcs12(data)  # iteration counts, before any key derivation (issue 9)
    attempts: list[bytes | None] = [password] if password is not None else [None, b""]
    # A key bag may hide inside encrypted contents: look there first, with each password.
    attempts = [a for a in attempts if opens_encrypted_parts(encrypted, a)]
    for attempt in attempts:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, attempt)
        except ValueError:
            continue
        except Exception:  # an algorithm cryptography does not support, for instance
            raise PKIError(
                "The PKCS#12 file uses an encryption CertDesk cannot read: export it again "
                "with AES-256 and SHA-256."
            ) from None
        if key is not None and not isinstance(
            key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
        ):
            raise PKIError("The PKCS#12 file holds a key type CertDesk does not support.")
        return Pkcs12Contents(key=key, certificate=cert, additional_certificates=list(extra))
    if password is None:
        raise PasswordRequired("The PKCS#12 file is protected by a password: supply it.")
    raise WrongPassword("The password does not open this PKCS#12 file: check it and try again.")


# PKCS#12 passwords: as for PKCS#8 (keys.MAX_PASSWORD_BYTES), and never empty: an export
# without a password is what the PEM downloads are for.
PKCS12_MIN_PASSWORD = 8
PKCS12_MAX_PASSWORD_BYTES = 1023


def pkcs12_build(
    *,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | None,
    password: bytes,
    name: str,
    legacy: bool = False,
) -> bytes:
    """A PKCS#12 file: the certificate, its chain and (when given) its key.

    Modern: AES-256-CBC under PBKDF2-HMAC-SHA256 for keys and certificates, a SHA-256 MAC
    (OpenSSL 3's default). ``legacy``: 3DES with a SHA-1 MAC, for old importers (Windows
    Server 2012, Java 8 before 8u301, old macOS keychains) that cannot read the modern one.
    """
    if len(password) < PKCS12_MIN_PASSWORD:
        raise PKIError(
            f"A PKCS#12 file needs a password of at least {PKCS12_MIN_PASSWORD} characters."
        )
    if len(password) > PKCS12_MAX_PASSWORD_BYTES:
        raise PKIError(
            f"The password is {len(password)} bytes long; PKCS#12 takes at most "
            f"{PKCS12_MAX_PASSWORD_BYTES}: choose a shorter one."
        )
    if legacy:
        algorithm = serialization.PrivateFormat.PKCS12.encryption_builder().key_cert_algorithm(
            pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC
        )
        algorithm = algorithm.hmac_hash(hashes.SHA1())  # noqa: S303 (the legacy format asked for)
    else:
        algorithm = serialization.PrivateFormat.PKCS12.encryption_builder().key_cert_algorithm(
            pkcs12.PBES.PBESv2SHA256AndAES256CBC
        )
        algorithm = algorithm.hmac_hash(hashes.SHA256())
    encryption = algorithm.kdf_rounds(2048 if legacy else 600_000).build(password)
    return pkcs12.serialize_key_and_certificates(
        name.encode("utf-8")[:64] or None, key, certificate, chain or None, encryption
    )

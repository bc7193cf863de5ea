"""Private key generation, loading and serialisation (SPEC R1.1, R3.3, Appendix B)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from .errors import PasswordRequired, PKIError, WrongPassword
from .pbe import check_encrypted_private_key
from .pem import pem_blocks, pem_body

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

MIN_RSA_BITS = 2048


class KeyType(enum.StrEnum):
    """Key types CertDesk generates. RSA 2048 is the guide's default (SPEC Appendix A)."""

    RSA2048 = "rsa2048"
    RSA3072 = "rsa3072"
    RSA4096 = "rsa4096"
    EC256 = "ec256"
    EC384 = "ec384"

    @classmethod
    def parse(cls, value: str) -> KeyType:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(k.value for k in cls)
            raise PKIError(f"Unknown key type '{value}': choose one of {choices}.") from None


DEFAULT_KEY_TYPE = KeyType.RSA2048


def generate_private_key(key_type: KeyType | str = DEFAULT_KEY_TYPE) -> PrivateKey:
    """Generate a new private key of the given type."""
    key_type = KeyType.parse(key_type) if isinstance(key_type, str) else key_type
    if key_type is KeyType.EC256:
        return ec.generate_private_key(ec.SECP256R1())
    if key_type is KeyType.EC384:
        return ec.generate_private_key(ec.SECP384R1())
    bits = {KeyType.RSA2048: 2048, KeyType.RSA3072: 3072, KeyType.RSA4096: 4096}[key_type]
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def key_type_of(key: PrivateKey | PublicKey) -> KeyType | None:
    """The KeyType matching an existing key, or None for sizes/curves we do not generate."""
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return {2048: KeyType.RSA2048, 3072: KeyType.RSA3072, 4096: KeyType.RSA4096}.get(
            key.key_size
        )
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return {"secp256r1": KeyType.EC256, "secp384r1": KeyType.EC384}.get(key.curve.name)
    return None


def describe_key(key: PrivateKey | PublicKey) -> str:
    """Human description such as 'RSA 2048 bits' or 'EC P-256'."""
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return f"RSA {key.key_size} bits"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        curve = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(
            key.curve.name, key.curve.name
        )
        return f"EC {curve}"
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "Ed25519"
    if isinstance(key, (ed448.Ed448PrivateKey, ed448.Ed448PublicKey)):
        return "Ed448"
    return type(key).__name__


def check_key_strength(key: object) -> None:
    """Refuse keys CertDesk will not use or sign for: RSA below 2048 bits, unknown kinds."""
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        if key.key_size < MIN_RSA_BITS:
            raise PKIError(
                f"RSA key of {key.key_size} bits is too weak: use at least {MIN_RSA_BITS} bits."
            )
        return
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return
    raise PKIError(f"Unsupported key type {describe_key(key)}: use RSA (2048 bits or more) or EC.")  # type: ignore[arg-type]


def check_key_work_factor(data: bytes) -> None:
    """Refuse an encrypted PKCS#8 key (PEM or DER) whose PBKDF2 iteration count or scrypt
    cost is above the bounds of ``pbe.py``, before anything is derived (issue 9)."""
    if data.lstrip().startswith(b"-----BEGIN"):
        for block in pem_blocks(data):
            if block.label == "ENCRYPTED PRIVATE KEY":
                check_encrypted_private_key(pem_body(block))
    else:
        check_encrypted_private_key(data)


def load_private_key(data: bytes, password: bytes | None = None) -> PrivateKey:
    """Load a PEM or DER private key (PKCS#8, PKCS#1 or SEC1), plain or encrypted."""
    if password is not None:
        check_key_work_factor(data)
    loaders: tuple[Callable[..., Any], ...] = (
        serialization.load_pem_private_key,
        serialization.load_der_private_key,
    )
    if data.lstrip().startswith(b"-----BEGIN"):
        loaders = (serialization.load_pem_private_key,)
    last_error: Exception | None = None
    for loader in loaders:
        try:
            key = loader(data, password=password)
        except TypeError as exc:
            # Raised when the key is encrypted and no password was given, or vice versa.
            if password is None:
                raise PasswordRequired(
                    "The private key is encrypted: supply its password."
                ) from exc
            last_error = exc
            continue
        except (ValueError, IndexError) as exc:
            last_error = exc
            continue
        except UnsupportedAlgorithm:
            raise PKIError(
                "The private key uses an algorithm or curve CertDesk does not support: use RSA "
                "(2048 bits or more) or EC P-256/P-384."
            ) from None
        if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
            raise PKIError(f"Unsupported private key type {describe_key(key)}: use RSA or EC.")
        return key
    if password is not None and b"ENCRYPTED" in data:
        raise WrongPassword(
            "The password does not decrypt this private key: check it and try again."
        )
    if password is not None and last_error is not None and "password" in str(last_error).lower():
        raise WrongPassword(
            "The password does not decrypt this private key: check it and try again."
        )
    raise PKIError(
        "The file is not a readable private key (expected PEM or DER, PKCS#8/PKCS#1/SEC1)."
    )


# OpenSSL's PKCS#8 encryption refuses longer passwords (ValueError from cryptography).
MAX_PASSWORD_BYTES = 1023


def private_key_to_pem(key: PrivateKey, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted with the best available scheme when a password is given."""
    if password and len(password) > MAX_PASSWORD_BYTES:
        raise PKIError(
            f"The password is {len(password)} bytes long; PKCS#8 encryption takes at most "
            f"{MAX_PASSWORD_BYTES}: choose a shorter one."
        )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_key_to_pem(key: PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_fingerprint(key: PublicKey) -> str:
    """SHA-256 over the DER SubjectPublicKeyInfo, hex: identifies a key pair across files."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex()


def keys_match(private_key: PrivateKey, public_key: PublicKey) -> bool:
    """Whether the private key is the other half of this public key (SPEC R4.3 `pki match`)."""
    return public_key_fingerprint(private_key.public_key()) == public_key_fingerprint(public_key)

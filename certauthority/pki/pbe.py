"""Bounds on password-based key derivation, read before anything is derived (issue 9).

An encrypted PKCS#8 key or a PKCS#12 file names its own work factor: a PBKDF2 or PKCS#12
iteration count, or scrypt's N, r and p. A file that asks for 2^31-1 iterations keeps a
worker busy for hours; a huge scrypt N asks for gigabytes. These functions read the
parameters with the linear DER reader (``der.py``) and refuse the file with a message that
says how to fix it, before ``cryptography`` derives a single key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4, TripleDES
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from . import der
from .errors import PKIError, WorkFactorTooHigh
from .rc2 import rc2_cbc_decrypt

# One bound for every iteration count (PBKDF2, PKCS#5 v1.5 PBE, PKCS#12 PBE and MAC).
# Real exports use 2048 (OpenSSL) to 600,000 (OWASP's PBKDF2-SHA256 advice); 10 million
# still derives in a few seconds.
MAX_ITERATIONS = 10_000_000
# scrypt: memory is 128 * N * r bytes; the work is N * r * p. OpenSSL's -scrypt uses
# N=16384, r=8, p=1 (16 MiB); these bounds allow 64 times that.
MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024
MAX_SCRYPT_WORK = 16384 * 8 * 64

_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_PBMAC1 = "1.2.840.113549.1.5.14"
_SCRYPT = "1.3.6.1.4.1.11591.4.11"
_PBES1_PREFIX = "1.2.840.113549.1.5."  # pbeWithMD5AndDES-CBC and friends: (salt, count)
_PKCS12_PBE_PREFIX = "1.2.840.113549.1.12.1."  # pbeWithSHAAnd3-KeyTripleDES-CBC and friends

_DATA = "1.2.840.113549.1.7.1"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"

_REEXPORT_KEY = (
    "convert it again with a normal count, e.g. "
    "'openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 2048 -in key.pem -out key-new.pem'."
)
_REEXPORT_P12 = (
    "export it again with a normal count, e.g. "
    "'openssl pkcs12 -export -iter 2048 -in cert.pem -inkey key.pem -out new.p12'."
)


def _too_many(what: str, count: int, fix: str) -> PKIError:
    return WorkFactorTooHigh(
        f"The {what} asks for {count:,} key-derivation iterations; CertDesk accepts at most "
        f"{MAX_ITERATIONS:,}, so that one file cannot keep the server busy: {fix}"
    )


def _iterations(element: der.Element, what: str, fix: str) -> None:
    try:
        count = der.integer(element, max_bytes=8)
    except der.DerError:
        count = MAX_ITERATIONS + 1  # a negative or a 9-byte count is not a normal file
    if count > MAX_ITERATIONS:
        raise _too_many(what, count, fix)


def _check_kdf(kdf: der.Element, what: str, fix: str) -> None:
    """PBKDF2 or scrypt parameters inside PBES2 / PBMAC1."""
    parts = kdf.expect(der.SEQUENCE, "KeyDerivationFunc").children()
    name = der.oid(parts[0])
    if len(parts) < 2:
        raise der.DerError("KDF parameters missing")
    params = parts[1].expect(der.SEQUENCE, "KDF parameters").children()
    if name == _PBKDF2:
        _iterations(params[1], what, fix)
    elif name == _SCRYPT:
        cost, block, parallel = (der.integer(p, max_bytes=8) for p in params[1:4])
        if 128 * cost * block > MAX_SCRYPT_MEMORY or cost * block * parallel > MAX_SCRYPT_WORK:
            raise WorkFactorTooHigh(
                f"The {what} asks scrypt for N={cost}, r={block}, p={parallel}: more memory or "
                f"work than CertDesk allows (N*r*p at most {MAX_SCRYPT_WORK:,}, 128*N*r bytes "
                f"at most {MAX_SCRYPT_MEMORY // (1024 * 1024)} MiB). {fix[0].upper()}{fix[1:]}"
            )


def check_algorithm(algorithm: der.Element, what: str, fix: str) -> None:
    """Refuse a password-based encryption AlgorithmIdentifier whose work factor is too high.

    ``what`` names the thing ("encrypted private key"), ``fix`` says how to make a new one.
    Algorithms without a work factor pass; ``cryptography`` judges them afterwards.
    """
    parts = algorithm.expect(der.SEQUENCE, "AlgorithmIdentifier").children()
    if not parts:
        raise der.DerError("empty AlgorithmIdentifier")
    name = der.oid(parts[0])
    if name in (_PBES2, _PBMAC1):
        params = parts[1].expect(der.SEQUENCE, "PBES2 parameters").children()
        _check_kdf(params[0], what, fix)
    elif name.startswith((_PBES1_PREFIX, _PKCS12_PBE_PREFIX)) and len(parts) > 1:
        params = parts[1].expect(der.SEQUENCE, "PBE parameters").children()
        if len(params) >= 2:
            _iterations(params[1], what, fix)


def check_encrypted_private_key(data: bytes) -> None:
    """PKCS#8 EncryptedPrivateKeyInfo (DER): refuse a work factor above the bounds.

    Data that does not parse is left to ``cryptography``, which says it is not a key.
    """
    try:
        top = der.parse(data).expect(der.SEQUENCE, "EncryptedPrivateKeyInfo").children()
        if len(top) != 2 or top[1].tag != der.OCTET_STRING:
            return
        check_algorithm(top[0], "encrypted private key", _REEXPORT_KEY)
    except (der.DerError, IndexError):
        return


def _check_safe_contents(data: bytes, depth: int = 0) -> None:
    if depth > 4:
        raise PKIError("The PKCS#12 file nests its contents too deeply: " + _REEXPORT_P12)
    for bag in der.parse(data).expect(der.SEQUENCE, "SafeContents").children():
        parts = bag.expect(der.SEQUENCE, "SafeBag").children()
        bag_id = der.oid(parts[0])
        if bag_id == _SHROUDED_KEY_BAG:
            value = der.explicit(parts[1], 0).expect(der.SEQUENCE, "EncryptedPrivateKeyInfo")
            check_algorithm(
                value.children()[0], "private key encryption of the PKCS#12 file", _REEXPORT_P12
            )
        elif bag_id == _SAFE_CONTENTS_BAG:
            _check_safe_contents(der.explicit(parts[1], 0).raw, depth + 1)


def check_pkcs12(data: bytes) -> list[EncryptedPart]:
    """Read a PFX's MAC iteration count and every visible PBE parameter; refuse the file
    when one is above the bounds. Raise PKIError too when the structure does not parse:
    a PFX CertDesk cannot read safely is not handed to ``cryptography`` either.

    Return the encrypted parts, for :func:`opens_encrypted_parts`."""
    found: list[EncryptedPart] = []
    try:
        pfx = der.parse(data).expect(der.SEQUENCE, "PFX").children()
        auth_safe = pfx[1].expect(der.SEQUENCE, "ContentInfo").children()
        if len(pfx) > 2:
            mac_data = pfx[2].expect(der.SEQUENCE, "MacData").children()
            digest_algorithm = mac_data[0].expect(der.SEQUENCE, "DigestInfo").children()[0]
            check_algorithm(
                digest_algorithm, "integrity check (MAC) of the PKCS#12 file", _REEXPORT_P12
            )
            if len(mac_data) > 2:
                _iterations(mac_data[2], "integrity check (MAC) of the PKCS#12 file", _REEXPORT_P12)
        if der.oid(auth_safe[0]) != _DATA:
            return []  # public-key integrity mode: no password work; cryptography refuses it
        safes = der.octet_string(der.explicit(auth_safe[1], 0))
        for info in der.parse(safes).expect(der.SEQUENCE, "AuthenticatedSafe").children():
            parts = info.expect(der.SEQUENCE, "ContentInfo").children()
            kind = der.oid(parts[0])
            if kind == _DATA:
                _check_safe_contents(der.octet_string(der.explicit(parts[1], 0)))
            elif kind == _ENCRYPTED_DATA:
                encrypted = der.explicit(parts[1], 0).expect(der.SEQUENCE, "EncryptedData")
                content_info = encrypted.children()[1].expect(der.SEQUENCE, "EncryptedContent")
                _type, algorithm, *content = content_info.children()
                check_algorithm(
                    algorithm, "certificate encryption of the PKCS#12 file", _REEXPORT_P12
                )
                if not content or content[0].tag not in (0x80, 0xA0):
                    raise der.DerError("encryptedData without content")
                ciphertext = (
                    content[0].content
                    if content[0].tag == 0x80
                    else b"".join(der.octet_string(c) for c in content[0].children())
                )
                found.append(EncryptedPart(algorithm, ciphertext))
    except (der.DerError, IndexError):
        raise PKIError(
            "The PKCS#12 file is damaged: its structure does not decode. Export it again, "
            "e.g. with 'openssl pkcs12 -export -iter 2048 -in cert.pem -inkey key.pem -out "
            "new.p12'."
        ) from None
    return found


# --- looking inside encryptedData ---------------------------------------------------------
#
# A PKCS#12 file may hide a key bag inside an encrypted SafeContents, where its iteration
# count is visible only after decryption. Before cryptography opens the file, each such
# part is decrypted here with the password given (its own work factor already checked) and
# its bags are checked like the visible ones. A password that does not decrypt it is not
# handed to cryptography at all.

_HMAC_PRFS: dict[str, hashes.HashAlgorithm] = {
    "1.2.840.113549.2.7": hashes.SHA1(),  # noqa: S303 - reading old files, not signing
    "1.2.840.113549.2.8": hashes.SHA224(),
    "1.2.840.113549.2.9": hashes.SHA256(),
    "1.2.840.113549.2.10": hashes.SHA384(),
    "1.2.840.113549.2.11": hashes.SHA512(),
}
_AES_CBC = {
    "2.16.840.1.101.3.4.1.2": 16,
    "2.16.840.1.101.3.4.1.22": 24,
    "2.16.840.1.101.3.4.1.42": 32,
}
_DES_EDE3_CBC = "1.2.840.113549.3.7"
# PKCS#12 PBE (RFC 7292 appendix C): cipher, key bytes, IV bytes.
_PKCS12_PBE = {
    "1": ("rc4", 16, 0),
    "2": ("rc4", 5, 0),
    "3": ("3des", 24, 8),
    "4": ("3des", 16, 8),
    "5": ("rc2", 16, 8),
    "6": ("rc2", 5, 8),
}
_UNSUPPORTED = (
    "The PKCS#12 file uses an encryption CertDesk cannot read: export it again with AES-256 "
    "and SHA-256, e.g. 'openssl pkcs12 -export -iter 2048 -in cert.pem -inkey key.pem -out "
    "new.p12'."
)


@dataclass(frozen=True)
class EncryptedPart:
    """One encryptedData of a PFX: its algorithm and ciphertext."""

    algorithm: der.Element
    ciphertext: bytes


def _pkcs12_kdf(password: bytes, salt: bytes, purpose: int, iterations: int, size: int) -> bytes:
    """RFC 7292 appendix B.2 with SHA-1 (u=20, v=64); ``password`` already BMP-encoded."""
    u, v = 20, 64

    def stretch(data: bytes) -> bytes:  # repeated to a whole number of v-byte blocks
        if not data:
            return b""
        size = v * -(-len(data) // v)
        return (data * (size // len(data) + 1))[:size]

    block = stretch(salt) + stretch(password)
    out = b""
    while len(out) < size:
        digest = hashlib.sha1(bytes([purpose]) * v + block, usedforsecurity=False).digest()
        for _ in range(iterations - 1):
            digest = hashlib.sha1(digest, usedforsecurity=False).digest()
        out += digest
        b = int.from_bytes((digest * -(-v // u))[:v], "big")
        block = b"".join(
            ((int.from_bytes(block[i : i + v], "big") + b + 1) % (1 << (8 * v))).to_bytes(v, "big")
            for i in range(0, len(block), v)
        )
    return out[:size]


def _bmp_passwords(password: bytes | None) -> list[bytes]:
    """The BMPString forms a PKCS#12 KDF may have used (empty: with or without the NUL)."""
    if not password:
        return [b"\x00\x00", b""]
    try:
        text = password.decode("utf-8")
    except UnicodeDecodeError:
        text = password.decode("latin-1")
    return [text.encode("utf-16-be") + b"\x00\x00"]


def _unpad(plain: bytes, block: int) -> bytes | None:
    if not plain or len(plain) % block:
        return None
    pad = plain[-1]
    if not 1 <= pad <= block or plain[-pad:] != bytes([pad]) * pad:
        return None
    return plain[:-pad]


def _cipher(name: str, key: bytes, iv: bytes, data: bytes) -> bytes | None:
    if name == "rc2":
        if len(data) % 8:
            return None
        return _unpad(rc2_cbc_decrypt(key, iv, data), 8)
    if name == "rc4":
        decryptor = Cipher(ARC4(key), mode=None).decryptor()
        return decryptor.update(data) + decryptor.finalize()
    if name == "3des" and len(key) == 16:
        key += key[:8]  # two-key triple DES: K1 K2 K1
    algorithm = algorithms.AES(key) if name == "aes" else TripleDES(key)
    block = algorithm.block_size // 8
    if len(data) % block or not data:
        return None
    decryptor = Cipher(algorithm, modes.CBC(iv)).decryptor()
    return _unpad(decryptor.update(data) + decryptor.finalize(), block)


def _decrypt(part: EncryptedPart, password: bytes | None) -> bytes | None:
    """The plaintext of ``part`` under ``password``, or None when it does not decrypt."""
    parts = part.algorithm.children()
    name = der.oid(parts[0])
    if name.startswith(_PKCS12_PBE_PREFIX) and name[len(_PKCS12_PBE_PREFIX) :] in _PKCS12_PBE:
        cipher, key_size, iv_size = _PKCS12_PBE[name[len(_PKCS12_PBE_PREFIX) :]]
        salt_element, count_element = parts[1].children()[:2]
        salt, count = der.octet_string(salt_element), der.integer(count_element)
        for bmp in _bmp_passwords(password):
            key = _pkcs12_kdf(bmp, salt, 1, count, key_size)
            iv = _pkcs12_kdf(bmp, salt, 2, count, iv_size) if iv_size else b""
            plain = _cipher(cipher, key, iv, part.ciphertext)
            if plain is not None and plain[:1] == b"\x30":
                return plain
        return None
    if name != _PBES2:
        raise PKIError(_UNSUPPORTED)
    kdf, scheme = parts[1].children()[:2]
    kdf_parts = kdf.children()
    scheme_parts = scheme.children()
    scheme_name = der.oid(scheme_parts[0])
    iv = der.octet_string(scheme_parts[1])
    if scheme_name in _AES_CBC:
        cipher, key_size = "aes", _AES_CBC[scheme_name]
    elif scheme_name == _DES_EDE3_CBC:
        cipher, key_size = "3des", 24
    else:
        raise PKIError(_UNSUPPORTED)
    params = kdf_parts[1].children()
    secret = password or b""
    salt = der.octet_string(params[0])
    if der.oid(kdf_parts[0]) == _PBKDF2:
        prf = next((p for p in params[2:] if p.tag == der.SEQUENCE), None)
        prf_name = der.oid(prf.children()[0]) if prf is not None else "1.2.840.113549.2.7"
        if prf_name not in _HMAC_PRFS:
            raise PKIError(_UNSUPPORTED)
        key = PBKDF2HMAC(_HMAC_PRFS[prf_name], key_size, salt, der.integer(params[1])).derive(
            secret
        )
    elif der.oid(kdf_parts[0]) == _SCRYPT:
        n, r, p = (der.integer(x) for x in params[1:4])
        key = Scrypt(salt, key_size, n, r, p).derive(secret)
    else:
        raise PKIError(_UNSUPPORTED)
    plain = _cipher(cipher, key, iv, part.ciphertext)
    return plain if plain is not None and plain[:1] == b"\x30" else None


def opens_encrypted_parts(parts: list[EncryptedPart], password: bytes | None) -> bool:
    """Whether ``password`` decrypts every encrypted part; each one's bags are checked like
    the visible ones (WorkFactorTooHigh when one asks for too much)."""
    for part in parts:
        try:
            plain = _decrypt(part, password)
        except (der.DerError, IndexError, ValueError):
            return False
        if plain is None:
            return False
        try:
            _check_safe_contents(plain)
        except (der.DerError, IndexError):
            return False
    return True

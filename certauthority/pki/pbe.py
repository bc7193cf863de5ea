"""Bounds on password-based key derivation, read before anything is derived (issue 9).

An encrypted PKCS#8 key or a PKCS#12 file names its own work factor: a PBKDF2 or PKCS#12
iteration count, or scrypt's N, r and p. A file that asks for 2^31-1 iterations keeps a
worker busy for hours; a huge scrypt N asks for gigabytes. These functions read the
parameters with the linear DER reader (``der.py``) and refuse the file with a message that
says how to fix it, before ``cryptography`` derives a single key.
"""

from __future__ import annotations

from . import der
from .errors import PKIError, WorkFactorTooHigh

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


def check_pkcs12(data: bytes) -> None:
    """Read a PFX's MAC iteration count and every visible PBE parameter; refuse the file
    when one is above the bounds. Raise PKIError too when the structure does not parse:
    a PFX CertDesk cannot read safely is not handed to ``cryptography`` either."""
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
            return  # public-key integrity mode: no password work; cryptography refuses it
        safes = der.octet_string(der.explicit(auth_safe[1], 0))
        for info in der.parse(safes).expect(der.SEQUENCE, "AuthenticatedSafe").children():
            parts = info.expect(der.SEQUENCE, "ContentInfo").children()
            kind = der.oid(parts[0])
            if kind == _DATA:
                _check_safe_contents(der.octet_string(der.explicit(parts[1], 0)))
            elif kind == _ENCRYPTED_DATA:
                encrypted = der.explicit(parts[1], 0).expect(der.SEQUENCE, "EncryptedData")
                content_info = encrypted.children()[1].expect(der.SEQUENCE, "EncryptedContent")
                check_algorithm(
                    content_info.children()[1],
                    "certificate encryption of the PKCS#12 file",
                    _REEXPORT_P12,
                )
    except (der.DerError, IndexError):
        raise PKIError(
            "The PKCS#12 file is damaged: its structure does not decode. Export it again, "
            "e.g. with 'openssl pkcs12 -export -iter 2048 -in cert.pem -inkey key.pem -out "
            "new.p12'."
        ) from None

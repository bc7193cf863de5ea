"""Build hostile DER by rewriting a well-formed file: replace INTEGERs and re-encode every
enclosing length, descending into OCTET STRINGs that hold DER (PKCS#12's authSafe).

Files that would take hours to *create* with the real work factor (2^31-1 iterations) are
made by ``openssl`` with a normal count and patched here."""

from __future__ import annotations

from certauthority.pki import der


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + _length(len(body)) + body


def _rewrite(element: der.Element, old: int, new: int, seen: list[int], which: int | None):
    """The element's bytes with the chosen INTEGERs replaced; untouched subtrees (random
    salts or ciphertext that happen to parse as DER) are copied byte for byte."""
    before = len(seen)
    if element.tag == der.INTEGER:
        if len(element.content) <= 8 and der.integer(element) == old:
            seen.append(1)
            if which is None or len(seen) - 1 == which:
                return _integer(new)
        return element.raw
    if element.constructed:
        body = b"".join(_rewrite(c, old, new, seen, which) for c in element.children())
    elif element.tag == der.OCTET_STRING:
        try:  # ciphertext may look like DER for a few bytes: then it is left alone
            body = _rewrite(der.parse(element.content), old, new, seen, which)
        except der.DerError:
            del seen[before:]
            return element.raw
    else:
        return element.raw
    if len(seen) == before:
        return element.raw
    return bytes([element.tag]) + _length(len(body)) + body


def patch_integer(data: bytes, old: int, new: int, which: int | None = None) -> bytes:
    """``data`` with every INTEGER equal to ``old`` (or only the ``which``-th, 0-based, in
    document order) replaced by ``new``; raise AssertionError when none was found."""
    seen: list[int] = []
    patched = _rewrite(der.parse(data), old, new, seen, which)
    assert seen, f"no INTEGER {old} in the data"
    return patched


def tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def seq(*parts: bytes) -> bytes:
    return tlv(der.SEQUENCE, b"".join(parts))


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.append(0x80 | (arc & 0x7F))
        body += bytes(reversed(chunk))
    return tlv(der.OID, bytes(body))


def integer(value: int) -> bytes:
    return _integer(value)


def pfx_hiding_a_key_bag(encrypted_private_key_info: bytes, password: bytes) -> bytes:
    """A PKCS#12 file (no MAC) whose only key bag sits inside an encryptedData, encrypted
    with PBES2 (PBKDF2-SHA256, 2048 iterations, AES-256-CBC) under ``password``: the key
    bag's own parameters are visible only after decryption."""
    import os

    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    bag = seq(oid("1.2.840.113549.1.12.10.1.2"), tlv(0xA0, encrypted_private_key_info))
    safe_contents = seq(bag)
    salt, iv = os.urandom(8), os.urandom(16)
    key = PBKDF2HMAC(hashes.SHA256(), 32, salt, 2048).derive(password)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(safe_contents) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    algorithm = seq(
        oid("1.2.840.113549.1.5.13"),
        seq(
            seq(
                oid("1.2.840.113549.1.5.12"),
                seq(tlv(der.OCTET_STRING, salt), integer(2048), seq(oid("1.2.840.113549.2.9"))),
            ),
            seq(oid("2.16.840.1.101.3.4.1.42"), tlv(der.OCTET_STRING, iv)),
        ),
    )
    encrypted_data = seq(
        integer(0), seq(oid("1.2.840.113549.1.7.1"), algorithm, tlv(0x80, ciphertext))
    )
    auth_safe = seq(seq(oid("1.2.840.113549.1.7.6"), tlv(0xA0, encrypted_data)))
    return seq(
        integer(3),
        seq(oid("1.2.840.113549.1.7.1"), tlv(0xA0, tlv(der.OCTET_STRING, auth_safe))),
    )

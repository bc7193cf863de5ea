"""RC2-CBC decryption (RFC 2268), for one purpose only: looking inside the 40-bit RC2
``encryptedData`` of legacy PKCS#12 files (OpenSSL 1.x's default for certificates) before
``cryptography`` opens them, so a key bag hidden there cannot ask for 2^31 iterations
(issue 9). ``cryptography`` offers RC2 with 128-bit keys only; the files hold a few KiB.
"""

from __future__ import annotations

# RFC 2268 section 2: PITABLE, a permutation of 0..255 from the digits of pi.
_PITABLE = bytes.fromhex(
    "d978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2"
    "179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82"
    "54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626"
    "6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7"
    "08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec"
    "c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731"
    "2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9"
    "0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad"
)

_MASK = 0xFFFF


def _expand(key: bytes, effective_bits: int) -> list[int]:
    length = len(key)
    table = bytearray(128)
    table[:length] = key
    for i in range(length, 128):
        table[i] = _PITABLE[(table[i - 1] + table[i - length]) & 0xFF]
    t8 = (effective_bits + 7) // 8
    tm = 0xFF % (1 << (8 + effective_bits - 8 * t8))
    table[128 - t8] = _PITABLE[table[128 - t8] & tm]
    for i in range(127 - t8, -1, -1):
        table[i] = _PITABLE[table[i + 1] ^ table[i + t8]]
    return [table[2 * i] | (table[2 * i + 1] << 8) for i in range(64)]


def _decrypt_block(k: list[int], block: bytes) -> bytes:
    r = [block[2 * i] | (block[2 * i + 1] << 8) for i in range(4)]
    shifts = (1, 2, 3, 5)
    j = 63

    def unmix() -> None:
        nonlocal j
        for i in (3, 2, 1, 0):
            s = shifts[i]
            r[i] = ((r[i] >> s) | (r[i] << (16 - s))) & _MASK
            r[i] = (r[i] - k[j] - (r[i - 1] & r[i - 2]) - ((~r[i - 1]) & r[i - 3])) & _MASK
            j -= 1

    def unmash() -> None:
        for i in (3, 2, 1, 0):
            r[i] = (r[i] - k[r[i - 1] & 63]) & _MASK

    for rounds in (5, 0, 6, 0, 5):
        if rounds:
            for _ in range(rounds):
                unmix()
        else:
            unmash()
    return b"".join(bytes((w & 0xFF, w >> 8)) for w in r)


def rc2_cbc_decrypt(key: bytes, iv: bytes, data: bytes, effective_bits: int | None = None) -> bytes:
    """Decrypt ``data`` (a multiple of 8 bytes); the padding is left for the caller."""
    if len(data) % 8 or len(iv) != 8 or not 1 <= len(key) <= 128:
        raise ValueError("bad RC2 input")
    k = _expand(key, effective_bits or 8 * len(key))
    out = bytearray()
    previous = iv
    for offset in range(0, len(data), 8):
        block = data[offset : offset + 8]
        plain = _decrypt_block(k, block)
        out += bytes(a ^ b for a, b in zip(plain, previous, strict=True))
        previous = block
    return bytes(out)

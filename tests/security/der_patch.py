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
    if element.tag == der.INTEGER:
        if len(element.content) <= 8 and der.integer(element) == old:
            seen.append(1)
            if which is None or len(seen) - 1 == which:
                return _integer(new)
        return element.raw
    if element.constructed:
        body = b"".join(_rewrite(c, old, new, seen, which) for c in element.children())
    elif element.tag == der.OCTET_STRING:
        try:
            inner = der.parse(element.content)
        except der.DerError:
            return element.raw
        body = _rewrite(inner, old, new, seen, which)
    else:
        return element.raw
    return bytes([element.tag]) + _length(len(body)) + body


def patch_integer(data: bytes, old: int, new: int, which: int | None = None) -> bytes:
    """``data`` with every INTEGER equal to ``old`` (or only the ``which``-th, 0-based, in
    document order) replaced by ``new``; raise AssertionError when none was found."""
    seen: list[int] = []
    patched = _rewrite(der.parse(data), old, new, seen, which)
    assert seen, f"no INTEGER {old} in the data"
    return patched

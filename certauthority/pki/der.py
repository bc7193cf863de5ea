"""A small, linear, bounds-checked DER/BER reader (SPEC Appendix B file formats).

Used to look inside PKCS#7, PKCS#8 and PKCS#12 structures *before* handing them to
``cryptography``: to read iteration counts that would keep a worker busy for hours, and to
pick the certificates out of a PKCS#7 SignedData whatever its SET ordering.

Every byte is read a bounded number of times: definite lengths are skipped in O(1), and
indefinite (BER) lengths are resolved by walking the children once, with a depth limit, so
the work is O(input * MAX_DEPTH) at worst. Nothing here allocates more than the input.
"""

from __future__ import annotations

from dataclasses import dataclass

# Deeper nesting than this is not a key, certificate or PKCS#12 file.
MAX_DEPTH = 32

# Universal tags (the identifier octet with class universal, as CertDesk meets them).
INTEGER = 0x02
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
SEQUENCE = 0x30
SET = 0x31


class DerError(ValueError):
    """The bytes are not well-formed DER/BER (truncated, over-long, too deep)."""


@dataclass(frozen=True)
class Element:
    """One TLV: ``tag`` is the first identifier octet (class, constructed bit and number
    when below 31); content is ``data[content_start:content_end]``; the whole element is
    ``data[start:end]``."""

    data: bytes
    tag: int
    start: int
    content_start: int
    content_end: int
    end: int
    indefinite: bool = False
    depth: int = 0

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    @property
    def content(self) -> bytes:
        return self.data[self.content_start : self.content_end]

    @property
    def raw(self) -> bytes:
        """The element's own bytes, header included."""
        return self.data[self.start : self.end]

    def children(self) -> list[Element]:
        """The elements inside a constructed element, in order."""
        if not self.constructed:
            raise DerError("a primitive element has no children")
        children = []
        position = self.content_start
        while position < self.content_end:
            child = read_element(self.data, position, self.content_end, self.depth + 1)
            children.append(child)
            position = child.end
        return children

    def expect(self, tag: int, what: str) -> Element:
        if self.tag != tag:
            raise DerError(f"{what}: expected tag 0x{tag:02x}, found 0x{self.tag:02x}")
        return self


def _read_header(data: bytes, offset: int, limit: int) -> tuple[int, int, int | None]:
    """(tag, content offset, length or None for indefinite) of the element at ``offset``."""
    if offset >= limit:
        raise DerError("truncated: an element was expected")
    tag = data[offset]
    offset += 1
    if tag & 0x1F == 0x1F:  # high tag number: base-128 digits, at most 4 of them
        for count in range(4):
            if offset >= limit:
                raise DerError("truncated tag")
            digit = data[offset]
            offset += 1
            if not digit & 0x80:
                break
            if count == 3:
                raise DerError("tag number too large")
    if offset >= limit:
        raise DerError("truncated length")
    first = data[offset]
    offset += 1
    if first < 0x80:
        return tag, offset, first
    if first == 0x80:
        if not tag & 0x20:
            raise DerError("indefinite length on a primitive element")
        return tag, offset, None
    count = first & 0x7F
    if count > 4 or offset + count > limit:
        raise DerError("length too large or truncated")
    length = int.from_bytes(data[offset : offset + count], "big")
    return tag, offset + count, length


def read_element(data: bytes, offset: int = 0, limit: int | None = None, depth: int = 0) -> Element:
    """The element starting at ``offset``, which must end by ``limit`` (default: the data)."""
    limit = len(data) if limit is None else limit
    if depth > MAX_DEPTH:
        raise DerError(f"nested deeper than {MAX_DEPTH} levels")
    tag, content_start, length = _read_header(data, offset, limit)
    if length is not None:
        content_end = content_start + length
        if content_end > limit:
            raise DerError("truncated: an element is longer than the data holding it")
        return Element(data, tag, offset, content_start, content_end, content_end, False, depth)
    else:
        # BER indefinite length: the children run until an end-of-contents marker (00 00).
        position = content_start
        while True:
            if position + 2 <= limit and data[position] == 0 and data[position + 1] == 0:
                break
            position = read_element(data, position, limit, depth + 1).end
    return Element(data, tag, offset, content_start, position, position + 2, True, depth)


def parse(data: bytes) -> Element:
    """The single element that makes up all of ``data``; DerError otherwise."""
    element = read_element(data)
    if element.end != len(data):
        raise DerError("data after the end of the structure")
    return element


def integer(element: Element, max_bytes: int = 8) -> int:
    """A non-negative INTEGER of at most ``max_bytes`` content bytes."""
    element.expect(INTEGER, "INTEGER")
    content = element.content
    if not content:
        raise DerError("empty INTEGER")
    if content[0] & 0x80:
        raise DerError("negative INTEGER")
    if len(content.lstrip(b"\x00")) > max_bytes:
        raise DerError("INTEGER too large")
    return int.from_bytes(content, "big")


def oid(element: Element) -> str:
    """The dotted string of an OBJECT IDENTIFIER."""
    element.expect(OID, "OBJECT IDENTIFIER")
    content = element.content
    if not content or len(content) > 64 or content[-1] & 0x80:
        raise DerError("malformed OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + arcs[1:])


def octet_string(element: Element) -> bytes:
    """The content of an OCTET STRING, primitive (DER) or constructed of chunks (BER)."""
    if element.tag == OCTET_STRING:
        return element.content
    if element.tag == OCTET_STRING | 0x20:
        return b"".join(octet_string(child) for child in element.children())
    raise DerError(f"OCTET STRING: expected tag 0x04, found 0x{element.tag:02x}")


def explicit(element: Element, number: int) -> Element:
    """The one element inside a context-specific ``[number] EXPLICIT`` wrapper."""
    if element.tag != 0xA0 | number:
        raise DerError(f"expected [{number}], found tag 0x{element.tag:02x}")
    children = element.children()
    if len(children) != 1:
        raise DerError(f"[{number}] EXPLICIT must hold exactly one element")
    return children[0]

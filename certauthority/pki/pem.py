"""Splitting PEM text into blocks, spotting truncated and damaged input (SPEC Appendix B)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import PKIError

_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 #_-]+)-----[ \t]*\r?\n(.*?)-----END \1-----[ \t]*(?:\r?\n)?",
    re.DOTALL,
)
_BEGIN = re.compile(rb"-----BEGIN [^\n]*?-----")


@dataclass(frozen=True)
class PemBlock:
    """One ``-----BEGIN X-----`` … ``-----END X-----`` block: its label, headers and text."""

    label: str
    headers: dict[str, str]
    text: bytes  # the whole block, BEGIN and END lines included, ending with a newline


def looks_like_pem(data: bytes) -> bool:
    return b"-----BEGIN " in data


def pem_blocks(data: bytes) -> list[PemBlock]:
    """Every PEM block in ``data`` in order; text between blocks is ignored.

    Raise PKIError when a block is opened and never closed (a truncated copy/paste).
    """
    blocks: list[PemBlock] = []
    for match in _BLOCK.finditer(data):
        label = match.group(1).decode("ascii")
        body = match.group(2)
        headers: dict[str, str] = {}
        if b":" in body.split(b"\n\n", 1)[0] and b"\n\n" in body.replace(b"\r\n", b"\n"):
            head = body.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
            for line in head.decode("ascii", "replace").splitlines():
                name, _, value = line.partition(":")
                headers[name.strip()] = value.strip()
        text = match.group(0)
        if not text.endswith(b"\n"):
            text += b"\n"
        blocks.append(PemBlock(label=label, headers=headers, text=text))
    if len(_BEGIN.findall(data)) != len(blocks):
        raise PKIError(
            "The PEM text is cut short: a '-----BEGIN' line has no matching '-----END' line. "
            "Copy the whole file again."
        )
    return blocks

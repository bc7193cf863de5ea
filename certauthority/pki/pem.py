"""Splitting PEM text into blocks, spotting truncated and damaged input (SPEC Appendix B)."""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

from .errors import PKIError

_BEGIN = b"-----BEGIN "
_END = b"-----END "
_DASHES = b"-----"
_LABEL = re.compile(rb"[A-Z0-9 #_-]{1,64}")  # one character class: no backtracking
_TRAILING = b" \t\r"

# A key, a certificate, a chain or a trust store (Mozilla's holds about 150 roots) fits in
# far fewer blocks; more is refused before any block is decoded.
MAX_PEM_BLOCKS = 500

_CUT_SHORT = (
    "The PEM text is cut short: a '-----BEGIN' line has no matching '-----END' line. "
    "Copy the whole file again."
)


@dataclass(frozen=True)
class PemBlock:
    """One ``-----BEGIN X-----`` … ``-----END X-----`` block: its label, headers and text."""

    label: str
    headers: dict[str, str]
    text: bytes  # the whole block, BEGIN and END lines included, ending with a newline


def pem_body(block: PemBlock) -> bytes:
    """The DER bytes a block carries (base64 between the markers, headers left out)."""
    text = block.text
    body = text[text.find(b"\n") + 1 : text.find(_END)].replace(b"\r\n", b"\n")
    if block.headers:
        body = body.partition(b"\n\n")[2]
    try:
        return binascii.a2b_base64(body)
    except binascii.Error:
        raise PKIError(
            f"The PEM block '{block.label}' is damaged: its base64 text does not decode."
        ) from None


def looks_like_pem(data: bytes) -> bool:
    return b"-----BEGIN " in data


def _line_end(data: bytes, offset: int) -> int:
    """The offset of the newline ending the line at ``offset`` (or the end of the data)."""
    end = data.find(b"\n", offset)
    return len(data) if end < 0 else end


def _marker_label(data: bytes, offset: int, marker: bytes, line_end: int) -> tuple[bytes, int]:
    """The label of a ``-----BEGIN X-----`` or ``-----END X-----`` marker at ``offset`` and
    the offset after its closing dashes; PKIError when the marker is damaged."""
    label_start = offset + len(marker)
    close = data.find(_DASHES, label_start, line_end)
    label = data[label_start:close] if close >= 0 else b""
    if close < 0 or not _LABEL.fullmatch(label):
        raise PKIError(
            "The PEM text is damaged: a '"
            + marker.decode().strip()
            + "' line is not of the form '"
            + marker.decode()
            + "LABEL-----'. Copy the whole file again."
        )
    return label, close + len(_DASHES)


def _headers(body: bytes) -> dict[str, str]:
    """RFC 1421 headers (``Proc-Type: 4,ENCRYPTED``) before the first blank line, if any."""
    normal = body.replace(b"\r\n", b"\n")
    head, blank, _ = normal.partition(b"\n\n")
    headers: dict[str, str] = {}
    if blank and b":" in head:
        for line in head.decode("ascii", "replace").splitlines():
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
    return headers


def pem_blocks(data: bytes) -> list[PemBlock]:
    """Every PEM block in ``data`` in order; text between blocks is ignored.

    Raise PKIError when a block is opened and never closed (a truncated copy/paste), or
    when a BEGIN or END line is damaged. One pass, forward only: the work is linear in
    the input, whatever it holds (issue 9: 1 MiB of BEGIN lines took 31 s with a regex).
    """
    blocks: list[PemBlock] = []
    position = 0
    while True:
        begin = data.find(_BEGIN, position)
        if begin < 0:
            return blocks
        line_end = _line_end(data, begin)
        label, after = _marker_label(data, begin, _BEGIN, line_end)
        if data[after:line_end].strip(_TRAILING) or line_end == len(data):
            raise PKIError(_CUT_SHORT)
        body_start = line_end + 1
        end = data.find(_END, body_start)
        if end < 0:
            raise PKIError(_CUT_SHORT)
        if data.find(_BEGIN, body_start, end) >= 0:
            raise PKIError(_CUT_SHORT)  # a second BEGIN before this block's END
        end_line = _line_end(data, end)
        end_label, after_end = _marker_label(data, end, _END, end_line)
        if end_label != label:
            raise PKIError(
                f"The PEM text is damaged: '-----BEGIN {label.decode()}-----' is closed by "
                f"'-----END {end_label.decode()}-----'. Copy the whole file again."
            )
        rest = data[after_end:end_line]
        if rest.strip(_TRAILING):
            stop = after_end  # text after the END marker on its line is not part of the block
        else:
            stop = min(end_line + 1, len(data))
        text = data[begin:stop]
        if not text.endswith(b"\n"):
            text = text.rstrip(_TRAILING) + b"\n"
        if len(blocks) == MAX_PEM_BLOCKS:
            raise PKIError(
                f"The text holds more than {MAX_PEM_BLOCKS} PEM blocks; CertDesk reads at most "
                f"{MAX_PEM_BLOCKS} at once (a key, a certificate, a chain or a trust store): "
                "split the file."
            )
        blocks.append(
            PemBlock(label=label.decode("ascii"), headers=_headers(data[body_start:end]), text=text)
        )
        position = stop

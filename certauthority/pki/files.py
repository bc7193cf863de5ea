"""Reading input with a size limit and writing output atomically (the CLI's and storage's edge).

No Django here either: plain ``pathlib`` and ``os``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import PKIError

# Keys, certificates, CSRs, bundles and PKCS#12 files are a few KiB; anything above this
# is not PKI material and is refused before it is parsed.
MAX_INPUT_BYTES = 1024 * 1024


def certificate_file_name(basename: str) -> str:
    """BASENAME.crt: the certificate file, as the install scripts and the MMP name it (R4.2)."""
    return f"{basename}.crt"


def bundle_file_name(basename: str) -> str:
    """BASENAME_bundle.crt: the chain beside BASENAME.crt (R1.4), one name everywhere.

    The install scripts, ``pki split``, the README and every web download of a bundle use
    this name, so what an admin downloads is what the script uploads (issue 10 item 6).
    """
    return f"{basename}_bundle.crt"


def file_stem(text: str) -> str:
    """A download's file name per SPEC R4.2: ASCII letters, digits, '-' and '_' only.

    ASCII, because a CN may be any Unicode text and a header with other characters is
    MIME-encoded into something no browser takes as a file name.
    """
    stem = "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in text)
    stem = stem.strip("_")
    return stem[:60] or "certificate"


def check_input_size(data: bytes, name: str = "The input") -> bytes:
    """Return ``data`` unchanged, or raise PKIError when it is above MAX_INPUT_BYTES."""
    if len(data) > MAX_INPUT_BYTES:
        raise PKIError(
            f"{name} is larger than {MAX_INPUT_BYTES // 1024} KiB: it is not a key, "
            "certificate, CSR or bundle."
        )
    return data


def read_input(path: Path) -> bytes:
    """Read a file, refusing missing files, directories and files above MAX_INPUT_BYTES."""
    name = path.name
    try:
        if path.is_dir():
            raise PKIError(f"{name} is a directory, not a file.")
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise PKIError(f"{name}: no such file. Run 'pki list' to see the files.") from None
    except PermissionError:
        raise PKIError(f"{name} cannot be read: permission denied.") from None
    except OSError as exc:
        raise PKIError(f"{name} cannot be read: {exc.strerror or exc}.") from None
    return check_input_size(data, name)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    Readers see the old file or the new one, never a half-written one; the file gets
    ``mode`` (0600 for private keys) from its creation on.
    """
    directory = path.parent
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise


def write_all_atomic(files: list[tuple[Path, bytes, int]]) -> None:
    """Write several files so that either all of them are replaced or none is.

    Every temporary file is written first; only then are they renamed into place.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, data, mode in files:
            fd, temp_name = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
            )
            temps.append((temp_name, path))
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for temp_name, path in temps:
            os.replace(temp_name, path)
    finally:
        for temp_name, _ in temps:
            try:
                os.unlink(temp_name)
            except FileNotFoundError:
                pass

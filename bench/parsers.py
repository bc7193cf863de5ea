"""Parser cost against input size: today's PEM scanner beside the one before issue 9 (loaded
from git in the same run) and beside the openssl binary reading the same bytes.

    .venv/bin/python bench/parsers.py            # sizes 16 KiB .. 1 MiB
    .venv/bin/python bench/parsers.py --old-ref 10dda67 --max-kib 256

A linear parser keeps its time per KiB flat as the input grows; the old regex scanner's time
per KiB grows with the size (quadratic), which is what let a Viewer tie up a worker.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from certauthority.pki import pem as current  # noqa: E402
from certauthority.pki.errors import PKIError  # noqa: E402


def _old_scanner(ref: str) -> Callable[[bytes], object] | None:
    """``pem_blocks`` of ``certauthority/pki/pem.py`` at ``ref``, or None when git lacks it."""
    try:
        source = subprocess.run(
            ["git", "show", f"{ref}:certauthority/pki/pem.py"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_loader("certauthority.pki._pem_old", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    assert isinstance(module, types.ModuleType)
    module.__package__ = "certauthority.pki"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{ref}:pem.py", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module.pem_blocks


def _hostile(kib: int) -> dict[str, bytes]:
    size = kib * 1024
    begin = b"-----BEGIN CERTIFICATE-----\n"
    return {
        "BEGIN lines, no END": (begin * (size // len(begin) + 1))[:size],
        "one line, no newline": (b"-----BEGIN X-----" * (size // 17 + 1))[:size],
        # A long run of well-formed blocks: scanned until the 500-block limit refuses it.
        "complete empty blocks": (b"-----BEGIN X-----\n-----END X-----\n" * (size // 34 + 1))[
            :size
        ],
    }


def _time(fn: Callable[[], object], budget: float) -> float | None:
    """Seconds for one call, or None when it took longer than ``budget``."""
    start = time.perf_counter()
    try:
        fn()
    except (PKIError, ValueError):
        pass  # a refusal is an answer too
    elapsed = time.perf_counter() - start
    return elapsed if elapsed <= budget else None


def _openssl(data: bytes) -> float:
    with tempfile.NamedTemporaryFile(suffix=".pem") as handle:
        handle.write(data)
        handle.flush()
        start = time.perf_counter()
        subprocess.run(
            ["openssl", "x509", "-noout", "-in", handle.name],
            capture_output=True,
            check=False,
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-ref", default="10dda67", help="git revision of the old scanner")
    parser.add_argument("--max-kib", type=int, default=1024)
    parser.add_argument(
        "--old-budget", type=float, default=20.0, help="stop timing the old scanner above this"
    )
    args = parser.parse_args()
    old = _old_scanner(args.old_ref)
    sizes = [k for k in (16, 64, 256, 1024) if k <= args.max_kib]
    print(f"{'input':24} {'KiB':>5} {'now ms':>9} {'now µs/KiB':>11} "
          f"{'old ms':>9} {'old µs/KiB':>11} {'openssl ms':>11}")  # fmt: skip
    last_old: dict[str, float] = {}
    for kib in sizes:
        for name, data in _hostile(kib).items():
            now = _time(lambda data=data: current.pem_blocks(data), budget=60)
            # 4x the input costs the old scanner up to 16x the time: skip what would overrun.
            skip = old is None or last_old.get(name, 0.0) * 16 > args.old_budget
            before = None if skip else _time(lambda data=data: old(data), budget=1e9)
            if before is not None:
                last_old[name] = before
            peer = _openssl(data)
            now_ms = f"{now * 1000:9.1f}" if now is not None else "      >60s"
            now_per = f"{now * 1e6 / kib:11.1f}" if now is not None else " " * 11
            old_ms = f"{before * 1000:9.1f}" if before is not None else "  skipped"
            old_per = f"{before * 1e6 / kib:11.1f}" if before is not None else " " * 11
            print(f"{name:24} {kib:5} {now_ms} {now_per} {old_ms} {old_per} {peer * 1000:11.1f}")


if __name__ == "__main__":
    main()

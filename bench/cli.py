"""Wall time of one `manage.py pki|ca` run beside the openssl command doing the same job, and
beside the same commands from the revision before issue 10 item 19 (a git worktree), in one run.

    .venv/bin/python bench/cli.py --n 10 [--before-ref 426cbce]

Each command runs N times in a fresh process (median, p90), SQLite, bytecode caching on (as
an installed tree has it; this workplace sets PYTHONDONTWRITEBYTECODE, which is removed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(cmd: list[str], cwd: Path, env: dict[str, str], n: int) -> tuple[float, float]:
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)  # warm-up, .pyc
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
        runs.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-400:]}")
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(len(runs) * 0.9))]


def _x509_req(days: str, out: str) -> list[str]:
    """openssl signing leaf.csr with ca.crt/ca.key: the peer of `ca sign`."""
    return ["openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key"] + [
        "-days",
        days,
        "-out",
        out,
    ]


def _ssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--before-ref", default="426cbce")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    d = tmp / "files"
    d.mkdir()
    _ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-subj",
        "/CN=Bench CA",
        "-days",
        "30",
        cwd=d,
    )
    _ssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=cms.example.com",
        cwd=d,
    )
    _ssl(*_x509_req("30", "leaf.crt")[1:], cwd=d)
    trees = {"now": ROOT}
    before = tmp / "before"
    if (
        subprocess.run(
            ["git", "worktree", "add", "-q", "--detach", str(before), args.before_ref],
            cwd=ROOT,
            capture_output=True,
        ).returncode
        == 0
    ):
        trees["before"] = before
    py = str(ROOT / ".venv" / "bin" / "python")
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    try:
        for label, tree in trees.items():
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env.update(
                SECRET_KEY="bench",  # noqa: S106 (throwaway bench install)
                CERTDESK_KEY_ENCRYPTION_KEY="bench-only-key-secret",
                DEBUG="true",
                CERTDESK_VAR_DIR=str(tmp / f"var-{label}"),
                DATABASE_URL=f"sqlite:///{tmp / f'{label}.sqlite3'}",
            )
            env.pop("REDIS_URL", None)
            subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=tree, env=env, check=True)
            subprocess.run(
                [py, "manage.py", "ca", "init", "bench", "--key-type", "rsa2048"],
                cwd=tree,
                env=env,
                check=True,
                capture_output=True,
            )
            m = [py, "manage.py"]
            cmds = {
                "pki inspect": [*m, "pki", "--dir", str(d), "inspect", "leaf.crt"],
                "pki match": [*m, "pki", "--dir", str(d), "match", "leaf.key", "leaf.crt"],
                "pki verify": [*m, "pki", "--dir", str(d), "verify", "leaf.crt", "ca.crt"],
                "ca sign": [
                    *m,
                    "ca",
                    "sign",
                    str(d / "leaf.csr"),
                    "--ca",
                    "bench",
                    "--profile",
                    "server",
                    "--out",
                    str(tmp / f"{label}.crt"),
                ],
            }
            for verb, cmd in cmds.items():
                rows.setdefault(verb, {})[label] = _time(cmd, tree, env, args.n)
        ssl = {
            "pki inspect": ["openssl", "x509", "-noout", "-text", "-in", "leaf.crt"],
            "pki match": [
                "sh",
                "-c",
                '[ "$(openssl x509 -noout -modulus -in leaf.crt)" = '
                '"$(openssl rsa -noout -modulus -in leaf.key)" ]',
            ],
            "pki verify": ["openssl", "verify", "-CAfile", "ca.crt", "leaf.crt"],
            "ca sign": _x509_req("365", "o.crt"),
        }
        for verb, cmd in ssl.items():
            rows[verb]["openssl"] = _time(cmd, d, dict(os.environ), args.n)
    finally:
        if "before" in trees:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT)
    print(f"n={args.n}, seconds, median / p90; before = {args.before_ref}")
    print(f"{'command':<12} {'now':>13} {'before':>13} {'openssl':>13}")
    for verb, r in rows.items():
        cells = [
            f"{r[k][0]:.3f}/{r[k][1]:.3f}" if k in r else "-" for k in ("now", "before", "openssl")
        ]
        print(f"{verb:<12} {cells[0]:>13} {cells[1]:>13} {cells[2]:>13}")


if __name__ == "__main__":
    main()

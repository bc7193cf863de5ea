"""Run web, worker and beat together for `make run`; Ctrl-C stops all three quietly (item 9).

Usage: python -m config.launcher PROCFILE [--wait-for HOST:PORT] [--ready-note TEXT]

Each line ``name: command`` of PROCFILE runs in its own session, so the terminal's Ctrl-C
reaches only this launcher. It then sends SIGTERM once to each process (gunicorn and
Celery shut down gracefully on SIGTERM; the worker no longer sees SIGINT and SIGTERM together,
which is what printed its tracebacks) and exits 0: stopping was asked for. A process that
stops by itself is a failure: the others are stopped too and the exit status is 1.

GNU make, interrupted itself by the same Ctrl-C, then waits for this launcher and ends by the
signal without printing anything (no "Error 130": that appears only when a recipe fails).
No Django here: it only starts processes.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

STOP_GRACE_SECONDS = 15
_print_lock = threading.Lock()


def read_procfile(path: Path) -> list[tuple[str, str]]:
    """The ``name: command`` lines of PATH, in order (blank lines and # comments skipped)."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip() or not command.strip():
            raise SystemExit(f"CertDesk: {path}: not a 'name: command' line: {line}")
        entries.append((name.strip(), command.strip()))
    return entries


def _say(text: str) -> None:
    with _print_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _relay(name: str, width: int, stream) -> None:
    prefix = f"{name:<{width}} | "
    for line in iter(stream.readline, ""):
        _say(prefix + line.rstrip("\n"))
    stream.close()


def _wait_for_port(address: str, ready_note: str, processes: list[subprocess.Popen]) -> None:
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 (a wildcard bind answers on loopback too)
        host = "127.0.0.1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and all(p.poll() is None for p in processes):
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                _say(ready_note)
                return
        except (OSError, ValueError):
            time.sleep(0.5)


def run(entries: list[tuple[str, str]], *, wait_for: str = "", ready_note: str = "") -> int:
    """Start every entry, wait until one ends or a stop signal arrives; return the exit status."""
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum, frame) -> None:
        received.append(signum)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    width = max(len(name) for name, _ in entries)
    processes: list[tuple[str, subprocess.Popen]] = []
    for name, command in entries:
        process = subprocess.Popen(
            shlex.split(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # lines appear as they are written
            start_new_session=True,  # Ctrl-C reaches the launcher only; it stops them in order
        )
        processes.append((name, process))
        threading.Thread(target=_relay, args=(name, width, process.stdout), daemon=True).start()
    if wait_for and ready_note:
        threading.Thread(
            target=_wait_for_port,
            args=(wait_for, ready_note, [p for _, p in processes]),
            daemon=True,
        ).start()

    failed = ""
    while not stop.is_set():
        for name, process in processes:
            if process.poll() is not None:
                failed = name
                stop.set()
                break
        stop.wait(0.2)

    for _, process in processes:
        if process.poll() is None:
            try:
                # The leader only: gunicorn's master and Celery's main process stop their own
                # children in order (SIGTERM to the whole group made the pool log errors).
                os.kill(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _say(f"CertDesk: {name} did not stop within {STOP_GRACE_SECONDS} s; killing it.")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    time.sleep(0.1)  # let the relays print the last lines
    if failed and not received:
        code = dict((n, p.returncode) for n, p in processes)[failed]
        _say(f"CertDesk: {failed} stopped by itself (exit status {code}); stopped the others.")
        return 1
    _say("CertDesk: stopped web, worker and beat.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.launcher")
    parser.add_argument("procfile", type=Path)
    parser.add_argument("--wait-for", default="", help="HOST:PORT the web process listens on")
    parser.add_argument("--ready-note", default="", help="printed once HOST:PORT answers")
    args = parser.parse_args(argv)
    entries = read_procfile(args.procfile)
    if not entries:
        raise SystemExit(f"CertDesk: {args.procfile} names no process.")
    return run(entries, wait_for=args.wait_for, ready_note=args.ready_note)


if __name__ == "__main__":
    sys.exit(main())

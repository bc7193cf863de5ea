"""`make run` as a new admin meets it (issue 10 items 8, 9, 10): the real Makefile, in a temp var/.

One run of `make run` on SQLite and the embedded broker in a temporary folder: the first
administrator's password is framed last before the servers start and kept in a 0600 file,
the password logs in over HTTP, and Ctrl-C (SIGINT to the whole process group, as a terminal
sends it) stops everything without "Error 130" or a traceback.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from config.launcher import main as launcher_main
from config.public_url import allowed_hosts_default, public_url, public_url_from_bind

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_env(var_dir: Path) -> dict[str, str]:
    """The environment of a fresh clone: no secrets, SQLite and the embedded broker in VAR."""
    dropped = ("SECRET_KEY", "CERTDESK_", "DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # under `make test`: a fresh make here
        env.pop(name, None)
    env["CERTDESK_VAR_DIR"] = str(var_dir)
    return env


def _wait_for_http(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run ended early with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _log_in(base: str, username: str, password: str) -> str:
    """Log in through the real form; the URL the browser lands on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"{base}/accounts/login/"
    form = opener.open(login, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(login, data=data, headers={"Referer": login})  # noqa: S310
    with opener.open(request, timeout=10) as response:
        return response.geturl()


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`make run` in a temp var/, up until HTTP answers, then Ctrl-C; its output and status."""
    var_dir = tmp_path_factory.mktemp("var")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        # -o: the venv counts as installed (this test must not pip-install anything).
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run",
         f"VAR={var_dir}", f"BIND=127.0.0.1:{port}"],
        cwd=ROOT, env=_clean_env(var_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for_http(f"{base}/accounts/login/", process, seconds=90)
        password_file = var_dir / "first-admin-password.txt"
        password = re.search(r"^password: (\S+)$", password_file.read_text(), re.M).group(1)
        landed = _log_in(base, "admin", password)
        time.sleep(2)  # worker and beat finish starting, as they would before a human's Ctrl-C
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        output, _ = process.communicate(timeout=30)
        stop_seconds = time.monotonic() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return {
        "var": var_dir,
        "output": output,
        "status": process.returncode,
        "landed": landed,
        "base": base,
        "password": password,
        "stop_seconds": stop_seconds,
    }


def test_the_first_password_is_framed_last_before_the_servers_start(make_run):
    output = make_run["output"]
    frame_end = output.index(make_run["password"])
    servers = min(output.index(f"{name} ", frame_end) for name in ("web", "worker", "beat"))
    between = output[frame_end:servers]
    # After the password only the rest of its frame, then the servers' own lines.
    assert "first-admin-password.txt" in between
    assert "changepassword admin" in between
    assert "#####" in between
    assert "Applying" not in output  # migrate is quiet
    assert "static files copied" not in output  # so is collectstatic


def test_the_password_file_is_private_and_its_password_logs_in(make_run):
    path = make_run["var"] / "first-admin-password.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert make_run["landed"] == make_run["base"] + "/"  # the dashboard, not the login page


def test_ctrl_c_stops_web_worker_and_beat_without_error_or_traceback(make_run):
    output = make_run["output"]
    assert "Error 130" not in output
    assert "Interrupt" not in output
    assert "Traceback" not in output
    assert "SIGTERM" not in output  # no pool process killed under the worker
    assert "ERROR/" not in output
    assert "CertDesk: stopped web, worker and beat." in output
    # GNU make, itself interrupted, ends by the same signal once the recipe exited 0: the
    # shell prints nothing. A failed recipe would give status 2 and "Error" instead.
    assert make_run["status"] in (0, -signal.SIGINT)
    assert make_run["stop_seconds"] < 20


def test_the_secret_key_message_no_longer_claims_it_guards_stored_keys(make_run):
    lines = [line for line in make_run["output"].splitlines() if "created" in line]
    secret_key = next(line for line in lines if line.rstrip().endswith("everyone out."))
    assert "secret-key" in secret_key and "private key" not in secret_key
    assert any("key-encryption.key" in line and "private key" in line for line in lines)


def test_the_launcher_alone_exits_0_on_ctrl_c(tmp_path):
    procfile = tmp_path / "Procfile"
    sleeper = f"{sys.executable} -c 'import time; time.sleep(60)'"
    procfile.write_text(f"one: {sleeper}\ntwo: {sleeper}\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "config.launcher", str(procfile)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    time.sleep(1.5)
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Traceback" not in output


def test_the_launcher_stops_everything_and_fails_when_a_process_dies(tmp_path):
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"long: {sys.executable} -c 'import time; time.sleep(60)'\n"
        f"short: {sys.executable} -c 'raise SystemExit(3)'\n"
    )
    started = time.monotonic()
    assert launcher_main([str(procfile)]) == 1
    assert time.monotonic() - started < 20


def test_the_readme_two_commands_section_says_what_make_run_does():
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    assert "var/first-admin-password.txt" in section
    assert 'make manage ARGS="changepassword admin"' in section
    assert "Ctrl-C" in section
    # The key-encryption key guards the stored keys, not var/secret-key.
    guard = re.search(r"[^.]*cannot be read without[^.]*\.", section).group(0)
    assert "key-encryption" in guard
    assert "CERTDESK_PUBLIC_URL" in README.split("## Configuration", 1)[1]


# --- CERTDESK_PUBLIC_URL from BIND (item 10) ----------------------------------------------------


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("10.0.0.5:8443", "http://10.0.0.5:8443"),
        ("certdesk.example.com:8443", "http://certdesk.example.com:8443"),
        ("0.0.0.0:8443", "http://cd1.example.com:8443"),
        ("[::]:8000", "http://cd1.example.com:8000"),
        (":9000", "http://cd1.example.com:9000"),
        ("[2001:db8::5]:8000", "http://[2001:db8::5]:8000"),
        ("unix:/run/certdesk.sock", "http://127.0.0.1:8000"),
        ("", "http://127.0.0.1:8000"),
        (None, "http://127.0.0.1:8000"),
    ],
)
def test_the_public_url_comes_from_the_bind(bind, expected):
    assert public_url_from_bind(bind, fqdn="cd1.example.com") == expected


def test_an_explicit_public_url_wins_over_the_bind():
    env = {"CERTDESK_PUBLIC_URL": "https://certdesk.example.com", "CERTDESK_BIND": "0.0.0.0:1"}
    assert public_url(env) == "https://certdesk.example.com"
    assert public_url({"CERTDESK_BIND": "10.1.2.3:8443"}) == "http://10.1.2.3:8443"


def test_the_derived_host_is_served_by_default():
    assert allowed_hosts_default("http://cd1.example.com:8443")[-1] == "cd1.example.com"
    assert allowed_hosts_default("http://127.0.0.1:8000") == ["localhost", "127.0.0.1", "[::1]"]


def test_settings_and_the_new_ca_form_use_the_url_derived_from_make_runs_bind(tmp_path):
    env = {**_clean_env(tmp_path), "DEBUG": "true", "CERTDESK_BIND": "0.0.0.0:8443"}
    script = (
        "import django, socket; django.setup(); from django.conf import settings; "
        "from certauthority.forms import CACreateForm; "
        "print(settings.CERTDESK_PUBLIC_URL); print(CACreateForm()['base_url'].initial); "
        "print(socket.getfqdn())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    url, initial, fqdn = result.stdout.split()
    assert url == initial == f"http://{fqdn}:8443"

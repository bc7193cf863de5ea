"""`python manage.py pki …`: every verb with good and bad input (SPEC Appendix C, R4.3, R4.4).

Most tests use call_command (fast); a few run manage.py in a subprocess for exit codes.
Bad input always means exit 1, one line on stderr, and no file created or changed.
"""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.management import CommandError, call_command

from certauthority.pki.bundle import load_certificates
from certauthority.pki.files import MAX_INPUT_BYTES
from certauthority.pki.keys import load_private_key
from tests.pki.chains import DAY, Issued, make_cert, standard_pki

MATCH_SUCCESS = "SUCCESS: Key and certificate pair match"
MATCH_FAILURE = "FAILURE: Key and certificate problem: certificate and key do not match"


@dataclass
class Result:
    code: int
    out: str
    err: str


def pki(directory: Path, *args: str) -> Result:
    out, err = StringIO(), StringIO()
    try:
        call_command("pki", "--dir", str(directory), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    except CommandError as exc:  # argparse errors under call_command
        code = 2
        err.write(str(exc))
    return Result(code, out.getvalue(), err.getvalue())


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(directory.iterdir())
    }


def assert_failed_cleanly(result: Result, before: dict, directory: Path) -> None:
    assert result.code == 1, result
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err
    assert snapshot(directory) == before


def key_pem(key, password: bytes | None = None) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


@pytest.fixture(scope="module")
def chain():
    import datetime as dt

    return standard_pki(dt.datetime.now(dt.UTC))


@pytest.fixture
def sftp(tmp_path: Path) -> Path:
    directory = tmp_path / "sftp"
    directory.mkdir()
    return directory


def put(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


# --- csr and selfsigned ---------------------------------------------------------------


def test_csr_writes_a_private_key_and_a_csr_openssl_verifies(sftp: Path, openssl) -> None:
    result = pki(
        sftp,
        "csr",
        "xmpp",
        "CN:xmpp.example.com",
        'O:"Example Inc."',
        "C:GB",
        "subjectAltName:example.com",
        "--key-type",
        "ec256",
    )
    assert result.code == 0, result.err
    assert stat.S_IMODE((sftp / "xmpp.key").stat().st_mode) == 0o600
    verified = openssl("req", "-in", sftp / "xmpp.csr", "-verify", "-noout", "-text")
    assert verified.returncode == 0
    assert "DNS:xmpp.example.com, DNS:example.com" in verified.stdout
    assert openssl("pkey", "-in", sftp / "xmpp.key", "-noout").returncode == 0
    assert "Subject: CN=xmpp.example.com, O=Example Inc., C=GB" in result.out


def test_csr_warns_when_it_removes_spaces_from_the_san_list(sftp: Path) -> None:
    result = pki(
        sftp,
        "csr",
        "cb",
        "CN:cb.example.com",
        "subjectAltName:a.example.com,",
        "b.example.com",
        "--key-type",
        "ec256",
    )
    assert result.code == 0
    assert "Warning: Removed spaces around commas in subjectAltName" in result.err
    assert "DNS:cb.example.com, DNS:a.example.com, DNS:b.example.com" in result.out


def test_csr_never_overwrites_without_force(sftp: Path) -> None:
    assert pki(sftp, "csr", "web", "CN:web.example.com", "--key-type", "ec256").code == 0
    before = snapshot(sftp)
    result = pki(sftp, "csr", "web", "CN:other.example.com", "--key-type", "ec256")
    assert_failed_cleanly(result, before, sftp)
    assert "--force" in result.err
    assert (
        pki(sftp, "csr", "web", "CN:other.example.com", "--key-type", "ec256", "--force").code == 0
    )
    assert snapshot(sftp)["web.csr"] != before["web.csr"]


@pytest.mark.parametrize(
    "args",
    [
        ["web.key", "CN:web.example.com"],
        ["web", "C:GBR", "CN:web.example.com"],
        ["web", "O:Example"],
        ["web", "CN:web.example.com", "subjectAltName:bad_name.example.com"],
    ],
    ids=["basename with a dot", "three-letter country", "no CN", "malformed SAN"],
)
def test_csr_with_bad_arguments_creates_nothing(sftp: Path, args: list[str]) -> None:
    result = pki(sftp, "csr", *args, "--key-type", "ec256")
    assert_failed_cleanly(result, {}, sftp)


def test_selfsigned_writes_a_key_and_certificate_that_match_and_verify(sftp: Path) -> None:
    result = pki(
        sftp, "selfsigned", "lab", "CN:lab.example.com", "--days", "30", "--key-type", "ec256"
    )
    assert result.code == 0, result.err
    assert "test labs only" in result.err
    assert stat.S_IMODE((sftp / "lab.key").stat().st_mode) == 0o600
    assert pki(sftp, "match", "lab.key", "lab.crt").out.strip() == MATCH_SUCCESS
    assert pki(sftp, "verify", "lab.crt", "lab.crt").code == 0


def test_selfsigned_without_attributes_uses_the_basename_as_cn(sftp: Path) -> None:
    assert pki(sftp, "selfsigned", "webadmin", "--key-type", "ec256").code == 0
    cert = x509.load_pem_x509_certificate((sftp / "webadmin.crt").read_bytes())
    assert cert.subject.rfc4514_string() == "CN=webadmin"


# --- match -------------------------------------------------------------------------------


def test_match_prints_the_meeting_servers_success_line(sftp: Path, chain) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key))
    put(sftp, "cb.crt", chain.leaf.pem)
    result = pki(sftp, "match", "cb.key", "cb.crt")
    assert (result.code, result.out.strip()) == (0, MATCH_SUCCESS)


def test_match_prints_the_meeting_servers_failure_line(sftp: Path, chain) -> None:
    put(sftp, "cb.key", key_pem(chain.inter.key))
    put(sftp, "cb.crt", chain.leaf.pem)
    before = snapshot(sftp)
    result = pki(sftp, "match", "cb.key", "cb.crt")
    assert_failed_cleanly(result, before, sftp)
    assert result.err.strip() == MATCH_FAILURE


def test_match_reads_der_files_whatever_their_extension(sftp: Path, chain) -> None:
    put(
        sftp,
        "cb.pem",
        chain.leaf.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    put(sftp, "cb.key", chain.leaf.cert.public_bytes(serialization.Encoding.DER))
    assert pki(sftp, "match", "cb.pem", "cb.key").out.strip() == MATCH_SUCCESS


def test_match_asks_to_unlock_an_encrypted_key_first(sftp: Path, chain) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key, b"pw"))
    put(sftp, "cb.crt", chain.leaf.pem)
    before = snapshot(sftp)
    result = pki(sftp, "match", "cb.key", "cb.crt")
    assert_failed_cleanly(result, before, sftp)
    assert "pki unlock cb.key" in result.err


def test_match_says_when_the_files_are_given_the_wrong_way_round(sftp: Path, chain) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key))
    put(sftp, "cb.crt", chain.leaf.pem)
    result = pki(sftp, "match", "cb.crt", "cb.key")
    assert result.code == 1
    assert "cb.crt is a certificate, not a private key" in result.err


# --- verify ------------------------------------------------------------------------------


def test_verify_succeeds_through_a_bundle_and_ca(sftp: Path, chain) -> None:
    put(sftp, "cb.crt", chain.leaf.pem)
    put(sftp, "bundle.crt", chain.inter.pem)
    put(sftp, "root.crt", chain.root.pem)
    result = pki(sftp, "verify", "cb.crt", "bundle.crt", "root.crt")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "SUCCESS: certificate verified"
    assert "depth=2 CN=Example Root CA" in result.out


def test_verify_trusts_the_root_at_the_end_of_a_shuffled_bundle(sftp: Path, chain) -> None:
    put(sftp, "cb.crt", chain.leaf.pem)
    put(sftp, "bundle.crt", chain.root.pem + chain.inter.pem)
    assert pki(sftp, "verify", "cb.crt", "bundle.crt").code == 0


def test_verify_reports_a_bundle_without_its_root_in_the_meeting_servers_words(
    sftp: Path, chain
) -> None:
    put(sftp, "cb.crt", chain.leaf.pem)
    put(sftp, "bundle.crt", chain.inter.pem)
    before = snapshot(sftp)
    result = pki(sftp, "verify", "cb.crt", "bundle.crt")
    assert_failed_cleanly(result, before, sftp)
    assert result.err.strip() == (
        "FAILURE: certificate verification error: depth=1 "
        "issuer=CN=Example Root CA, O=Example Inc., C=GB "
        "Verification error: unable to get issuer certificate"
    )


def test_verify_reports_an_expired_certificate(sftp: Path, chain) -> None:
    old = make_cert(
        "old.example.com",
        chain.inter,
        chain.now,
        not_before=chain.now - 90 * DAY,
        not_after=chain.now - DAY,
    )
    put(sftp, "old.crt", old.pem)
    put(sftp, "bundle.crt", chain.inter.pem + chain.root.pem)
    result = pki(sftp, "verify", "old.crt", "bundle.crt")
    assert result.code == 1
    assert result.err.strip().endswith(
        "depth=0 issuer=CN=Example Issuing CA, O=Example Inc., C=GB Verification error: certificate has expired"
    )


def test_verify_reports_a_missing_intermediate(sftp: Path, chain) -> None:
    put(sftp, "cb.crt", chain.leaf.pem)
    put(sftp, "root.crt", chain.root.pem)
    result = pki(sftp, "verify", "cb.crt", "root.crt", "root.crt")
    assert result.code == 1
    assert "depth=0" in result.err and "unable to get local issuer certificate" in result.err


def test_verify_agrees_with_openssl_through_the_command_line(sftp: Path, chain, openssl) -> None:
    forged = make_cert(
        "forged.example.com",
        chain.inter,
        chain.now,
        signing_key=Issued(chain.leaf.cert, chain.leaf.key).key,
        authority_key_id=False,
    )
    put(sftp, "forged.crt", forged.pem)
    put(sftp, "bundle.crt", chain.inter.pem + chain.root.pem)
    ours = pki(sftp, "verify", "forged.crt", "bundle.crt")
    theirs = openssl(
        "verify", "-no-CApath", "-no-CAstore", "-CAfile", sftp / "bundle.crt", sftp / "forged.crt"
    )
    assert ours.code == 1 and theirs.returncode != 0
    assert "certificate signature failure" in ours.err
    assert (
        "error 7 at 0 depth lookup: certificate signature failure" in theirs.stdout + theirs.stderr
    )


# --- unlock ------------------------------------------------------------------------------


def test_unlock_replaces_the_key_with_its_unencrypted_form(
    sftp: Path, chain, tmp_path: Path
) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key, b"Secret-1"))
    (sftp / "cb.key").chmod(0o644)
    password = put(tmp_path, "password.txt", b"Secret-1\n")
    result = pki(sftp, "unlock", "cb.key", "--password-file", str(password))
    assert result.code == 0, result.err
    key = load_private_key((sftp / "cb.key").read_bytes())
    assert key.private_numbers() == chain.leaf.key.private_numbers()
    assert stat.S_IMODE((sftp / "cb.key").stat().st_mode) == 0o600


def test_unlock_asks_for_the_password_when_no_file_is_given(sftp: Path, chain, monkeypatch) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key, b"Secret-1"))
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "Secret-1")
    assert pki(sftp, "unlock", "cb.key").code == 0
    assert prompts == ["Password for cb.key: "]


def test_unlock_with_a_wrong_password_leaves_the_key_untouched(
    sftp: Path, chain, tmp_path: Path
) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key, b"Secret-1"))
    before = snapshot(sftp)
    password = put(tmp_path, "password.txt", b"wrong\n")
    result = pki(sftp, "unlock", "cb.key", "--password-file", str(password))
    assert_failed_cleanly(result, before, sftp)
    assert "password" in result.err


def test_unlock_without_any_password_leaves_the_key_untouched(
    sftp: Path, chain, monkeypatch
) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key, b"Secret-1"))
    before = snapshot(sftp)

    def no_input(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("getpass.getpass", no_input)
    assert_failed_cleanly(pki(sftp, "unlock", "cb.key"), before, sftp)


def test_unlock_of_a_plain_key_changes_nothing(sftp: Path, chain) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key))
    before = snapshot(sftp)
    result = pki(sftp, "unlock", "cb.key")
    assert result.code == 0
    assert "not encrypted" in result.out
    assert snapshot(sftp) == before


# --- pkcs12-to-ssh -------------------------------------------------------------------------


@pytest.fixture
def p12(chain) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"admin",
        chain.leaf.key,
        chain.leaf.cert,
        None,
        serialization.BestAvailableEncryption(b"Secret-1"),
    )


def test_pkcs12_to_ssh_replaces_the_file_with_the_public_key_line(
    sftp: Path, p12: bytes, tmp_path: Path, chain
) -> None:
    put(sftp, "admin.pub", p12)
    password = put(tmp_path, "pw", b"Secret-1")
    result = pki(sftp, "pkcs12-to-ssh", "admin", "--password-file", str(password))
    assert result.code == 0, result.err
    text = (sftp / "admin.pub").read_text()
    assert text.startswith("ecdsa-sha2-nistp256 ") and text.endswith(" admin\n")
    assert text.count("\n") == 1
    key = serialization.load_ssh_public_key(text.encode())
    assert key.public_numbers() == chain.leaf.key.public_key().public_numbers()


def test_pkcs12_to_ssh_with_a_wrong_password_changes_nothing(
    sftp: Path, p12: bytes, tmp_path: Path
) -> None:
    put(sftp, "admin.pub", p12)
    before = snapshot(sftp)
    password = put(tmp_path, "pw", b"nope")
    result = pki(sftp, "pkcs12-to-ssh", "admin", "--password-file", str(password))
    assert_failed_cleanly(result, before, sftp)


def test_pkcs12_to_ssh_refuses_a_file_that_is_not_pkcs12(sftp: Path, chain) -> None:
    put(sftp, "admin.pub", chain.leaf.pem)
    before = snapshot(sftp)
    result = pki(sftp, "pkcs12-to-ssh", "admin")
    assert_failed_cleanly(result, before, sftp)
    assert "is a certificate, not a PKCS#12 file" in result.err


# --- split and bundle ---------------------------------------------------------------------


def test_split_writes_the_leaf_and_an_issuer_first_bundle_whatever_the_input_order(
    sftp: Path, chain
) -> None:
    put(sftp, "answer.pem", chain.root.pem + chain.leaf.pem + chain.inter.pem)
    result = pki(sftp, "split", "answer.pem", "webbridge")
    assert result.code == 0, result.err
    assert load_certificates((sftp / "webbridge.crt").read_bytes()) == [chain.leaf.cert]
    bundle = (sftp / "webbridge_bundle.crt").read_bytes()  # the install script's name
    assert load_certificates(bundle) == [chain.inter.cert, chain.root.cert]
    assert b"\n\n" not in bundle and bundle.endswith(b"-----END CERTIFICATE-----\n")


def test_split_refuses_certificates_of_two_chains(sftp: Path, chain) -> None:
    stranger = make_cert("Stranger", None, chain.now, ca=True)
    put(sftp, "answer.pem", chain.leaf.pem + chain.inter.pem + stranger.pem)
    before = snapshot(sftp)
    result = pki(sftp, "split", "answer.pem", "webbridge")
    assert_failed_cleanly(result, before, sftp)
    assert "CN=Stranger" in result.err


def test_bundle_orders_intermediates_from_issuer_to_root(sftp: Path, chain) -> None:
    put(sftp, "root.crt", chain.root.pem)
    put(sftp, "inter.crt", chain.inter.pem)
    result = pki(sftp, "bundle", "ca-bundle.crt", "root.crt", "inter.crt")
    assert result.code == 0, result.err
    assert load_certificates((sftp / "ca-bundle.crt").read_bytes()) == [
        chain.inter.cert,
        chain.root.cert,
    ]


def test_bundle_builds_a_trust_store_of_unrelated_call_bridge_certificates(
    sftp: Path, chain
) -> None:
    cb1 = make_cert("cb1.example.com", None, chain.now)
    cb2 = make_cert("cb2.example.com", None, chain.now)
    put(sftp, "cert1.crt", cb1.pem)
    put(sftp, "cert2.crt", cb2.pem)
    before = snapshot(sftp)
    assert_failed_cleanly(
        pki(sftp, "bundle", "combined.crt", "cert1.crt", "cert2.crt"), before, sftp
    )
    assert pki(sftp, "bundle", "combined.crt", "cert1.crt", "cert2.crt", "--trust-store").code == 0
    assert (sftp / "combined.crt").read_bytes() == cb1.pem + cb2.pem


@pytest.mark.parametrize("out", ["ca.bundle.crt", "../escape.crt", "noextension"])
def test_bundle_refuses_an_unusable_output_name(sftp: Path, chain, out: str) -> None:
    put(sftp, "root.crt", chain.root.pem)
    before = snapshot(sftp)
    assert_failed_cleanly(pki(sftp, "bundle", out, "root.crt"), before, sftp)


def test_bundle_never_overwrites_without_force(sftp: Path, chain) -> None:
    put(sftp, "root.crt", chain.root.pem)
    put(sftp, "out.crt", b"keep me")
    before = snapshot(sftp)
    assert_failed_cleanly(pki(sftp, "bundle", "out.crt", "root.crt"), before, sftp)


# --- list, inspect, openssl -------------------------------------------------------------------


def test_list_says_what_each_file_is(sftp: Path, chain) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key))
    put(sftp, "cb.crt", chain.leaf.pem)
    put(sftp, "huge.bin", b"0" * (MAX_INPUT_BYTES + 1))
    put(sftp, "notes.txt", b"hello")
    lines = pki(sftp, "list").out.splitlines()
    assert lines[0].startswith("cb.crt") and "certificate: CN=webbridge.example.com" in lines[0]
    expiry = chain.leaf.cert.not_valid_after_utc.strftime("%Y-%m-%d")
    assert lines[0].endswith(f"expires {expiry}")
    assert lines[1].startswith("cb.key") and "private key (EC P-256)" in lines[1]
    assert "larger than" in lines[2]
    assert lines[3].startswith("notes.txt") and lines[3].endswith("unknown")


def test_inspect_shows_the_details_of_a_certificate(sftp: Path, chain) -> None:
    put(sftp, "cb.cer", chain.leaf.cert.public_bytes(serialization.Encoding.DER))
    result = pki(sftp, "inspect", "cb.cer")
    assert result.code == 0
    assert "Type: certificate (DER)" in result.out
    assert "Subject alternative names: DNS:webbridge.example.com" in result.out
    assert (
        "Validity: valid, 364 days left" in result.out
        or "Validity: valid, 365 days left" in result.out
    )


def test_openssl_prints_equivalent_commands(sftp: Path) -> None:
    result = pki(sftp, "openssl", "xmpp", "CN:xmpp.example.com", "subjectAltName:example.com")
    assert result.code == 0
    assert "-addext subjectAltName=DNS:xmpp.example.com,DNS:example.com" in result.out
    assert list(sftp.iterdir()) == []


BAD_FILES = {
    "empty file": b"",
    "random bytes": random.Random(7).randbytes(1500),
    "truncated PEM": None,  # filled in by the test (needs a certificate)
    "unknown PEM header": b"-----BEGIN SOMETHING ELSE-----\nAAAA\n-----END SOMETHING ELSE-----\n",
    "DER of another type": bytes.fromhex("3006020101020102"),
    "file above the size limit": b"-----BEGIN CERTIFICATE-----\n" + b"A" * MAX_INPUT_BYTES,
}


@pytest.mark.parametrize(
    "verb", ["inspect", "match-key", "match-cert", "verify", "split", "bundle", "unlock"]
)
@pytest.mark.parametrize("bad", BAD_FILES.keys())
def test_every_verb_refuses_bad_input_with_one_line_and_changes_nothing(
    sftp: Path, chain, verb: str, bad: str
) -> None:
    data = BAD_FILES[bad]
    if data is None:
        data = chain.leaf.pem[: len(chain.leaf.pem) // 2]
    put(sftp, "bad.crt", data)
    put(sftp, "good.key", key_pem(chain.leaf.key))
    put(sftp, "good.crt", chain.leaf.pem)
    put(sftp, "bundle.crt", chain.inter.pem + chain.root.pem)
    before = snapshot(sftp)
    args = {
        "inspect": ["inspect", "bad.crt"],
        "match-key": ["match", "bad.crt", "good.crt"],
        "match-cert": ["match", "good.key", "bad.crt"],
        "verify": ["verify", "bad.crt", "bundle.crt"],
        "split": ["split", "bad.crt", "out"],
        "bundle": ["bundle", "out.crt", "good.crt", "bad.crt"],
        "unlock": ["unlock", "bad.crt"],
    }[verb]
    assert_failed_cleanly(pki(sftp, *args), before, sftp)


def test_inspect_refuses_a_csr_whose_signature_is_broken(sftp: Path) -> None:
    assert pki(sftp, "csr", "x", "CN:x.example.com", "--key-type", "ec256").code == 0
    assert pki(sftp, "inspect", "x.csr").code == 0
    csr = x509.load_pem_x509_csr((sftp / "x.csr").read_bytes())
    der = bytearray(csr.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 1
    put(sftp, "x.csr", bytes(der))
    before = snapshot(sftp)
    result = pki(sftp, "inspect", "x.csr")
    assert_failed_cleanly(result, before, sftp)
    assert "signature does not verify" in result.err


def test_a_missing_file_or_a_path_outside_the_directory_is_refused(sftp: Path) -> None:
    assert_failed_cleanly(pki(sftp, "inspect", "nothere.crt"), {}, sftp)
    assert_failed_cleanly(pki(sftp, "inspect", "../etc/passwd"), {}, sftp)


def test_a_directory_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    result = pki(tmp_path / "missing", "list")
    assert result.code == 1
    assert "is not a directory" in result.err


def test_wrong_usage_is_refused_by_argparse(sftp: Path) -> None:
    assert pki(sftp, "frobnicate").code == 2
    assert pki(sftp, "match", "only-one").code == 2
    assert pki(sftp, "csr", "x", "CN:x.example.com", "--key-type", "dsa").code == 2


# --- real processes: exit codes as a shell sees them -------------------------------------------


def run_manage(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "pki",
            "--dir",
            str(directory),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )


def test_the_process_exits_0_1_and_2(sftp: Path, chain) -> None:
    put(sftp, "cb.key", key_pem(chain.leaf.key))
    put(sftp, "cb.crt", chain.leaf.pem)
    put(sftp, "other.crt", chain.inter.pem)
    put(sftp, "junk.crt", b"\x00\x01junk")

    ok = run_manage(sftp, "match", "cb.key", "cb.crt")
    assert (ok.returncode, ok.stdout.strip()) == (0, MATCH_SUCCESS)

    mismatch = run_manage(sftp, "match", "cb.key", "other.crt")
    assert (mismatch.returncode, mismatch.stderr.strip()) == (1, MATCH_FAILURE)

    junk = run_manage(sftp, "inspect", "junk.crt")
    assert junk.returncode == 1
    assert len(junk.stderr.strip().splitlines()) == 1
    assert "Traceback" not in junk.stderr

    usage = run_manage(sftp, "inspect")
    assert usage.returncode == 2
    assert "usage:" in usage.stderr


def test_match_finds_the_key_in_a_file_that_also_holds_the_certificate(sftp: Path, chain) -> None:
    put(sftp, "combined.pem", key_pem(chain.leaf.key) + chain.leaf.pem)
    result = pki(sftp, "match", "combined.pem", "combined.pem")
    assert result.out.strip() == MATCH_SUCCESS


def test_inspect_lists_each_part_of_a_mixed_file(sftp: Path, chain) -> None:
    put(sftp, "combined.pem", key_pem(chain.leaf.key) + chain.leaf.pem)
    result = pki(sftp, "inspect", "combined.pem")
    assert result.code == 0
    assert "Item 1:" in result.out and "Item 2:" in result.out
    assert "  Type: private key (PEM)" in result.out


def test_unlock_refuses_a_file_that_holds_more_than_a_key(
    sftp: Path, chain, tmp_path: Path
) -> None:
    put(sftp, "combined.pem", key_pem(chain.leaf.key, b"pw") + chain.leaf.pem)
    before = snapshot(sftp)
    password = put(tmp_path, "pw", b"pw")
    result = pki(sftp, "unlock", "combined.pem", "--password-file", str(password))
    assert_failed_cleanly(result, before, sftp)
    assert "several kinds of content" in result.err

"""Chain verification agrees with `openssl verify` (SPEC R1.3, R4.3, R4.4)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from certauthority.pki.chain import build_chain, verify_chain
from certauthority.pki.names import format_name

from .chains import Case, corpus, make_cert

AT = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=dt.UTC)
CASES = corpus(AT)
_ERROR = re.compile(r"error (\d+) at (\d+) depth lookup: (.+)")


def _pem(certs) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def openssl_verdict(openssl, tmp_path: Path, case: Case) -> tuple[bool, int | None, str | None]:
    """Run `openssl verify` at AT; return (ok, depth, reason) of its first error."""
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(_pem([case.leaf]))
    args = ["verify", "-no-CApath", "-no-CAstore", "-attime", str(int(AT.timestamp()))]
    if case.trusted:
        (tmp_path / "ca.pem").write_bytes(_pem(case.trusted))
        args += ["-CAfile", tmp_path / "ca.pem"]
        if case.untrusted:
            (tmp_path / "bundle.pem").write_bytes(_pem(case.untrusted))
            args += ["-untrusted", tmp_path / "bundle.pem"]
    else:
        # The two-argument form: the bundle is the CA file.
        (tmp_path / "bundle.pem").write_bytes(_pem(case.untrusted))
        args += ["-CAfile", tmp_path / "bundle.pem"]
    result = openssl(*args, leaf)
    match = _ERROR.search(result.stdout + result.stderr)
    ok = result.returncode == 0 and match is None
    if match is None:
        return ok, None, None
    return ok, int(match.group(2)), match.group(3).strip()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_it_agrees_with_openssl_verify(case: Case, openssl, tmp_path: Path) -> None:
    ours = verify_chain(case.leaf, case.untrusted, case.trusted, AT)
    theirs = openssl_verdict(openssl, tmp_path, case)
    assert (ours.ok, ours.depth, ours.reason) == theirs
    # And the corpus says what it means to test.
    assert ours.ok is case.expect_ok
    assert ours.reason == case.expect_reason
    assert ours.depth == case.expect_depth


def test_it_reports_the_failing_certificates_issuer_like_the_meeting_server(pki) -> None:
    result = verify_chain(pki.leaf.cert, [pki.inter.cert], [], pki.now)
    assert result.error_line() == (
        "certificate verification error: depth=1 "
        "issuer=CN=Example Root CA, O=Example Inc., C=GB "
        "Verification error: unable to get issuer certificate"
    )


def test_it_names_the_missing_issuer_when_the_intermediate_is_left_out(pki) -> None:
    result = verify_chain(pki.leaf.cert, [], [pki.root.cert], pki.now)
    assert not result.ok
    assert format_name(result.issuer) == "CN=Example Issuing CA, O=Example Inc., C=GB"
    assert result.depth == 0


def test_it_returns_the_chain_leaf_first_and_root_last(pki) -> None:
    result = verify_chain(pki.leaf.cert, [pki.root.cert, pki.inter.cert], [pki.root.cert], pki.now)
    assert result.ok
    assert result.chain == [pki.leaf.cert, pki.inter.cert, pki.root.cert]
    assert result.error_line() == ""


def test_it_builds_an_incomplete_chain_as_far_as_it_goes(pki) -> None:
    chain = build_chain(pki.leaf.cert, [pki.inter.cert], [], pki.now)
    assert chain == [pki.leaf.cert, pki.inter.cert]


def test_it_treats_a_not_after_equal_to_now_as_expired_like_openssl(pki) -> None:
    leaf = make_cert("edge.example.com", pki.inter, pki.now, not_after=pki.now)
    result = verify_chain(leaf.cert, [pki.inter.cert], [pki.root.cert], pki.now)
    assert result.reason == "certificate has expired"

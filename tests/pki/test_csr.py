"""The `pki csr` grammar, CSR building and checking, judged by openssl (SPEC R3.2 to R3.10)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from certauthority.pki.csr import (
    build_csr,
    check_csr,
    csr_subject_and_san,
    load_csr,
    parse_csr_arguments,
    validate_basename,
)
from certauthority.pki.errors import PKIError
from certauthority.pki.keys import KeyType
from certauthority.pki.names import format_name, general_name_value
from certauthority.pki.openssl_commands import csr_commands, selfsigned_command

# Every `pki csr` example of the guide (SPEC R3.3 to R3.10, Appendix C): the arguments
# as the shell hands them over, the subject we expect, and the SAN list we expect.
SPEC_EXAMPLES = [
    pytest.param(
        [
            "CN:example.com",
            "subjectAltName:callbridge1.example.com,callbridge2.example.com,"
            "callbridge3.example.com,xmppserver.example.com,webbridge.example.com",
        ],
        "CN=example.com",
        [
            "example.com",
            "callbridge1.example.com",
            "callbridge2.example.com",
            "callbridge3.example.com",
            "xmppserver.example.com",
            "webbridge.example.com",
        ],
        id="R3.5 one certificate for several components",
    ),
    pytest.param(
        [
            "CN:example.com",
            "subjectAltName:callbridge1.example.com,xmppserver.example.com,"
            "webbridge.example.com,example.com",
        ],
        "CN=example.com",
        [
            "callbridge1.example.com",
            "xmppserver.example.com",
            "webbridge.example.com",
            "example.com",
        ],
        id="R3.5 the domain repeated in the SAN list is kept once",
    ),
    pytest.param(
        ["CN:webbridge.example.com"],
        "CN=webbridge.example.com",
        [],
        id="R3.6 web bridge without a SAN list",
    ),
    pytest.param(
        ["CN:webbridge.example.com", "subjectAltName:join.example.com"],
        "CN=webbridge.example.com",
        ["webbridge.example.com", "join.example.com"],
        id="R3.6 web bridge with a SAN list holds its FQDN",
    ),
    pytest.param(
        ["CN:xmpp.example.com", "subjectAltName:example.com"],
        "CN=xmpp.example.com",
        ["xmpp.example.com", "example.com"],
        id="R3.7 XMPP server and domain",
    ),
    pytest.param(
        ["CN:*.example.com", "subjectAltName:example.com"],
        "CN=*.example.com",
        ["*.example.com", "example.com"],
        id="R3.7 wildcard XMPP",
    ),
    pytest.param(["CN:edge1.example.com"], "CN=edge1.example.com", [], id="R3.8 load balancer"),
    pytest.param(["CN:core.example.com"], "CN=core.example.com", [], id="R3.8 trunk"),
    pytest.param(
        ["CN:db1.example.com", "subjectAltName:db2.example.com,db3.example.com"],
        "CN=db1.example.com",
        ["db1.example.com", "db2.example.com", "db3.example.com"],
        id="R3.9 database server for every host",
    ),
    pytest.param(["CN:postgres"], "CN=postgres", [], id="R3.9 database client"),
    pytest.param(["CN:turn.example.com"], "CN=turn.example.com", [], id="R3.10 TURN"),
    pytest.param(
        [
            "CN:www.example.com",
            "OU:IT",
            'O:"Example Inc."',
            "L:London",
            "ST:England",
            "C:GB",
            "emailAddress:pki@example.com",
        ],
        "emailAddress=pki@example.com, CN=www.example.com, OU=IT, O=Example Inc., "
        "L=London, ST=England, C=GB",
        [],
        id="R3.3 every attribute, quoted organisation",
    ),
    pytest.param(
        ["CN:cms.example.com", "subjectAltName:10.0.0.1,cms2.example.com,*.example.com"],
        "CN=cms.example.com",
        ["cms.example.com", "10.0.0.1", "cms2.example.com", "*.example.com"],
        id="Appendix C SAN mixing IPs, DNS names and wildcards",
    ),
]


@pytest.mark.parametrize(("args", "subject", "san"), SPEC_EXAMPLES)
def test_every_spec_example_yields_the_expected_subject_and_san(
    args: list[str], subject: str, san: list[str], ec_key
) -> None:
    request = parse_csr_arguments(args)
    csr = build_csr(ec_key, request)
    name, alt_names = csr_subject_and_san(csr)
    assert format_name(name) == subject
    assert [general_name_value(n) for n in alt_names] == san


def test_it_reads_attribute_names_in_any_case() -> None:
    request = parse_csr_arguments(["cn:a.example.com", "o:Example", "SUBJECTALTNAME:b.example.com"])
    assert request.attributes == {"cn": "a.example.com", "o": "Example"}
    assert request.alt_name_values() == ["a.example.com", "b.example.com"]


@pytest.mark.parametrize(
    "arg", ['O:"Example Inc."', "O:Example Inc.", "O:'Example Inc.'", '"O:Example Inc."']
)
def test_it_accepts_a_quoted_value_whether_or_not_the_shell_removed_the_quotes(arg: str) -> None:
    assert parse_csr_arguments(["CN:a.example.com", arg]).attributes["o"] == "Example Inc."


def test_it_removes_spaces_around_commas_with_a_warning() -> None:
    request = parse_csr_arguments(
        ["CN:a.example.com", "subjectAltName:b.example.com , c.example.com"]
    )
    assert request.alt_name_values() == ["a.example.com", "b.example.com", "c.example.com"]
    assert any("spaces" in w for w in request.warnings)


def test_it_rejoins_a_san_list_the_shell_split_at_a_space_after_a_comma() -> None:
    request = parse_csr_arguments(
        ["CN:a.example.com", "subjectAltName:b.example.com,", "c.example.com"]
    )
    assert request.alt_name_values() == ["a.example.com", "b.example.com", "c.example.com"]
    assert request.warnings


def test_it_adds_the_cn_to_the_san_list_once_whatever_its_case() -> None:
    request = parse_csr_arguments(["CN:Example.COM", "subjectAltName:example.com,a.example.com"])
    assert request.alt_name_values() == ["example.com", "a.example.com"]
    assert any("repeat" in w for w in request.warnings)


def test_it_upper_cases_a_lower_case_country_code() -> None:
    request = parse_csr_arguments(["CN:a.example.com", "C:gb"])
    assert request.subject().get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "GB"


def test_it_warns_about_an_abbreviated_state() -> None:
    # SPEC R1.2: ST is written out in full, never abbreviated.
    warnings = parse_csr_arguments(["CN:a.example.com", "ST:CA"]).warnings
    assert len(warnings) == 1
    assert warnings[0].startswith("ST:CA looks abbreviated")
    assert parse_csr_arguments(["CN:a.example.com", "ST:California"]).warnings == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "CN is required"),
        (["O:Example"], "CN is required"),
        (["CN:a.example.com", "C:GBR"], "two-letter"),
        (["CN:a.example.com", "C:G1"], "two-letter"),
        (["CN:a.example.com", "XX:y"], "NAME:value"),
        (["a.example.com"], "NAME:value"),
        (["CN:a.example.com", "CN:b.example.com"], "twice"),
        (["CN:"], "no value"),
        (["CN:a.example.com", "subjectAltName:b.example.com,,c.example.com"], "empty entry"),
        (["CN:a.example.com", "subjectAltName:b.example.com,"], "empty entry"),
        (["CN:a.example.com", "subjectAltName:bad_name.example.com"], "not a valid DNS name"),
        (["CN:a.example.com", "subjectAltName:www.*.example.com"], "not a valid DNS name"),
        (["CN:a.example.com", "emailAddress:nobody"], "not an e-mail address"),
        (["CN:" + "a" * 65], "limit is 64"),
    ],
)
def test_it_refuses_bad_arguments_with_a_clear_message(args: list[str], fragment: str) -> None:
    with pytest.raises(PKIError, match=fragment):
        parse_csr_arguments(args)


@pytest.mark.parametrize("basename", ["webbridge", "edge-1", "core_2", "CB1"])
def test_it_accepts_a_basename_of_letters_digits_hyphens_and_underscores(basename: str) -> None:
    assert validate_basename(basename) == basename


def test_it_rejects_a_basename_with_a_dot() -> None:
    with pytest.raises(PKIError, match=r"contains '\.'"):
        validate_basename("webbridge.key")


@pytest.mark.parametrize(
    "basename", ["", "web bridge", "../etc", "web/bridge", "caf\u00e9", "x" * 101]
)
def test_it_rejects_a_basename_with_other_characters(basename: str) -> None:
    with pytest.raises(PKIError):
        validate_basename(basename)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_openssl_verifies_our_csr_and_reads_its_names(ec_key, openssl, tmp_path: Path) -> None:
    request = parse_csr_arguments(
        ["CN:xmpp.example.com", 'O:"Example Inc."', "C:GB", "subjectAltName:example.com,10.0.0.1"]
    )
    csr = build_csr(ec_key, request)
    path = _write(tmp_path / "x.csr", csr.public_bytes(serialization.Encoding.PEM))
    result = openssl("req", "-in", path, "-verify", "-noout", "-text")
    assert result.returncode == 0, result.stderr
    assert "verify OK" in result.stdout + result.stderr
    assert "DNS:xmpp.example.com, DNS:example.com, IP Address:10.0.0.1" in result.stdout
    assert "ecdsa-with-SHA256" in result.stdout


def test_our_rsa_csr_is_signed_with_sha256(rsa_key, openssl, tmp_path: Path) -> None:
    csr = build_csr(rsa_key, parse_csr_arguments(["CN:a.example.com"]))
    path = _write(tmp_path / "a.csr", csr.public_bytes(serialization.Encoding.PEM))
    result = openssl("req", "-in", path, "-verify", "-noout", "-text")
    assert result.returncode == 0
    assert "sha256WithRSAEncryption" in result.stdout


@pytest.mark.parametrize("outform", ["PEM", "DER"])
def test_it_reads_a_csr_made_by_openssl(outform: str, openssl, tmp_path: Path) -> None:
    result = openssl(
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        tmp_path / "k.key",
        "-out",
        tmp_path / "k.csr",
        "-outform",
        outform,
        "-subj",
        "/C=GB/O=Example Inc./CN=cms.example.com",
        "-addext",
        "subjectAltName=DNS:cms.example.com,IP:10.1.1.1",
    )
    assert result.returncode == 0, result.stderr
    csr = load_csr((tmp_path / "k.csr").read_bytes())
    check_csr(csr)
    subject, san = csr_subject_and_san(csr)
    assert format_name(subject) == "CN=cms.example.com, O=Example Inc., C=GB"
    assert [general_name_value(n) for n in san] == ["cms.example.com", "10.1.1.1"]


def test_check_csr_refuses_a_csr_whose_signature_is_broken(ec_key) -> None:
    csr = build_csr(ec_key, parse_csr_arguments(["CN:a.example.com"]))
    der = bytearray(csr.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01
    with pytest.raises(PKIError, match="signature does not verify"):
        check_csr(load_csr(bytes(der)))


def test_check_csr_refuses_a_sha1_signed_csr(openssl, tmp_path: Path) -> None:
    result = openssl(
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha1",
        "-keyout",
        tmp_path / "k",
        "-out",
        tmp_path / "c",
        "-subj",
        "/CN=old.example.com",
    )
    assert result.returncode == 0, result.stderr
    with pytest.raises(PKIError, match="SHA-1"):
        check_csr(load_csr((tmp_path / "c").read_bytes()))


def test_check_csr_refuses_a_weak_rsa_key(openssl, tmp_path: Path) -> None:
    result = openssl(
        "req",
        "-new",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-keyout",
        tmp_path / "k",
        "-out",
        tmp_path / "c",
        "-subj",
        "/CN=weak.example.com",
    )
    assert result.returncode == 0, result.stderr
    with pytest.raises(PKIError, match="1024 bits is too weak"):
        check_csr(load_csr((tmp_path / "c").read_bytes()))


def test_build_csr_refuses_a_weak_key() -> None:
    weak = rsa.generate_private_key(65537, 1024)  # noqa: S505 - the point of the test
    with pytest.raises(PKIError, match="too weak"):
        build_csr(weak, parse_csr_arguments(["CN:a.example.com"]))


@pytest.mark.parametrize("data", [b"", b"junk", b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"])
def test_load_csr_refuses_what_is_not_a_csr(data: bytes) -> None:
    with pytest.raises(PKIError):
        load_csr(data)


@pytest.mark.parametrize(
    "args",
    [
        [
            "CN:xmpp.example.com",
            'O:"Example Inc. / Labs"',
            "C:GB",
            "subjectAltName:example.com,10.0.0.1",
        ],
        ["CN:*.example.com", "OU:IT's team", "L:St. Albans", "emailAddress:pki@example.com"],
        # Issue 9 item 8: '+' in -subj starts another attribute of the same RDN, and '/'
        # another RDN: neither may add a CN the admin did not type.
        ["CN:x.example.com", "OU:R&D+CN=evil.example.com", "O:A/CN=b", "L:a\\"],
    ],
)
def test_the_openssl_commands_produce_the_same_subject_and_san(
    args: list[str], ec_key, tmp_path: Path
) -> None:
    request = parse_csr_arguments(args)
    ours = build_csr(ec_key, request)
    commands = csr_commands("same", request, KeyType.EC256)
    subprocess.run(
        shlex.split(commands["new_key_and_csr"]), cwd=tmp_path, check=True, capture_output=True
    )
    theirs = load_csr((tmp_path / "same.csr").read_bytes())
    assert theirs.subject == ours.subject
    assert csr_subject_and_san(theirs)[1] == csr_subject_and_san(ours)[1]

    (tmp_path / "same.csr").unlink()
    subprocess.run(
        shlex.split(commands["csr_for_existing_key"]), cwd=tmp_path, check=True, capture_output=True
    )
    assert load_csr((tmp_path / "same.csr").read_bytes()).subject == ours.subject

    subprocess.run(
        shlex.split(selfsigned_command("lab", request, 30, KeyType.EC256)),
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    cert = x509.load_pem_x509_certificate((tmp_path / "lab.crt").read_bytes())
    assert cert.subject == ours.subject


def test_the_openssl_commands_follow_the_guides_shape() -> None:
    request = parse_csr_arguments(["CN:a.example.com"])
    assert csr_commands("a", request)["new_key_and_csr"].startswith(
        "openssl req -out a.csr -new -newkey rsa:2048 -nodes -keyout a.key"
    )

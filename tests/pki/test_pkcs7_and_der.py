"""PKCS#7 bundles as ``openssl crl2pkcs7`` writes them, and the DER reader under them
(issue 9, finding 7; SPEC Appendix B).

``openssl crl2pkcs7 -nocrl -certfile chain.pem`` keeps the file's order in the certificates
SET, which is not DER's sorted order: ``cryptography`` warns that it falls back to BER, and a
later release may refuse. With warnings turned into errors, CertDesk still reads both forms.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from certauthority.pki import der
from certauthority.pki.bundle import load_certificates
from certauthority.pki.errors import PKIError
from certauthority.pki.inspect import Kind, detect
from certauthority.pki.pkcs7 import pkcs7_certificates

from .chains import standard_pki


@pytest.fixture(scope="module")
def chain_files(tmp_path_factory, openssl):
    pki = standard_pki(dt.datetime.now(dt.UTC))
    directory: Path = tmp_path_factory.mktemp("p7")
    # Leaf first, root last: a SET order that is not DER's (the root sorts elsewhere).
    certs = [pki.leaf.cert, pki.inter.cert, pki.root.cert]
    chain = directory / "chain.pem"
    chain.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    for form in ("PEM", "DER"):
        openssl("crl2pkcs7", "-nocrl", "-certfile", chain, "-outform", form,
                "-out", directory / f"chain.p7b.{form.lower()}", check=True)  # fmt: skip
    return certs, directory


@pytest.mark.parametrize("form", ["pem", "der"])
def test_openssl_crl2pkcs7_output_loads_without_any_warning(chain_files, form):
    certs, directory = chain_files
    data = (directory / f"chain.p7b.{form}").read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_certificates(data)
        found = detect(data)
    assert [c.subject for c in loaded] == [c.subject for c in certs]
    assert found.kind is Kind.BUNDLE
    assert found.summary == "certificate bundle of 3"


def test_the_certificates_come_out_as_openssl_lists_them(chain_files, openssl):
    _certs, directory = chain_files
    listed = openssl("pkcs7", "-in", directory / "chain.p7b.pem", "-print_certs", check=True)
    subjects = [line for line in listed.stdout.splitlines() if line.startswith("subject=")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_certificates((directory / "chain.p7b.pem").read_bytes())
    assert len(loaded) == len(subjects) == 3


def test_a_ber_pkcs7_with_indefinite_lengths_loads_too(chain_files):
    """Windows writes .p7b files with BER indefinite lengths; re-wrap openssl's DER so."""
    _certs, directory = chain_files
    top = der.parse((directory / "chain.p7b.der").read_bytes())
    oid, wrapper = top.children()
    signed = wrapper.children()[0]
    ber_signed = b"\x30\x80" + b"".join(c.raw for c in signed.children()) + b"\x00\x00"
    ber = b"\x30\x80" + oid.raw + b"\xa0\x80" + ber_signed + b"\x00\x00\x00\x00"
    assert len(pkcs7_certificates(ber)) == 3


def test_a_truncated_pkcs7_is_refused_with_a_message(chain_files):
    _certs, directory = chain_files
    data = (directory / "chain.p7b.der").read_bytes()
    with pytest.raises(PKIError, match="PKCS#7"):
        pkcs7_certificates(data[: len(data) // 2] + b"\x00" * 4)


@pytest.mark.parametrize(
    "data",
    [
        b"\x30\x80" * 10_000,  # indefinite lengths nested past any real file
        b"\x30\x84\xff\xff\xff\xff",  # a length far beyond the data
        b"\x30\x85\x01\x00\x00\x00\x00",  # a five-byte length
        b"\x04\x80\x00\x00",  # indefinite length on a primitive
        b"\x1f\xff\xff\xff\xff\x01\x00",  # a tag number that never ends
        b"",
    ],
)
def test_the_der_reader_refuses_hostile_structures(data):
    with pytest.raises(der.DerError):
        der.parse(data)


def test_the_der_reader_reads_integers_and_oids():
    element = der.parse(bytes.fromhex("300b06092a864886f70d010702"))
    (oid,) = element.children()
    assert der.oid(oid) == "1.2.840.113549.1.7.2"
    assert der.integer(der.parse(bytes.fromhex("0203010000"))) == 65536
    with pytest.raises(der.DerError):
        der.integer(der.parse(bytes.fromhex("0201ff")))  # negative

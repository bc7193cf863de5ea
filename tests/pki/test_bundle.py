"""Bundles: order, split, format (SPEC R1.4, R3.11, R4.7.1)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from certauthority.pki.bundle import (
    check_single_chain,
    format_bundle,
    load_certificates,
    order_chain,
    split_chain,
    trust_bundle,
)
from certauthority.pki.errors import PKIError

from .chains import make_cert


@pytest.fixture(scope="module")
def deep(now):
    root = make_cert("Root", None, now, ca=True)
    policy = make_cert("Policy CA", root, now, ca=True)
    issuing = make_cert("Issuing CA", policy, now, ca=True)
    leaf = make_cert("cms.example.com", issuing, now)
    return [leaf.cert, issuing.cert, policy.cert, root.cert]


def test_it_orders_a_chain_leaf_first_root_last_whatever_the_input_order(deep) -> None:
    shuffled = list(deep)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert order_chain(shuffled) == deep


def test_it_orders_a_chain_without_its_root(deep) -> None:
    assert order_chain([deep[2], deep[0], deep[1]]) == deep[:3]


def test_it_drops_repeated_certificates(deep) -> None:
    assert order_chain(deep + deep[1:2]) == deep


def test_it_names_the_certificate_that_belongs_to_another_chain(deep, now) -> None:
    stranger = make_cert("Stranger Root", None, now, ca=True).cert
    with pytest.raises(
        PKIError, match=re.escape("'CN=Stranger Root, O=Example Inc., C=GB' is not part")
    ):
        check_single_chain([*deep, stranger])


def test_it_splits_a_cas_answer_into_leaf_and_issuer_first_bundle(deep) -> None:
    leaf, intermediates = split_chain([deep[3], deep[1], deep[0], deep[2]])
    assert leaf == deep[0]
    assert intermediates == deep[1:]


def test_the_bundle_format_has_no_blank_lines_and_one_trailing_newline(deep) -> None:
    data = format_bundle(deep[1:])
    assert data.count(b"-----BEGIN CERTIFICATE-----") == 3
    assert b"-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----" in data
    assert b"\n\n" not in data
    assert b" \n" not in data
    assert data.endswith(b"-----END CERTIFICATE-----\n")
    assert load_certificates(data) == deep[1:]


def test_openssl_reads_every_certificate_of_our_bundle(deep, openssl, tmp_path: Path) -> None:
    (tmp_path / "bundle.crt").write_bytes(format_bundle(deep[1:]))
    result = openssl("crl2pkcs7", "-nocrl", "-certfile", tmp_path / "bundle.crt")
    assert result.returncode == 0
    printed = openssl("pkcs7", "-print_certs", "-noout", input=result.stdout)
    assert printed.stdout.count("subject=") == 3


def test_it_makes_a_trust_bundle_of_unrelated_certificates_in_the_given_order(now) -> None:
    cb1 = make_cert("cb1.example.com", None, now).cert
    cb2 = make_cert("cb2.example.com", None, now).cert
    data = trust_bundle([cb2, cb1, cb2])
    assert load_certificates(data) == [cb2, cb1]
    assert b"\n\n" not in data and data.endswith(b"-----\n")


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_it_loads_pkcs7_bundles(deep, encoding) -> None:
    assert len(load_certificates(pkcs7.serialize_certificates(deep, encoding))) == 4


def test_it_loads_a_single_der_certificate(deep) -> None:
    assert load_certificates(deep[0].public_bytes(serialization.Encoding.DER)) == [deep[0]]


def test_it_ignores_a_private_key_next_to_the_certificates(deep, ec_key) -> None:
    key = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert load_certificates(key + format_bundle(deep[:1])) == deep[:1]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"junk",
        b"-----BEGIN CERTIFICATE-----\nAAAA",
        b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
    ],
)
def test_it_refuses_data_without_a_readable_certificate(data: bytes) -> None:
    with pytest.raises(PKIError):
        load_certificates(data)


def test_format_bundle_refuses_an_empty_list() -> None:
    with pytest.raises(PKIError):
        format_bundle([])

"""Distinguished names and SAN classification (SPEC R1.2, R2.6, R3.4)."""

from __future__ import annotations

import ipaddress

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from certauthority.pki.errors import PKIError
from certauthority.pki.names import (
    classify_name,
    describe_general_name,
    dns_name_is_valid,
    format_name,
    parse_dn,
)


def test_it_reads_a_dn_most_specific_first_and_shows_it_back_the_same_way() -> None:
    name = parse_dn("CN=ca.example.com,O=Example Inc.,C=GB")
    assert name.rdns[0].get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "GB"
    assert format_name(name) == "CN=ca.example.com, O=Example Inc., C=GB"


def test_it_reads_the_openssl_slash_form_to_the_same_name() -> None:
    assert parse_dn("/C=GB/O=Example Inc./CN=ca.example.com") == parse_dn(
        "CN=ca.example.com, O=Example Inc., C=GB"
    )


def test_it_keeps_escaped_and_quoted_commas_inside_a_value() -> None:
    name = parse_dn('CN=ca.example.com,O="Example, Inc.",C=GB')
    assert name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Example, Inc."
    assert parse_dn(r"CN=ca.example.com,O=Example\, Inc.") == x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example, Inc."),
            x509.NameAttribute(NameOID.COMMON_NAME, "ca.example.com"),
        ]
    )


def test_it_accepts_attribute_names_in_any_case() -> None:
    assert parse_dn("cn=x.example.com,EMAILADDRESS=pki@example.com") == parse_dn(
        "CN=x.example.com,emailAddress=pki@example.com"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("CN=x,C=GBR", "two-letter"),
        ("CN=x,XX=y", "Unknown name attribute"),
        ("CN=x,Ojunk", "NAME=value"),
        ('CN=x,O="unclosed', "not closed"),
        ("CN=" + "a" * 65, "limit is 64"),
    ],
)
def test_it_refuses_a_bad_dn_with_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(PKIError, match=fragment):
        parse_dn(text)


@pytest.mark.parametrize(
    "name",
    ["example.com", "*.example.com", "cms-1.example.co.uk", "localhost", "xn--bcher-kva.example"],
)
def test_it_accepts_a_valid_dns_name(name: str) -> None:
    assert dns_name_is_valid(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "bad_name.example.com",
        "-cms.example.com",
        "cms-.example.com",
        "www.*.example.com",
        "w*.example.com",
        "*.com",
        "*",
        "example..com",
        "example.com.",
        "a" * 64 + ".example.com",
        "1.2.3.4",
    ],
)
def test_it_refuses_a_malformed_dns_name(name: str) -> None:
    assert not dns_name_is_valid(name)


def test_it_classifies_ip_addresses_email_and_dns_names() -> None:
    assert classify_name("10.0.0.1") == x509.IPAddress(ipaddress.ip_address("10.0.0.1"))
    assert classify_name("2001:db8::1") == x509.IPAddress(ipaddress.ip_address("2001:db8::1"))
    assert classify_name("pki@example.com") == x509.RFC822Name("pki@example.com")
    assert classify_name("*.Example.com") == x509.DNSName("*.example.com")


def test_it_understands_openssl_style_prefixes() -> None:
    assert classify_name("DNS:cms.example.com") == x509.DNSName("cms.example.com")
    assert classify_name("IP:10.0.0.2") == x509.IPAddress(ipaddress.ip_address("10.0.0.2"))
    with pytest.raises(PKIError, match="not an IP address"):
        classify_name("IP:cms.example.com")


@pytest.mark.parametrize("item", ["bad_name.example.com", "", "caf\u00e9.example.com", "a@b@c"])
def test_it_refuses_a_san_item_that_is_no_name(item: str) -> None:
    with pytest.raises(PKIError):
        classify_name(item)


def test_it_spells_general_names_as_openssl_does() -> None:
    assert describe_general_name(x509.DNSName("a.example.com")) == "DNS:a.example.com"
    assert (
        describe_general_name(x509.IPAddress(ipaddress.ip_address("10.0.0.1")))
        == "IP Address:10.0.0.1"
    )

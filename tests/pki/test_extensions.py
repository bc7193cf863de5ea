"""One reader per extension (issue 8): what a certificate says, read the same way everywhere,
and judged against what ``openssl x509 -text`` shows for the same file."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from certauthority.pki import extensions
from certauthority.pki.extensions import UnreadableExtensions

from .chains import make_cert

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def pki():
    root = make_cert("Root", None, NOW, ca=True, path_length=1)
    leaf = make_cert("www.example.com", root, NOW, san=["www.example.com", "cb.example.com"])
    bare = make_cert("bare", None, NOW, ca=True, basic_constraints=None, key_usage=None)
    return root.cert, leaf.cert, bare.cert


def test_the_readers_agree_with_openssl(pki, openssl, tmp_path):
    root, leaf, _bare = pki
    path = tmp_path / "leaf.pem"
    path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    text = openssl("x509", "-in", path, "-noout", "-text", check=True).stdout
    assert "DNS:www.example.com, DNS:cb.example.com" in text
    assert [n.value for n in extensions.san_names(leaf)] == ["www.example.com", "cb.example.com"]
    assert "TLS Web Server Authentication" in text
    assert extensions.eku(leaf) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert "CA:FALSE" in text and not extensions.is_ca(leaf)
    assert extensions.is_ca(root) and extensions.path_length(root) == 1


def test_absent_extensions_read_as_absent(pki):
    _root, _leaf, bare = pki
    assert extensions.san_names(bare) == []
    assert extensions.basic_constraints(bare) is None
    assert extensions.key_usage(bare) is None
    assert extensions.eku(bare) is None  # absent EKU: any purpose (RFC 5280)
    assert not extensions.is_ca(bare)


def test_unreadable_extensions_are_absent_unless_strict(pki):
    _root, leaf, _bare = pki
    der = leaf.public_bytes(serialization.Encoding.DER)
    # Damage the SAN's first GeneralName tag (DNS [2] -> [0] otherName without its OID).
    at = der.index(b"\x82\x0fwww.example.com")
    broken = x509.load_der_x509_certificate(der[:at] + b"\xa0" + der[at + 1 :])
    assert not extensions.extensions_readable(broken)
    assert extensions.san_names(broken) == []
    with pytest.raises(UnreadableExtensions):
        extensions.san_names(broken, strict=True)

"""RC2 decryption for legacy PKCS#12 files, against RFC 2268's test vectors and against
``cryptography``'s own RC2 where it has one (128-bit keys)."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import RC2
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from certauthority.pki.rc2 import rc2_cbc_decrypt

ZERO_IV = bytes(8)


@pytest.mark.parametrize(
    ("key", "bits", "plain", "cipher"),
    [  # RFC 2268 section 5 (ECB = CBC with a zero IV for one block)
        ("0000000000000000", 63, "0000000000000000", "ebb773f993278eff"),
        ("ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"),
        ("3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"),
        ("88", 64, "0000000000000000", "61a8a244adacccf0"),
        ("88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"),
    ],
)
def test_rc2_meets_the_rfc_2268_vectors(key, bits, plain, cipher):
    result = rc2_cbc_decrypt(bytes.fromhex(key), ZERO_IV, bytes.fromhex(cipher), bits)
    assert result.hex() == plain


def test_rc2_agrees_with_cryptography_for_128_bit_keys():
    key, iv, plain = os.urandom(16), os.urandom(8), os.urandom(64)
    encryptor = Cipher(RC2(key), modes.CBC(iv)).encryptor()
    assert rc2_cbc_decrypt(key, iv, encryptor.update(plain) + encryptor.finalize()) == plain

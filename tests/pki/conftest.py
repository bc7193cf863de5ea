"""Keys and chains for the PKI tests, generated once per session (EC is fast)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from certauthority.pki.keys import KeyType, generate_private_key

from .chains import Pki, standard_pki


@pytest.fixture(scope="session")
def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return generate_private_key(KeyType.EC256)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return generate_private_key(KeyType.RSA2048)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def pki(now: dt.datetime) -> Pki:
    return standard_pki(now)

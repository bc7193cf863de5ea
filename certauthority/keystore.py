"""Key storage: private keys only ever leave memory as encrypted PKCS#8 (STYLE.md, Keys).

One small interface, :class:`KeyStore`, selected by name (``KeyPair.storage``) so that a
file- or HSM-backed store can be added later without touching the services.

How the encryption works (``DatabaseKeyStore``):

* The secret is ``settings.CERTDESK_KEY_ENCRYPTION_KEY`` (or ``…_FILE``).
* The PKCS#8 password is derived from it with HKDF-SHA256 (salt and info fixed per purpose),
  so the raw secret is never used as a password and a one-way *secret id* can be stored
  next to each key: it tells, without revealing anything, which secret a key needs.
* The key is serialised as encrypted PKCS#8 PEM with ``BestAvailableEncryption``
  (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256 in cryptography 50).

Unlocking a key costs tens of milliseconds (PBKDF2 plus, for RSA, key validation), while a
signature costs well under one: unlocked keys are cached in process memory, keyed by
store, secret id and a digest of the encrypted blob, so a re-encrypted key (rekey) or a new
secret never hits a stale entry. :func:`clear_cache` empties it explicitly.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .pki.errors import PKIError
from .pki.keys import PrivateKey, load_private_key, private_key_to_pem

DEFAULT_STORAGE = "database"
_SALT = b"certdesk key storage"


class KeyStoreError(PKIError):
    """A stored key cannot be used: wrong or missing secret, unknown store, damaged blob."""


class KeyStore(Protocol):
    """Turns a private key into an opaque blob for the database, and back."""

    name: str

    @property
    def key_id(self) -> str:
        """A one-way id of the secret the store encrypts with (stored with each key)."""
        ...

    def store(self, private_key: PrivateKey) -> bytes: ...

    def load(self, blob: bytes) -> PrivateKey: ...


def _derive(secret: str, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=_SALT, info=info).derive(
        secret.encode("utf-8")
    )


def secret_id(secret: str) -> str:
    """16 hex digits identifying a secret; shows which secret a key was stored under."""
    return _derive(secret, b"secret id v1", 8).hex()


class DatabaseKeyStore:
    """Encrypted PKCS#8 PEM stored in ``KeyPair.encrypted_private_key``."""

    name = DEFAULT_STORAGE

    def __init__(self, secret: str) -> None:
        if not secret:
            raise KeyStoreError(
                "CERTDESK_KEY_ENCRYPTION_KEY is not set: set it (or CERTDESK_KEY_ENCRYPTION_KEY_FILE) "
                "before creating or using private keys."
            )
        self._password = _derive(secret, b"pkcs8 password v1").hex().encode("ascii")
        self._key_id = secret_id(secret)

    @property
    def key_id(self) -> str:
        return self._key_id

    def store(self, private_key: PrivateKey) -> bytes:
        return private_key_to_pem(private_key, password=self._password)

    def load(self, blob: bytes) -> PrivateKey:
        if not blob:
            raise KeyStoreError("This key pair has no stored private key.")
        try:
            return load_private_key(bytes(blob), password=self._password)
        except PKIError:
            raise KeyStoreError(
                "A stored private key cannot be decrypted with the current "
                "CERTDESK_KEY_ENCRYPTION_KEY: restore the secret it was stored under, or run "
                "'manage.py ca rekey-storage --old-secret-file FILE'."
            ) from None


_STORES: dict[str, type[DatabaseKeyStore]] = {DatabaseKeyStore.name: DatabaseKeyStore}


def get_keystore(name: str = DEFAULT_STORAGE, *, secret: str | None = None) -> KeyStore:
    """The key store called ``name``, using ``secret`` (default: the configured one)."""
    if secret is None:
        from django.conf import settings

        secret = getattr(settings, "CERTDESK_KEY_ENCRYPTION_KEY", "")
    return _keystore(name, secret or "")


@functools.lru_cache(maxsize=8)
def _keystore(name: str, secret: str) -> KeyStore:
    """One store object per (name, secret): the HKDF derivations run once per process."""
    try:
        cls = _STORES[name]
    except KeyError:
        raise KeyStoreError(f"Unknown key storage '{name}': known are {', '.join(_STORES)}.")
    return cls(secret)


# --- the unlocked-key cache ----------------------------------------------------------------

_CACHE_SIZE = 256
_cache: OrderedDict[tuple[str, str, bytes], PrivateKey] = OrderedDict()
_lock = threading.Lock()


def load_cached(store: KeyStore, blob: bytes) -> PrivateKey:
    """``store.load(blob)``, remembered per (store, secret id, blob digest)."""
    blob = bytes(blob)
    cache_key = (store.name, store.key_id, hashlib.sha256(blob).digest())
    with _lock:
        key = _cache.get(cache_key)
        if key is not None:
            _cache.move_to_end(cache_key)
            return key
    key = store.load(blob)
    with _lock:
        _cache[cache_key] = key
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return key


def clear_cache() -> None:
    with _lock:
        _cache.clear()

"""Private keys are stored only encrypted, and can be re-encrypted under a new secret."""

from __future__ import annotations

import io

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.db import connection

from certauthority import keystore, services
from certauthority.models import AuditEvent, KeyPair
from certauthority.pki.errors import PKIError

from .conftest import make_csr

pytestmark = pytest.mark.django_db

PLAINTEXT_MARKERS = [b"BEGIN PRIVATE KEY", b"BEGIN EC PRIVATE KEY", b"BEGIN RSA PRIVATE KEY"]
OLD = "old-key-encryption-secret-0123456789"
NEW = "new-key-encryption-secret-9876543210"


def _private_der(keypair: KeyPair) -> bytes:
    key = services.keypair_private_key(keypair=keypair)
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _raw_secret_bytes(keypair: KeyPair) -> bytes:
    """The private scalar/exponent: must never appear in what the database holds."""
    key = services.keypair_private_key(keypair=keypair)
    numbers = key.private_numbers()
    value = getattr(numbers, "private_value", None) or numbers.d
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def test_a_database_dump_contains_no_plaintext_private_key(root_ca):
    leaf_key = services.keypair_generate(key_type="ec256", label="webadmin", actor=None)
    out = io.StringIO()
    call_command("dumpdata", "certauthority", stdout=out)
    dump = out.getvalue().encode()
    assert KeyPair.objects.count() == 2
    for marker in PLAINTEXT_MARKERS:
        assert marker not in dump
    for keypair in (root_ca.key, leaf_key):
        der = _private_der(keypair)
        assert der not in dump
        assert der.hex().encode() not in dump
        assert bytes(keypair.encrypted_private_key).startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY")


def test_the_raw_postgresql_table_holds_no_plaintext_private_key(require_postgres, root_ca):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM certauthority_keypair")
        rows = cursor.fetchall()
    blob = b"".join(
        bytes(value) if isinstance(value, memoryview | bytes) else str(value).encode()
        for row in rows
        for value in row
    )
    for marker in PLAINTEXT_MARKERS:
        assert marker not in blob
    assert _private_der(root_ca.key) not in blob
    assert _raw_secret_bytes(root_ca.key) not in blob


def test_a_key_cannot_be_unlocked_with_another_secret(root_ca, settings):
    settings.CERTDESK_KEY_ENCRYPTION_KEY = "a-completely-different-secret-0000"
    with pytest.raises(PKIError, match="rekey-storage"):
        services.keypair_private_key(keypair=root_ca.key)


def test_no_key_is_stored_without_a_secret(db, settings):
    settings.CERTDESK_KEY_ENCRYPTION_KEY = ""
    with pytest.raises(PKIError, match="CERTDESK_KEY_ENCRYPTION_KEY is not set"):
        services.keypair_generate(key_type="ec256", actor=None)
    assert not KeyPair.objects.exists()


def test_the_unlocked_ca_key_is_kept_in_memory_between_signatures(issuing_ca, monkeypatch):
    services.certificate_issue(ca=issuing_ca, csr=make_csr(), profile="server", days=1, actor=None)
    calls = []
    original = keystore.DatabaseKeyStore.load
    monkeypatch.setattr(
        keystore.DatabaseKeyStore,
        "load",
        lambda self, blob: calls.append(1) or original(self, blob),
    )
    for _ in range(3):
        services.certificate_issue(
            ca=issuing_ca, csr=make_csr(), profile="server", days=1, actor=None
        )
    assert calls == []


def test_rekey_storage_re_encrypts_every_key_under_the_new_secret(issuing_ca, settings, tmp_path):
    settings.CERTDESK_KEY_ENCRYPTION_KEY = OLD
    keypair = services.keypair_generate(key_type="ec256", actor=None)
    before = bytes(keypair.encrypted_private_key)
    der = _private_der(keypair)
    new_file = tmp_path / "new.secret"
    new_file.write_text(NEW + "\n")
    # The fixture CAs were stored under the test secret, this key under OLD: rekey what is
    # under OLD only after moving the CAs too.
    services.keystore_rekey(
        old_secret="test-key-encryption-secret-0123456789abcdef", new_secret=OLD, actor=None
    )
    call_command("ca", "rekey-storage", "--new-secret-file", str(new_file), stdout=io.StringIO())
    keypair.refresh_from_db()
    assert bytes(keypair.encrypted_private_key) != before
    settings.CERTDESK_KEY_ENCRYPTION_KEY = NEW
    keystore.clear_cache()
    assert _private_der(keypair) == der
    # The CA still signs under the new secret.
    issuing_ca.refresh_from_db()
    services.certificate_issue(ca=issuing_ca, csr=make_csr(), profile="server", days=1, actor=None)
    assert AuditEvent.objects.filter(action="key.rekey-storage").count() == 2


def test_rekey_storage_is_all_or_nothing(root_ca, settings, tmp_path):
    settings.CERTDESK_KEY_ENCRYPTION_KEY = OLD
    services.keypair_generate(key_type="ec256", actor=None)  # under OLD; the CA key is not
    blobs = {k.pk: bytes(k.encrypted_private_key) for k in KeyPair.objects.all()}
    old_file = tmp_path / "old.secret"
    old_file.write_text(OLD)
    settings.CERTDESK_KEY_ENCRYPTION_KEY = NEW
    with pytest.raises(Exception, match="cannot be decrypted with the old secret"):
        call_command("ca", "rekey-storage", "--old-secret-file", str(old_file))
    assert {k.pk: bytes(k.encrypted_private_key) for k in KeyPair.objects.all()} == blobs
    assert not AuditEvent.objects.filter(action="key.rekey-storage").exists()


def test_a_downloaded_key_is_audited_and_can_be_password_protected(root_ca):
    pem = services.keypair_export(keypair=root_ca.key, password=b"correct horse", actor="cli:me")
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = serialization.load_pem_private_key(pem, password=b"correct horse")
    assert loaded.public_key() == services.keypair_private_key(keypair=root_ca.key).public_key()
    event = AuditEvent.objects.get(action="key.download")
    assert event.actor_name == "cli:me" and "correct horse" not in str(event.details)

"""Key pairs: generate, import, unlock, export (audited) and re-encrypt the key storage."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa as _rsa
from django.db import transaction
from django.utils.translation import gettext as _

from .. import keystore
from ..models import AuditAction, CertificateAuthority, KeyAlgorithm, KeyPair
from ..pki.keys import (
    KeyType,
    PrivateKey,
    check_key_strength,
    describe_key,
    generate_private_key,
    load_private_key,
    private_key_to_pem,
    public_key_fingerprint,
    public_key_to_pem,
)
from .audit import Actor, actor_user, audit_record
from .errors import CAError


def _keypair_row(
    *, private_key: PrivateKey, label: str, actor: Actor, storage: str = keystore.DEFAULT_STORAGE
) -> KeyPair:
    check_key_strength(private_key)
    store = keystore.get_keystore(storage)
    public_key = private_key.public_key()
    is_rsa = isinstance(private_key, _rsa.RSAPrivateKey)
    return KeyPair.objects.create(
        label=label[:200],
        algorithm=KeyAlgorithm.RSA if is_rsa else KeyAlgorithm.EC,
        key_size=private_key.key_size,
        public_key_pem=public_key_to_pem(public_key).decode("ascii"),
        public_key_sha256=public_key_fingerprint(public_key),
        encrypted_private_key=store.store(private_key),
        storage=store.name,
        storage_key_id=store.key_id,
        created_by=actor_user(actor),
    )


def keypair_generate(*, key_type: KeyType | str, label: str = "", actor: Actor) -> KeyPair:
    """Generate a private key and keep it encrypted in the key store (audit "key.generate")."""
    key_type = KeyType.parse(key_type) if isinstance(key_type, str) else key_type
    private_key = generate_private_key(key_type)
    with transaction.atomic():
        keypair = _keypair_row(private_key=private_key, label=label, actor=actor)
        audit_record(
            action=AuditAction.KEY_GENERATE,
            actor=actor,
            target=keypair,
            summary=_("Generated %(kind)s key %(label)s")
            % {"kind": describe_key(private_key), "label": label or keypair.pk},
            details={"key_type": key_type.value, "public_key_sha256": keypair.public_key_sha256},
        )
    return keypair


def keypair_import(
    *, private_key_pem: bytes, password: bytes | None, label: str, actor: Actor
) -> KeyPair:
    """Store an existing private key (PEM or DER, possibly encrypted) in the key store."""
    private_key = load_private_key(private_key_pem, password)
    fingerprint = public_key_fingerprint(private_key.public_key())
    existing = KeyPair.objects.filter(public_key_sha256=fingerprint).exclude(
        encrypted_private_key=b""
    )
    if existing.exists():
        raise CAError(_("This private key is already stored in CertDesk: reuse that key pair."))
    with transaction.atomic():
        keypair = _keypair_row(private_key=private_key, label=label, actor=actor)
        audit_record(
            action=AuditAction.KEY_IMPORT,
            actor=actor,
            target=keypair,
            summary=_("Imported %(kind)s key %(label)s")
            % {"kind": describe_key(private_key), "label": label or keypair.pk},
            details={"public_key_sha256": fingerprint},
        )
    return keypair


def keypair_private_key(*, keypair: KeyPair) -> PrivateKey:
    """The unlocked private key (cached in process memory; internal use only)."""
    if not keypair.has_private_key:
        raise CAError(_("CertDesk holds only the public half of this key pair."))
    store = keystore.get_keystore(keypair.storage)
    if keypair.storage_key_id and keypair.storage_key_id != store.key_id:
        raise keystore.KeyStoreError(
            _(
                "Key pair %(key)s is stored under another CERTDESK_KEY_ENCRYPTION_KEY "
                "(secret id %(stored)s, configured %(current)s): restore that secret or run "
                "'manage.py ca rekey-storage'."
            )
            % {"key": keypair.pk, "stored": keypair.storage_key_id, "current": store.key_id}
        )
    return keystore.load_cached(store, keypair.encrypted_private_key)


def keypair_export(*, keypair: KeyPair, password: bytes | None, actor: Actor) -> bytes:
    """The private key as PKCS#8 PEM (encrypted when a password is given); audit "key.download"."""
    private_key = keypair_private_key(keypair=keypair)
    pem = private_key_to_pem(private_key, password=password or None)
    audit_record(
        action=AuditAction.KEY_DOWNLOAD,
        actor=actor,
        target=keypair,
        summary=_("Downloaded private key %(key)s (%(protection)s)")
        % {
            "key": keypair,
            "protection": _("password-protected") if password else _("unencrypted"),
        },
        details={
            "encrypted": bool(password),
            "public_key_sha256": keypair.public_key_sha256,
            # A CA's own key leaving CertDesk is the event an auditor looks for first.
            "ca": CertificateAuthority.objects.filter(key=keypair)
            .values_list("slug", flat=True)
            .first(),
        },
    )
    return pem


def keypair_may_export(*, user, keypair: KeyPair | None) -> bool:
    """Whether ``user`` may take this private key out of CertDesk (web, API, PKCS#12).

    Needs ``download_private_key``; a CA's own key also needs the right to manage CAs, so a
    role given download_private_key alone cannot carry a CA key away.
    """
    if keypair is None or not keypair.has_private_key:
        return False
    if not user.has_perm("certauthority.download_private_key"):
        return False
    is_ca_key = CertificateAuthority.objects.filter(key=keypair).exists()
    return not is_ca_key or user.has_perm("certauthority.change_certificateauthority")


def certificate_pkcs12(
    *, certificate, password: bytes, include_key: bool, legacy: bool, actor: Actor
) -> bytes:
    """The certificate and its chain as PKCS#12, with its private key when ``include_key``.

    The caller decides ``include_key`` with ``keypair_may_export``; a key that leaves is
    audited as "key.download" like any other key export.
    """
    from ..pki.pkcs12 import pkcs12_build
    from ..selectors import certificate_chain, certificate_x509

    keypair = certificate.key if include_key else None
    if keypair is not None and not keypair.has_private_key:
        keypair = None
    private_key = keypair_private_key(keypair=keypair) if keypair is not None else None
    data = pkcs12_build(
        certificate=certificate_x509(certificate=certificate),
        chain=certificate_chain(certificate=certificate),
        key=private_key,  # type: ignore[arg-type]
        password=password,
        name=certificate.common_name or str(certificate.pk),
        legacy=legacy,
    )
    if keypair is not None:
        audit_record(
            action=AuditAction.KEY_DOWNLOAD,
            actor=actor,
            target=keypair,
            summary=_("Downloaded private key %(key)s in a PKCS#12 file") % {"key": keypair},
            details={
                "encrypted": True,
                "format": "pkcs12-legacy" if legacy else "pkcs12",
                "public_key_sha256": keypair.public_key_sha256,
                "certificate": certificate.pk,
            },
        )
    return data


def keystore_rekey(*, old_secret: str, new_secret: str, actor: Actor) -> int:
    """Re-encrypt every stored private key from ``old_secret`` to ``new_secret``: all or nothing.

    Keys already under the new secret are left alone (so the command can be re-run).
    Returns the number of keys re-encrypted.
    """
    old_id, new_id = keystore.secret_id(old_secret), keystore.secret_id(new_secret)
    if old_id == new_id:
        raise CAError(_("The old and the new secret are the same: nothing to re-encrypt."))
    count = 0
    with transaction.atomic():
        keypairs = KeyPair.objects.select_for_update().exclude(encrypted_private_key=b"")
        for keypair in keypairs.order_by("pk"):
            if keypair.storage_key_id == new_id:
                continue
            old_store = keystore.get_keystore(keypair.storage, secret=old_secret)
            new_store = keystore.get_keystore(keypair.storage, secret=new_secret)
            try:
                private_key = old_store.load(keypair.encrypted_private_key)
            except keystore.KeyStoreError:
                raise CAError(
                    _(
                        "Key pair %(key)s cannot be decrypted with the old secret: check the "
                        "old secret file; nothing was changed."
                    )
                    % {"key": keypair.pk}
                ) from None
            keypair.encrypted_private_key = new_store.store(private_key)
            keypair.storage_key_id = new_store.key_id
            keypair.save(update_fields=["encrypted_private_key", "storage_key_id"])
            count += 1
        audit_record(
            action=AuditAction.KEY_REKEY_STORAGE,
            actor=actor,
            summary=_("Re-encrypted %(count)d stored private keys under a new secret")
            % {"count": count},
            details={"count": count, "old_secret_id": old_id, "new_secret_id": new_id},
        )
        transaction.on_commit(keystore.clear_cache)
    return count

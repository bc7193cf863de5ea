"""The internal CA's data: key pairs, CAs, signing requests, certificates and the audit log.

Models hold data and constraints; workflows live in services.py (STYLE.md).
Private keys are never stored in plaintext: KeyPair.encrypted_private_key holds
encrypted PKCS#8 written by the key-storage interface (certauthority.keystore).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .pki.sign import CertProfile
from .querysets import CertificateAuthorityQuerySet, CertificateQuerySet

BASE_URL_MAX_LENGTH = 200
SERIAL_HEX_MAX_LENGTH = 128  # 64 octets


class KeyAlgorithm(models.TextChoices):
    RSA = "rsa", "RSA"
    EC = "ec", "EC"


class KeyPair(models.Model):
    """A key pair. The public half is stored as PEM; the private half only encrypted."""

    label = models.CharField(_("label"), max_length=200, blank=True)
    algorithm = models.CharField(_("algorithm"), max_length=8, choices=KeyAlgorithm.choices)
    key_size = models.PositiveIntegerField(_("size in bits"))
    public_key_pem = models.TextField(_("public key"))
    public_key_sha256 = models.CharField(_("public key SHA-256"), max_length=64, db_index=True)
    # Encrypted PKCS#8 (PEM) produced by the key store; empty when only the public key is known.
    encrypted_private_key = models.BinaryField(_("encrypted private key"), blank=True, default=b"")
    storage = models.CharField(_("key storage"), max_length=32, default="database")
    # Which key-encryption secret the blob is encrypted under (a one-way id, never the secret).
    storage_key_id = models.CharField(_("storage secret id"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("key pair")
        permissions = [
            ("generate_key", _("Can generate private keys and CSRs")),
            ("download_private_key", _("Can download private keys")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(algorithm__in=["rsa", "ec"]), name="keypair_algorithm_known"
            ),
            models.CheckConstraint(
                condition=~Q(algorithm="rsa") | Q(key_size__gte=2048), name="keypair_rsa_min_2048"
            ),
        ]

    def __str__(self) -> str:
        return (
            self.label
            or f"{self.get_algorithm_display()} {self.key_size} ({self.public_key_sha256[:12]})"
        )

    @property
    def has_private_key(self) -> bool:
        return bool(self.encrypted_private_key)


class CertificateAuthority(models.Model):
    """A root (no parent) or intermediate CA run by CertDesk."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent CA"),
    )
    key = models.ForeignKey(KeyPair, on_delete=models.PROTECT, related_name="authorities")
    certificate = models.OneToOneField(
        "Certificate", on_delete=models.PROTECT, related_name="authority"
    )
    subject = models.TextField(_("subject"))
    path_length = models.PositiveSmallIntegerField(_("path length"), null=True, blank=True)
    # Where relying parties reach this CA: the base of the CRL, OCSP and caIssuers URLs
    # written into every certificate it signs from now on (CERTDESK_PUBLIC_URL when created;
    # a CA Admin can change it). Validated by services.ca_check_base_url.
    base_url = models.CharField(_("CRL and OCSP base URL"), max_length=BASE_URL_MAX_LENGTH)
    crl_number = models.PositiveBigIntegerField(_("last CRL number"), default=0)
    # The last CRL issued (DER), served at /crl/<slug>.crl until it is due for renewal.
    crl_der = models.BinaryField(_("last CRL"), blank=True, default=b"")
    crl_updated_at = models.DateTimeField(_("CRL issued at"), null=True, blank=True)
    crl_next_update = models.DateTimeField(_("CRL next update"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CertificateAuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="ca_not_own_parent"),
            models.CheckConstraint(condition=~Q(slug=""), name="ca_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    def _public_url(self, name: str) -> str:
        if not self.base_url:
            return ""
        return self.base_url.rstrip("/") + reverse(f"certauthority:{name}", args=[self.slug])

    @property
    def crl_url(self) -> str:
        """The CRL distribution point written into the certificates this CA signs."""
        return self._public_url("crl")

    @property
    def ocsp_url(self) -> str:
        """The OCSP responder written into the certificates this CA signs."""
        return self._public_url("ocsp")

    @property
    def ca_issuers_url(self) -> str:
        """The caIssuers URL (this CA's certificate, DER) written into what it signs."""
        return self._public_url("ca-issuer-certificate")


class SigningRequest(models.Model):
    """A CSR, as received or generated, with its parsed identity."""

    pem = models.TextField(_("CSR (PEM)"))
    subject = models.TextField(_("subject"), blank=True)
    common_name = models.CharField(_("common name"), max_length=255, blank=True, db_index=True)
    san = models.JSONField(_("subject alternative names"), default=list, blank=True)
    public_key_sha256 = models.CharField(max_length=64, db_index=True)
    key = models.ForeignKey(
        KeyPair, null=True, blank=True, on_delete=models.SET_NULL, related_name="signing_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("signing request")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.common_name or self.subject or f"CSR {self.pk}"


class CertificateSource(models.TextChoices):
    INTERNAL = "internal", _("Internal CA")
    PUBLIC = "public", _("Public CA")
    SELF_SIGNED = "self-signed", _("Self-signed")
    IMPORTED = "imported", _("Imported")


# The profile is defined once, as certauthority.pki.sign.CertProfile; these are its labels.
PROFILE_LABELS = {
    CertProfile.SERVER: _("Server (serverAuth)"),
    CertProfile.CLIENT: _("Client (clientAuth)"),
    CertProfile.SERVER_CLIENT: _("Server and client"),
    CertProfile.CA: _("Certificate authority"),
}
PROFILE_CHOICES = [(profile.value, PROFILE_LABELS[profile]) for profile in CertProfile]


class RevocationReason(models.TextChoices):
    # RFC 5280 CRLReason names, as cryptography's x509.ReasonFlags values.
    UNSPECIFIED = "unspecified", _("Unspecified")
    KEY_COMPROMISE = "keyCompromise", _("Key compromise")
    CA_COMPROMISE = "cACompromise", _("CA compromise")
    AFFILIATION_CHANGED = "affiliationChanged", _("Affiliation changed")
    SUPERSEDED = "superseded", _("Superseded")
    CESSATION_OF_OPERATION = "cessationOfOperation", _("Cessation of operation")
    CERTIFICATE_HOLD = "certificateHold", _("Certificate hold")
    PRIVILEGE_WITHDRAWN = "privilegeWithdrawn", _("Privilege withdrawn")


class Certificate(models.Model):
    """An X.509 certificate known to CertDesk: issued here, by a public CA, self-signed or imported."""

    pem = models.TextField(_("certificate (PEM)"))
    # Hex, up to SERIAL_HEX_MAX_LENGTH digits: RFC 5280 allows 20 octets, but certificates
    # in the wild carry longer serials (certificate_import refuses above 64 octets).
    serial_number = models.CharField(
        _("serial number (hex)"), max_length=SERIAL_HEX_MAX_LENGTH, db_index=True
    )
    subject = models.TextField(_("subject"))
    common_name = models.CharField(_("common name"), max_length=255, blank=True, db_index=True)
    san = models.JSONField(_("subject alternative names"), default=list, blank=True)
    issuer = models.TextField(_("issuer"))
    issuer_ca = models.ForeignKey(
        CertificateAuthority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_certificates",
        verbose_name=_("issuing CA"),
    )
    key = models.ForeignKey(
        KeyPair, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    signing_request = models.ForeignKey(
        SigningRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    profile = models.CharField(_("profile"), max_length=16, choices=PROFILE_CHOICES, blank=True)
    is_ca = models.BooleanField(_("is a CA"), default=False)
    not_before = models.DateTimeField(_("valid from"), db_index=True)
    not_after = models.DateTimeField(_("valid until"), db_index=True)
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=16, choices=CertificateSource.choices)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("revocation reason"), max_length=32, choices=RevocationReason.choices, blank=True
    )
    # Set when a later certificate for the same CN from the same issuer is stored: a renewal
    # (issue 12). The expiry watch skips replaced certificates that nothing uses any more.
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        ordering = ["-created_at"]
        # The certificate list's order and keyset (issue 10 item 21).
        indexes = [models.Index(fields=["created_at", "id"], name="certificate_list_keyset")]
        permissions = [
            ("download_certificate", _("Can download certificates and bundles")),
            ("sign_certificate", _("Can sign CSRs with the internal CA")),
            ("upload_certificate", _("Can upload certificates")),
            ("revoke_certificate", _("Can revoke certificates")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "serial_number"], name="certificate_serial_unique_per_issuer"
            ),
            models.CheckConstraint(
                condition=Q(not_after__gt=models.F("not_before")),
                name="certificate_validity_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(revoked_at__isnull=True) & Q(revocation_reason=""))
                | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="certificate_revocation_complete",
            ),
            models.CheckConstraint(
                condition=Q(source__in=[c.value for c in CertificateSource]),
                name="certificate_source_known",
            ),
            models.CheckConstraint(
                condition=Q(profile__in=["", *[c.value for c in CertProfile]]),
                name="certificate_profile_known",
            ),
            models.CheckConstraint(
                condition=~Q(profile="ca") | Q(is_ca=True),
                name="certificate_ca_profile_is_ca",
            ),
        ]

    def __str__(self) -> str:
        return self.common_name or self.subject

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AuditAction(models.TextChoices):
    CA_CREATE = "ca.create", _("CA created")
    CA_CHANGE = "ca.change", _("CA changed")
    KEY_GENERATE = "key.generate", _("Key generated")
    KEY_IMPORT = "key.import", _("Key imported")
    KEY_DOWNLOAD = "key.download", _("Private key downloaded")
    KEY_REKEY_STORAGE = "key.rekey-storage", _("Key storage re-encrypted")
    CSR_CREATE = "csr.create", _("CSR created")
    CERTIFICATE_SIGN = "certificate.sign", _("Certificate signed")
    CERTIFICATE_UPLOAD = "certificate.upload", _("Certificate uploaded")
    CERTIFICATE_REVOKE = "certificate.revoke", _("Certificate revoked")
    CRL_GENERATE = "crl.generate", _("CRL generated")
    DEPLOYMENT_CHANGE = "deployment.change", _("Deployment changed")
    LOGIN_LOCKOUT = "login.lockout", _("Log-ins locked out")
    LOGIN_UNLOCK = "login.unlock", _("Log-in lockout cleared")
    TOKEN_CREATE = "token.create", _("API token created")
    TOKEN_REVOKE = "token.revoke", _("API token revoked")


class AuditEvent(models.Model):
    """Who did what, when. Never holds secrets."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the record survives the user's deletion; "system" for CLI/tasks.
    actor_name = models.CharField(_("who"), max_length=150)
    action = models.CharField(
        _("action"), max_length=32, choices=AuditAction.choices, db_index=True
    )
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.TextField(_("what"))
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

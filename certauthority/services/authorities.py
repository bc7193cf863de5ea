"""Certificate authorities: create roots and intermediates, unlock them, issue CRLs."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import (
    AuditAction,
    Certificate,
    CertificateAuthority,
    CertificateSource,
    KeyPair,
    Profile,
)
from ..pki import crl as pki_crl
from ..pki import extensions
from ..pki.keys import KeyType
from ..pki.names import format_name, parse_dn
from ..pki.sign import IssueOptions, Issuer, build_ca_certificate
from ..selectors import certificate_x509
from .audit import Actor, actor_user, audit_record
from .certificates_store import certificate_row
from .errors import CAError
from .keys import keypair_generate, keypair_private_key

# RSA-3072: every Meeting Server component, Lync/Skype and AD trust store accepts an RSA
# CA, and 3072 bits stays strong for a ten-year root (NIST SP 800-57 beyond 2030).
DEFAULT_CA_KEY_TYPE = KeyType.RSA3072
DEFAULT_ROOT_DAYS = 3650
DEFAULT_INTERMEDIATE_DAYS = 1825
# Page addresses under /ca/ that a CA's short name must not shadow.
RESERVED_SLUGS = {"new", "sign", "certificates", "audit"}


def default_crl_url(slug: str) -> str:
    return f"{settings.CERTDESK_PUBLIC_URL.rstrip('/')}/crl/{slug}.crl"


def default_ocsp_url(slug: str) -> str:
    return f"{settings.CERTDESK_PUBLIC_URL.rstrip('/')}/ocsp/{slug}/"


def ca_issuer(*, ca: CertificateAuthority) -> Issuer:
    """The CA's parsed certificate and unlocked key (both cached in process memory)."""
    return Issuer(
        certificate=certificate_x509(certificate=ca.certificate),
        private_key=keypair_private_key(keypair=ca.key),
    )


def ca_check_usable(*, ca: CertificateAuthority, now: dt.datetime | None = None) -> None:
    """Refuse an inactive or expired CA with a message saying what to do."""
    if not ca.is_active:
        raise CAError(
            _("The CA '%(name)s' is inactive: choose an active CA or reactivate it.")
            % {"name": ca.name}
        )
    now = now or timezone.now()
    if ca.certificate.not_after <= now:
        raise CAError(
            _("The CA '%(name)s' expired on %(date)s: create a new CA to sign with.")
            % {"name": ca.name, "date": f"{ca.certificate.not_after:%Y-%m-%d}"}
        )


def _subject(subject: str | x509.Name) -> x509.Name:
    return parse_dn(subject) if isinstance(subject, str) else subject


def _check_name(name: str) -> str:
    name = name.strip()
    slug = slugify(name)
    if not name or not slug:
        raise CAError(_("Give the CA a name with letters or digits, such as 'Example Root CA'."))
    if slug in RESERVED_SLUGS:
        raise CAError(
            _("'%(name)s' is a reserved word in CertDesk's addresses: choose another name.")
            % {"name": name}
        )
    if CertificateAuthority.objects.filter(name__iexact=name).exists():
        raise CAError(
            _("A CA named '%(name)s' exists already: choose another name.") % {"name": name}
        )
    if CertificateAuthority.objects.filter(slug=slug).exists():
        raise CAError(
            _("The short name '%(slug)s' is taken by another CA: choose another name.")
            % {"slug": slug}
        )
    return slug


def _ca_create(
    *,
    name: str,
    subject: str | x509.Name,
    key_type: KeyType | str,
    days: int,
    parent: CertificateAuthority | None,
    path_length: int | None,
    actor: Actor,
) -> CertificateAuthority:
    slug = _check_name(name)
    name = name.strip()
    subject_name = _subject(subject)
    subject_text = format_name(subject_name)
    if CertificateAuthority.objects.filter(subject=subject_text).exists():
        raise CAError(
            _("Another CA already has the subject '%(subject)s': give this CA its own CN.")
            % {"subject": subject_text}
        )
    issuer: Issuer | None = None
    options = IssueOptions()
    if parent is not None:
        ca_check_usable(ca=parent)
        issuer = ca_issuer(ca=parent)
        options = IssueOptions(crl_url=parent.crl_url, ocsp_url=parent.ocsp_url)
    key_type = KeyType.parse(key_type) if isinstance(key_type, str) else key_type
    with transaction.atomic():
        keypair: KeyPair = keypair_generate(
            key_type=key_type, label=_("CA key: %(name)s") % {"name": name}, actor=actor
        )
        private_key = keypair_private_key(keypair=keypair)
        cert = build_ca_certificate(
            private_key=private_key,
            subject=subject_name,
            days=days,
            issuer=issuer,
            path_length=path_length,
            options=options,
        )
        certificate = certificate_row(
            cert=cert,
            source=CertificateSource.INTERNAL,
            issuer_ca=parent,
            key=keypair,
            profile=Profile.CA,
            actor=actor,
        )
        ca = CertificateAuthority.objects.create(
            name=name,
            slug=slug,
            parent=parent,
            key=keypair,
            certificate=certificate,
            subject=subject_text,
            path_length=_path_length(cert),
            crl_url=default_crl_url(slug),
            ocsp_url=default_ocsp_url(slug),
            created_by=actor_user(actor),
        )
        if parent is None:
            certificate.issuer_ca = ca
            certificate.save(update_fields=["issuer_ca"])
        audit_record(
            action=AuditAction.CA_CREATE,
            actor=actor,
            target=ca,
            summary=(
                _("Created intermediate CA %(name)s under %(parent)s")
                % {"name": name, "parent": parent.name}
                if parent
                else _("Created root CA %(name)s") % {"name": name}
            ),
            details={
                "subject": subject_text,
                "key_type": key_type.value,
                "serial": certificate.serial_number,
                "not_after": cert.not_valid_after_utc.isoformat(),
                "warnings": options.warnings,
            },
        )
    return ca


def _path_length(cert: x509.Certificate) -> int | None:
    return extensions.path_length(cert)


def ca_create_root(
    *,
    name: str,
    subject: str | x509.Name,
    key_type: KeyType | str = DEFAULT_CA_KEY_TYPE,
    days: int = DEFAULT_ROOT_DAYS,
    path_length: int | None = None,
    actor: Actor,
) -> CertificateAuthority:
    """A new self-signed root CA with a fresh key (default RSA-3072, ten years)."""
    return _ca_create(
        name=name,
        subject=subject,
        key_type=key_type,
        days=days,
        parent=None,
        path_length=path_length,
        actor=actor,
    )


def ca_create_intermediate(
    *,
    name: str,
    parent: CertificateAuthority,
    subject: str | x509.Name,
    key_type: KeyType | str = DEFAULT_CA_KEY_TYPE,
    days: int = DEFAULT_INTERMEDIATE_DAYS,
    path_length: int | None = 0,
    actor: Actor,
) -> CertificateAuthority:
    """A new intermediate CA signed by ``parent``; validity capped by the parent's."""
    return _ca_create(
        name=name,
        subject=subject,
        key_type=key_type,
        days=days,
        parent=parent,
        path_length=path_length,
        actor=actor,
    )


def crl_generate(*, ca: CertificateAuthority, actor: Actor) -> bytes:
    """Issue a new CRL (next CRL number), keep it on the CA and return its DER."""
    issuer = ca_issuer(ca=ca)
    with transaction.atomic():
        locked = CertificateAuthority.objects.select_for_update().get(pk=ca.pk)
        number = locked.crl_number + 1
        revoked = [
            pki_crl.RevokedEntry(
                serial_number=int(serial, 16),
                revoked_at=revoked_at,
                reason=reason,
            )
            for serial, revoked_at, reason in Certificate.objects.issued_by(locked)
            .revoked()
            .exclude(pk=locked.certificate_id)
            .values_list("serial_number", "revoked_at", "revocation_reason")
        ]
        crl = pki_crl.build_crl(issuer=issuer, revoked=revoked, crl_number=number)
        der = pki_crl.crl_to_der(crl)
        CertificateAuthority.objects.filter(pk=ca.pk).update(
            crl_number=F("crl_number") + 1,
            crl_der=der,
            crl_updated_at=crl.last_update_utc,
            crl_next_update=crl.next_update_utc,
        )
        audit_record(
            action=AuditAction.CRL_GENERATE,
            actor=actor,
            target=ca,
            summary=_("Issued CRL number %(number)d of %(name)s listing %(count)d certificates")
            % {"number": number, "name": ca.name, "count": len(revoked)},
            details={"crl_number": number, "revoked": len(revoked)},
        )
    ca.crl_number, ca.crl_der = number, der
    ca.crl_updated_at, ca.crl_next_update = crl.last_update_utc, crl.next_update_utc
    return der


# A CRL is renewed when it is this close to its nextUpdate, so clients never see a stale one.
CRL_RENEW_BEFORE = dt.timedelta(days=3)


def ca_current_crl(*, ca: CertificateAuthority) -> bytes:
    """The CA's CRL (DER): the stored one, or a fresh one when none exists or it is due."""
    due = ca.crl_next_update is None or ca.crl_next_update - CRL_RENEW_BEFORE <= timezone.now()
    if ca.crl_der and not due:
        return bytes(ca.crl_der)
    try:
        return crl_generate(ca=ca, actor=None)
    except IntegrityError:  # pragma: no cover - concurrent renewal; serve what is stored
        ca.refresh_from_db()
        return bytes(ca.crl_der)

"""Certificate authorities: create roots and intermediates, unlock them, issue CRLs."""

from __future__ import annotations

import datetime as dt
import ipaddress
from urllib.parse import urlsplit

from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import (
    BASE_URL_MAX_LENGTH,
    AuditAction,
    Certificate,
    CertificateAuthority,
    CertificateSource,
    KeyPair,
)
from ..pki import crl as pki_crl
from ..pki import extensions
from ..pki.keys import KeyType
from ..pki.names import format_name, parse_dn
from ..pki.sign import CertProfile, IssueOptions, Issuer, build_ca_certificate
from ..selectors import certificate_x509
from .audit import Actor, actor_user, audit_record
from .certificates_store import certificate_row
from .errors import CAError
from .keys import keypair_generate, keypair_private_key

# RSA-3072: every Meeting Server component, Lync/Skype and AD trust store accepts an RSA
# CA, and 3072 bits stays strong for a ten-year root (NIST SP 800-57 beyond 2030).
DEFAULT_CA_KEY_TYPE = KeyType.RSA3072
# The CA validity defaults, the one definition (the form, the view and `ca init` use them).
DEFAULT_ROOT_DAYS = 3650
DEFAULT_INTERMEDIATE_DAYS = 1825
# Page addresses under /ca/ that a CA's short name must not shadow.
RESERVED_SLUGS = {"new", "sign", "certificates", "audit"}


def ca_check_base_url(url: str) -> str:
    """The CRL/OCSP base URL, checked: http(s)://host[:port][/path], nothing else.

    It is written into every certificate the CA signs, so refuse what a relying party
    could not fetch or what could break the certificate: other schemes, spaces, control
    characters, credentials, a query or fragment, more than BASE_URL_MAX_LENGTH characters.
    Returns it without a trailing '/'.
    """
    url = url.strip()
    how = _("Write it as https://certdesk.example.com (the address relying parties reach).")
    if not url:
        raise CAError(_("The CRL and OCSP base URL is empty.") + " " + how)
    if len(url) > BASE_URL_MAX_LENGTH:
        raise CAError(
            _("The CRL and OCSP base URL is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(url), "limit": BASE_URL_MAX_LENGTH}
        )
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in url):
        raise CAError(
            _("The CRL and OCSP base URL contains a space or a control character.") + " " + how
        )
    if not url.isascii():
        raise CAError(
            _("The CRL and OCSP base URL must be ASCII: write an international name as xn--…")
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise CAError(_("'%(url)s' is not a URL.") % {"url": url} + " " + how) from None
    if parts.scheme not in ("http", "https"):
        raise CAError(
            _("The CRL and OCSP base URL must start with http:// or https://, not '%(url)s'.")
            % {"url": url}
        )
    if not parts.hostname or "@" in parts.netloc or parts.query or parts.fragment:
        raise CAError(
            _("'%(url)s' must be a plain address, without user name, query or fragment.")
            % {"url": url}
            + " "
            + how
        )
    if port == 0:
        raise CAError(_("'%(url)s' has port 0.") % {"url": url} + " " + how)
    return url.rstrip("/")


def base_url_is_loopback(url: str) -> bool:
    """Whether relying parties on other machines cannot reach ``url`` (localhost, 127/8, ::1)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ca_public_urls(*, base_url: str, slug: str) -> dict[str, str]:
    """The URLs a CA with ``base_url`` and ``slug`` writes into what it signs (for display)."""
    probe = CertificateAuthority(base_url=base_url, slug=slug)
    return {
        "crl": probe.crl_url,
        "ocsp": probe.ocsp_url,
        "ca_issuers": probe.ca_issuers_url,
    }


def default_base_url() -> str:
    """CERTDESK_PUBLIC_URL, the base URL a new CA gets."""
    return settings.CERTDESK_PUBLIC_URL


def ca_set_base_url(
    *, ca: CertificateAuthority, base_url: str, actor: Actor
) -> CertificateAuthority:
    """Change where the CA's CRL, OCSP and caIssuers URLs point, for what it signs from now on.

    Certificates already signed keep the URLs they carry (audited "ca.change").
    """
    new = ca_check_base_url(base_url)
    old = ca.base_url
    if new == old:
        return ca
    with transaction.atomic():
        CertificateAuthority.objects.filter(pk=ca.pk).update(base_url=new)
        ca.base_url = new
        audit_record(
            action=AuditAction.CA_CHANGE,
            actor=actor,
            target=ca,
            summary=_("Changed the CRL and OCSP base URL of %(name)s from %(old)s to %(new)s")
            % {"name": ca.name, "old": old or "-", "new": new},
            details={"base_url": new, "previous_base_url": old},
        )
    return ca


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
    base_url: str | None,
    actor: Actor,
) -> CertificateAuthority:
    slug = _check_name(name)
    name = name.strip()
    base_url = ca_check_base_url(default_base_url() if base_url is None else base_url)
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
        options = ca_issue_options(ca=parent)
    key_type = KeyType.parse(key_type) if isinstance(key_type, str) else key_type
    try:
        ca = _ca_store(
            name=name,
            slug=slug,
            subject_name=subject_name,
            subject_text=subject_text,
            key_type=key_type,
            days=days,
            parent=parent,
            issuer=issuer,
            path_length=path_length,
            base_url=base_url,
            options=options,
            actor=actor,
        )
    except IntegrityError:
        # Another CA Admin created a CA of this name, short name or subject between the
        # checks above and the insert: nothing of this one was kept. Say which.
        _check_name(name)
        if CertificateAuthority.objects.filter(subject=subject_text).exists():
            raise CAError(
                _("Another CA already has the subject '%(subject)s': give this CA its own CN.")
                % {"subject": subject_text}
            ) from None
        raise CAError(
            _("Another CA was created with the same name at the same moment: choose another name.")
        ) from None
    return ca


def _ca_store(
    *,
    name: str,
    slug: str,
    subject_name: x509.Name,
    subject_text: str,
    key_type: KeyType,
    days: int,
    parent: CertificateAuthority | None,
    issuer: Issuer | None,
    path_length: int | None,
    base_url: str,
    options: IssueOptions,
    actor: Actor,
) -> CertificateAuthority:
    """Generate the key, sign and insert the CA and its certificate, all in one transaction."""
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
            profile=CertProfile.CA,
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
            base_url=base_url,
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
                "base_url": base_url,
            },
        )
    return ca


def ca_issue_options(*, ca: CertificateAuthority, force: bool = False) -> IssueOptions:
    """What ``ca`` writes into every certificate it signs: CRL, OCSP and caIssuers URLs."""
    return IssueOptions(
        crl_url=ca.crl_url,
        ocsp_url=ca.ocsp_url,
        ca_issuers_url=ca.ca_issuers_url,
        force=force,
    )


def _path_length(cert: x509.Certificate) -> int | None:
    return extensions.path_length(cert)


def ca_create_root(
    *,
    name: str,
    subject: str | x509.Name,
    key_type: KeyType | str = DEFAULT_CA_KEY_TYPE,
    days: int | None = None,
    path_length: int | None = None,
    base_url: str | None = None,
    actor: Actor,
) -> CertificateAuthority:
    """A new self-signed root CA with a fresh key (default RSA-3072, ten years).

    ``base_url``: of the CRL/OCSP/caIssuers URLs it writes (None: CERTDESK_PUBLIC_URL).
    """
    return _ca_create(
        name=name,
        subject=subject,
        key_type=key_type,
        days=days or DEFAULT_ROOT_DAYS,
        parent=None,
        path_length=path_length,
        base_url=base_url,
        actor=actor,
    )


def ca_create_intermediate(
    *,
    name: str,
    parent: CertificateAuthority,
    subject: str | x509.Name,
    key_type: KeyType | str = DEFAULT_CA_KEY_TYPE,
    days: int | None = None,
    path_length: int | None = 0,
    base_url: str | None = None,
    actor: Actor,
) -> CertificateAuthority:
    """A new intermediate CA signed by ``parent``; validity capped by the parent's."""
    return _ca_create(
        name=name,
        subject=subject,
        key_type=key_type,
        days=days or DEFAULT_INTERMEDIATE_DAYS,
        parent=parent,
        path_length=path_length,
        base_url=base_url,
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


def _crl_due(ca: CertificateAuthority, now: dt.datetime) -> bool:
    return ca.crl_next_update is None or ca.crl_next_update - CRL_RENEW_BEFORE <= now


def crl_refresh_due(*, now: dt.datetime | None = None) -> list[CertificateAuthority]:
    """A new CRL for every active CA whose CRL is missing or near its nextUpdate (beat, issue
    12). Safe to run twice or at once: each CA is re-checked under its row lock."""
    now = now or timezone.now()
    renewed = []
    for ca in CertificateAuthority.objects.active().order_by("pk"):
        if not _crl_due(ca, now):
            continue
        with transaction.atomic():
            locked = CertificateAuthority.objects.select_for_update().get(pk=ca.pk)
            if _crl_due(locked, now):
                crl_generate(ca=locked, actor=None)
                renewed.append(locked)
    return renewed


def ca_current_crl(*, ca: CertificateAuthority) -> bytes:
    """The CA's CRL (DER): the stored one, or a fresh one when none exists or it is due."""
    if ca.crl_der and not _crl_due(ca, timezone.now()):
        return bytes(ca.crl_der)
    try:
        return crl_generate(ca=ca, actor=None)
    except IntegrityError:  # pragma: no cover - concurrent renewal; serve what is stored
        ca.refresh_from_db()
        return bytes(ca.crl_der)

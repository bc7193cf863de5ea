"""CSRs and certificates: store, preview, issue, import, revoke; OCSP answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp as x509_ocsp
from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    SERIAL_HEX_MAX_LENGTH,
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateAuthority,
    CertificateSource,
    KeyPair,
    RevocationReason,
    SigningRequest,
)
from ..pki import ocsp as pki_ocsp
from ..pki.csr import check_csr, csr_subject_and_san, load_csr, signature_hash_name
from ..pki.errors import MalformedMaterial, PKIError
from ..pki.keys import PublicKey, describe_key, keys_match, public_key_fingerprint
from ..pki.load import load_certificate
from ..pki.names import (
    DATABASE_CLIENT_CN,
    classify_name,
    common_name,
    format_name,
    general_name_value,
)
from ..pki.sign import (
    CertProfile,
    IssueOptions,
    Issuer,
    build_request,
    check_signable,
    has_control_character,
    issue_certificate,
    serial_to_hex,
)
from ..selectors import certificate_x509
from .audit import Actor, actor_user, audit_event, audit_record
from .authorities import ca_check_usable, ca_issue_options, ca_issuer, crl_generate
from .certificates_store import (
    certificate_instance,
    certificate_row,
    certificate_san,
    certificates_mark_replaced,
    san_strings,
)
from .errors import CAError
from .keys import keypair_private_key

# --- CSRs ------------------------------------------------------------------------------------


def csr_parse(*, data: bytes) -> x509.CertificateSigningRequest:
    """Load a PEM or DER CSR and refuse what a CA must not sign (SPEC R3.2)."""
    limit = getattr(settings, "CERTDESK_MAX_UPLOAD_BYTES", 1024 * 1024)
    if len(data) > limit:
        raise CAError(
            _("The CSR is larger than %(kib)d KiB: it is not a certificate signing request.")
            % {"kib": limit // 1024}
        )
    if not data.strip():
        raise CAError(_("The CSR is empty: paste the text or choose the .csr file."))
    if b"-----BEGIN" in data and b"CERTIFICATE REQUEST-----" not in data:
        raise CAError(
            _(
                "This is PEM data but not a CSR (it should start with '-----BEGIN CERTIFICATE "
                "REQUEST-----'): did you paste a certificate or a key?"
            )
        )
    csr = load_csr(data)
    check_csr(csr)
    subject, san = csr_subject_and_san(csr)
    if not common_name(subject) and not san:
        raise CAError(
            _("The CSR has neither a CN nor a subjectAltName: generate it again with CN:<FQDN>.")
        )
    # What the CA would refuse to sign (key size, name lengths, control characters) is
    # refused here already, at preview and before anything is stored.
    check_signable(public_key=_csr_public_key(csr), subject=subject, san=san)
    return csr


def _csr_public_key(csr: x509.CertificateSigningRequest) -> PublicKey:
    """The CSR's public key, of a kind CertDesk signs for (RSA or EC); PKIError otherwise.

    csr_parse (check_csr) already refuses other kinds; this keeps the promise in the types.
    """
    key = csr.public_key()
    if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
        raise PKIError(
            f"Unsupported key type {type(key).__name__}: use RSA (2048 bits or more) or EC."
        )
    return key


def _csr_row(
    *, csr: x509.CertificateSigningRequest, key: KeyPair | None, actor: Actor
) -> SigningRequest:
    subject, san = csr_subject_and_san(csr)
    return SigningRequest.objects.create(
        pem=csr.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        subject=format_name(subject),
        common_name=(common_name(subject) or "")[:255],
        san=san_strings(san),
        public_key_sha256=public_key_fingerprint(_csr_public_key(csr)),
        key=key,
        created_by=actor_user(actor),
    )


def _csr_keep(
    *, csr: x509.CertificateSigningRequest, key: KeyPair | None, actor: Actor, summary: str
) -> SigningRequest:
    """Store the CSR row and its "csr.create" audit event together."""
    with transaction.atomic():
        row = _csr_row(csr=csr, key=key, actor=actor)
        audit_record(
            action=AuditAction.CSR_CREATE,
            actor=actor,
            target=row,
            summary=summary % {"subject": row.subject},
        )
    return row


def csr_store(*, csr_pem: bytes, actor: Actor) -> SigningRequest:
    """Parse (PEM or DER), check and keep a CSR received from elsewhere."""
    csr = csr_parse(data=csr_pem)
    fingerprint = public_key_fingerprint(_csr_public_key(csr))
    key = KeyPair.objects.filter(public_key_sha256=fingerprint).first()
    return _csr_keep(csr=csr, key=key, actor=actor, summary=_("Stored CSR for %(subject)s"))


def csr_create(
    *, keypair: KeyPair, subject: x509.Name, san: list[x509.GeneralName], actor: Actor
) -> SigningRequest:
    """Build a SHA-256 CSR with a stored key, keep it (audit "csr.create")."""
    private_key = keypair_private_key(keypair=keypair)
    csr = build_request(private_key=private_key, subject=subject, san=san)
    return _csr_keep(csr=csr, key=keypair, actor=actor, summary=_("Created CSR for %(subject)s"))


@dataclass
class CsrPreview:
    """What the signer sees before signing: identity, key, checks and the guide's warnings."""

    csr: x509.CertificateSigningRequest
    pem: str
    subject: str
    common_name: str
    san: list[str]
    key: str
    signature_hash: str
    suggested_san: list[str]
    warnings: list[str] = field(default_factory=list)
    client_profile_warnings: list[str] = field(default_factory=list)


def _is_wildcard(value: str) -> bool:
    return value.startswith("*.")


def csr_preview(*, data: bytes) -> CsrPreview:
    """Check a CSR and describe it, with warnings from the guide's rules; nothing is saved."""
    csr = csr_parse(data=data)
    subject, san = csr_subject_and_san(csr)
    cn = common_name(subject) or ""
    values = [general_name_value(name).lower() for name in san]
    suggested = san_strings(san)
    warnings: list[str] = []
    if not san:
        warnings.append(
            _(
                "The CSR has no subjectAltName. Browsers and many clients ignore the CN, so the "
                "CN is proposed as the subjectAltName (SPEC R3.4, R3.6)."
            )
        )
    elif cn and cn.lower() not in values:
        warnings.append(
            _(
                "The subjectAltName list does not contain the CN '%(cn)s': it is added to the "
                "proposed list, as the guide requires (SPEC R3.4, R3.6)."
            )
            % {"cn": cn}
        )
    if cn and cn.lower() not in values:
        try:
            suggested = san_strings([classify_name(cn)]) + suggested
        except PKIError:
            warnings.append(_("The CN '%(cn)s' is not a host name or IP address.") % {"cn": cn})
    wildcards = [v for v in [cn.lower(), *values] if _is_wildcard(v)]
    for wildcard in dict.fromkeys(wildcards):
        base = wildcard[2:]
        if base not in values:
            warnings.append(
                _(
                    "'%(wildcard)s' covers one level of names only, not '%(base)s' itself: add "
                    "'%(base)s' to the subjectAltName if clients use it, e.g. as the XMPP domain "
                    "(SPEC R2.6, R3.7)."
                )
                % {"wildcard": wildcard, "base": base}
            )
    client_warnings = []
    if cn != DATABASE_CLIENT_CN:
        client_warnings.append(
            _(
                "For the database cluster's client certificate the CN must be exactly "
                "'postgres'; this CSR's CN is '%(cn)s' (SPEC R3.9, R4.8)."
            )
            % {"cn": cn}
        )
    return CsrPreview(
        csr=csr,
        pem=csr.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        subject=format_name(subject),
        common_name=cn,
        san=san_strings(san),
        key=describe_key(_csr_public_key(csr)),
        signature_hash=(signature_hash_name(csr) or "").upper(),
        suggested_san=list(dict.fromkeys(suggested)),
        warnings=warnings,
        client_profile_warnings=client_warnings,
    )


# --- certificates ----------------------------------------------------------------------------


def _profile(profile: str | CertProfile) -> CertProfile:
    parsed = CertProfile.parse(profile) if isinstance(profile, str) else profile
    if parsed is CertProfile.CA:
        raise CAError(_("To sign a CA certificate create an intermediate CA instead."))
    return parsed


@dataclass(frozen=True)
class IssuedCertificate:
    """What :func:`certificate_issue` returns: the stored row and what the signer should read."""

    certificate: Certificate
    warnings: list[str] = field(default_factory=list)


def _not_recordable(exc: DataError) -> CAError:
    return CAError(
        _(
            "The certificate could not be recorded, so it was not issued (%(error)s): check "
            "the CSR's names for unusual characters."
        )
        % {"error": str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}
    )


def _signed_summary(
    certificate: Certificate, ca: CertificateAuthority, profile: CertProfile
) -> str:
    """The audit line of one signed certificate, alike for single and batch signing."""
    return _("Signed %(subject)s with %(ca)s (%(profile)s, serial %(serial)s)") % {
        "subject": certificate.subject,
        "ca": ca.name,
        "profile": profile.value,
        "serial": certificate.serial_number,
    }


def certificate_issue(
    *,
    ca: CertificateAuthority,
    csr: SigningRequest | x509.CertificateSigningRequest,
    profile: str | CertProfile,
    days: int,
    san: list[x509.GeneralName] | None = None,
    force: bool = False,
    actor: Actor,
) -> IssuedCertificate:
    """Sign a CSR with ``ca`` and keep the certificate (audit "certificate.sign").

    The subject comes from the checked CSR; ``san`` is the signer's edited list (None: the
    CSR's own, or the CN for server profiles when the CSR has none). ``force``: sign a TLS
    server certificate valid longer than Apple's 825 days. The request is checked, signed
    and stored in one transaction: a certificate the database cannot record is never
    handed out (the CA never signs what it cannot record).

    Pass a stored ``SigningRequest`` (csr_store/csr_create) to link the certificate to it
    and to its key pair; a bare ``x509`` CSR is checked and signed but not kept (the
    certificate holds everything it carried), which keeps bulk signing to two inserts.
    """
    cert_profile = _profile(profile)
    ca_check_usable(ca=ca)
    if isinstance(csr, SigningRequest):
        request_row: SigningRequest | None = csr
        request = load_csr(csr.pem.encode("ascii"))
    else:
        request_row, request = None, csr
    check_csr(request)
    subject, csr_san = csr_subject_and_san(request)
    names = list(csr_san) if san is None else list(san)
    if san is None and not names and cert_profile is not CertProfile.CLIENT:
        cn = common_name(subject)
        try:
            names = [classify_name(cn)] if cn else []
        except PKIError:
            names = []
    options = ca_issue_options(ca=ca, force=force)
    issuer = ca_issuer(ca=ca)
    key = request_row.key if request_row is not None else None
    try:
        with transaction.atomic():
            certificate = _issue_and_record(
                ca=ca,
                issuer=issuer,
                request=request,
                request_row=request_row,
                key=key,
                subject=subject,
                names=names,
                profile=cert_profile,
                days=days,
                options=options,
                actor=actor,
            )
    except DataError as exc:  # a value the database cannot store: nothing kept, nothing issued
        raise _not_recordable(exc) from None
    return IssuedCertificate(certificate=certificate, warnings=list(options.warnings))


def _issue_and_record(
    *,
    ca: CertificateAuthority,
    issuer: Issuer,
    request: x509.CertificateSigningRequest,
    request_row: SigningRequest | None,
    key: KeyPair | None,
    subject: x509.Name,
    names: list[x509.GeneralName],
    profile: CertProfile,
    days: int,
    options: IssueOptions,
    actor: Actor,
) -> Certificate:
    """Check, sign and insert with audit; the caller holds the transaction."""
    cert_profile = profile
    cert = issue_certificate(
        issuer=issuer,
        public_key=_csr_public_key(request),
        subject=subject,
        san=names,
        profile=cert_profile,
        days=days,
        options=options,
    )
    certificate = certificate_row(
        cert=cert,
        source=CertificateSource.INTERNAL,
        issuer_ca=ca,
        key=key,
        signing_request=request_row,
        profile=cert_profile.value,
        actor=actor,
        san=names,  # exactly what issue_certificate wrote: no need to read it back
    )
    audit_record(
        action=AuditAction.CERTIFICATE_SIGN,
        actor=actor,
        target=certificate,
        summary=_signed_summary(certificate, ca, cert_profile),
        details={
            "ca": ca.slug,
            "serial": certificate.serial_number,
            "san": certificate.san,
            "not_after": certificate.not_after.isoformat(),
            "warnings": options.warnings,
        },
    )
    return certificate


def certificate_issue_batch(
    *,
    ca: CertificateAuthority,
    csrs: list[x509.CertificateSigningRequest],
    profile: str | CertProfile,
    days: int,
    actor: Actor,
) -> list[Certificate]:
    """Sign many CSRs with one CA and store them in one transaction (all or nothing).

    For bulk work (every certificate of a deployment, migrations): the same checks and
    certificates as :func:`certificate_issue`, but one commit for the whole batch.
    """
    cert_profile = _profile(profile)
    ca_check_usable(ca=ca)
    issuer = ca_issuer(ca=ca)
    options = ca_issue_options(ca=ca)
    signed = []
    for request in csrs:
        check_csr(request)
        subject, names = csr_subject_and_san(request)
        signed.append(
            issue_certificate(
                issuer=issuer,
                public_key=_csr_public_key(request),
                subject=subject,
                san=list(names),
                profile=cert_profile,
                days=days,
                options=options,
            )
        )
    with transaction.atomic():
        rows = Certificate.objects.bulk_create(
            [
                certificate_instance(
                    cert=cert,
                    source=CertificateSource.INTERNAL,
                    issuer_ca=ca,
                    profile=cert_profile.value,
                    actor=actor,
                )
                for cert in signed
            ]
        )
        certificates_mark_replaced(rows)
        AuditEvent.objects.bulk_create(
            [
                audit_event(
                    action=AuditAction.CERTIFICATE_SIGN,
                    actor=actor,
                    target=row,
                    summary=_signed_summary(row, ca, cert_profile),
                    details={"ca": ca.slug, "serial": row.serial_number, "batch": len(rows)},
                )
                for row in rows
            ]
        )
    return rows


def _load_certificate(data: bytes) -> x509.Certificate:
    try:
        return load_certificate(data)  # pki's one loader: duplicated extensions etc. refused
    except MalformedMaterial:
        raise
    except PKIError:
        raise CAError(_("The file is not a readable certificate (PEM or DER).")) from None


def _check_recordable(cert: x509.Certificate) -> None:
    """Refuse, with a message, a certificate whose serial or names CertDesk cannot store."""
    serial = serial_to_hex(abs(cert.serial_number))
    if len(serial) > SERIAL_HEX_MAX_LENGTH:
        raise CAError(
            _(
                "The certificate's serial number is %(octets)d bytes long; CertDesk keeps "
                "serials of up to %(limit)d bytes (RFC 5280 allows 20): ask the CA for a "
                "standard certificate."
            )
            % {"octets": len(serial) // 2, "limit": SERIAL_HEX_MAX_LENGTH // 2}
        )
    san = certificate_san(cert)
    texts = [str(a.value) for name in (cert.subject, cert.issuer) for a in name]
    texts += [str(n.value) for n in san if isinstance(n.value, str)]
    if any(has_control_character(text) for text in texts):
        raise CAError(
            _(
                "The certificate's subject, issuer or subjectAltName contains a control "
                "character (such as NUL): CertDesk does not keep such a certificate."
            )
        )


def certificate_import(
    *, pem: bytes, source: str, key: KeyPair | None, actor: Actor
) -> Certificate:
    """Keep a certificate from a public CA, a self-signed one or any imported one."""
    if source not in CertificateSource.values:
        raise CAError(
            _("Unknown source '%(source)s': use one of %(choices)s.")
            % {"source": source, "choices": ", ".join(CertificateSource.values)}
        )
    cert = _load_certificate(pem)
    _check_recordable(cert)
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    if Certificate.objects.filter(fingerprint_sha256=fingerprint).exists():
        raise CAError(_("This certificate is already in CertDesk."))
    public_key = cert.public_key()
    if key is not None and not keys_match(keypair_private_key(keypair=key), public_key):  # type: ignore[arg-type]
        raise CAError(
            _("The certificate and the key do not match: choose the key the CSR was made with.")
        )
    if key is None:
        key = KeyPair.objects.filter(
            public_key_sha256=public_key_fingerprint(public_key)  # type: ignore[arg-type]
        ).first()
    issuer_ca = None
    for candidate in CertificateAuthority.objects.select_related("certificate").filter(
        subject=format_name(cert.issuer)
    ):
        try:
            cert.verify_directly_issued_by(certificate_x509(certificate=candidate.certificate))
        except (ValueError, TypeError, InvalidSignature):
            continue
        issuer_ca = candidate
        break
    with transaction.atomic():
        try:
            certificate = certificate_row(
                cert=cert, source=source, issuer_ca=issuer_ca, key=key, actor=actor
            )
        except IntegrityError:
            raise CAError(
                _("A certificate with this issuer and serial number is already in CertDesk.")
            ) from None
        except DataError as exc:
            raise _not_recordable(exc) from None
        audit_record(
            action=AuditAction.CERTIFICATE_UPLOAD,
            actor=actor,
            target=certificate,
            summary=_("Imported %(source)s certificate %(subject)s")
            % {"source": CertificateSource(source).label, "subject": certificate.subject},
            details={"serial": certificate.serial_number, "issuer": certificate.issuer},
        )
    return certificate


def certificate_revoke(
    *, certificate: Certificate, reason: str = RevocationReason.UNSPECIFIED, actor: Actor
) -> Certificate:
    """Revoke a certificate issued here and publish a new CRL (audited)."""
    if reason not in RevocationReason.values:
        raise CAError(
            _("Unknown revocation reason '%(reason)s': use one of %(choices)s.")
            % {"reason": reason, "choices": ", ".join(RevocationReason.values)}
        )
    ca = certificate.issuer_ca
    if ca is None or certificate.source != CertificateSource.INTERNAL:
        raise CAError(
            _(
                "Only certificates issued by CertDesk's own CAs can be revoked here; ask the CA "
                "that issued it."
            )
        )
    if ca.certificate_id == certificate.pk:
        raise CAError(
            _(
                "A root CA cannot revoke its own certificate: deactivate the CA and remove it "
                "from the trust stores instead (SPEC R1.5)."
            )
        )
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            raise CAError(
                _("This certificate was already revoked on %(date)s.")
                % {"date": f"{locked.revoked_at:%Y-%m-%d %H:%M}"}
            )
        locked.revoked_at = timezone.now().replace(microsecond=0)
        locked.revocation_reason = reason
        locked.save(update_fields=["revoked_at", "revocation_reason"])
        audit_record(
            action=AuditAction.CERTIFICATE_REVOKE,
            actor=actor,
            target=locked,
            summary=_("Revoked %(subject)s (serial %(serial)s): %(reason)s")
            % {
                "subject": locked.subject,
                "serial": locked.serial_number,
                "reason": RevocationReason(reason).label,
            },
            details={"serial": locked.serial_number, "reason": reason, "ca": ca.slug},
        )
        crl_generate(ca=ca, actor=actor)
    certificate.revoked_at, certificate.revocation_reason = locked.revoked_at, reason
    return certificate


# --- OCSP ------------------------------------------------------------------------------------


def ocsp_respond(*, ca: CertificateAuthority, request_der: bytes) -> bytes:
    """The DER OCSP response (RFC 6960) for a DER request about a certificate of ``ca``."""
    try:
        request = pki_ocsp.load_request(request_der)
    except PKIError:
        return pki_ocsp.unsuccessful(x509_ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    issuer = ca_issuer(ca=ca)
    if not ca.is_active or not pki_ocsp.request_is_for(request, issuer.certificate):
        return pki_ocsp.unsuccessful(x509_ocsp.OCSPResponseStatus.UNAUTHORIZED)
    row = (
        Certificate.objects.filter(issuer_ca=ca, serial_number=serial_to_hex(request.serial_number))
        .only("revoked_at", "revocation_reason")
        .first()
    )
    if row is None:
        status = pki_ocsp.CertStatus(pki_ocsp.OcspStatus.UNKNOWN)
    elif row.revoked_at is not None:
        status = pki_ocsp.CertStatus(
            pki_ocsp.OcspStatus.REVOKED, row.revoked_at, row.revocation_reason
        )
    else:
        status = pki_ocsp.CertStatus(pki_ocsp.OcspStatus.GOOD)
    return pki_ocsp.build_response(request=request, issuer=issuer, status=status)

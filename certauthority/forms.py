"""Forms of the CA pages. Validation calls the services' parsers so messages match the CLI's."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, CertificateAuthority, CertificateSource, RevocationReason
from .pki.errors import PKIError
from .pki.keys import KeyType
from .pki.names import classify_names, parse_dn
from .pki.sign import MAX_DAYS, TLS_SERVER_MAX_DAYS, CertProfile
from .selectors import CertificateFilter
from .services import (
    DEFAULT_CA_KEY_TYPE,
    DEFAULT_INTERMEDIATE_DAYS,
    DEFAULT_ROOT_DAYS,
    ca_check_base_url,
    csr_preview,
    default_base_url,
)


def _lazy_format(text, **values):
    """``text % values``, translated when rendered (not when this module is imported)."""
    return lazy(lambda: str(text) % values, str)()


KEY_TYPE_CHOICES = [
    (KeyType.RSA2048.value, _("RSA 2048 bits")),
    (KeyType.RSA3072.value, _("RSA 3072 bits (recommended for CAs)")),
    (KeyType.RSA4096.value, _("RSA 4096 bits")),
    (KeyType.EC256.value, _("EC P-256")),
    (KeyType.EC384.value, _("EC P-384")),
]
PROFILE_CHOICES = [
    (
        CertProfile.SERVER.value,
        _("Server (serverAuth): Web Admin, Call Bridge, Web Bridge, DB server"),
    ),
    (CertProfile.CLIENT.value, _("Client (clientAuth): database cluster client (CN postgres)")),
    (CertProfile.SERVER_CLIENT.value, _("Server and client: trunk, load balancer, Call Bridge")),
]
STATUS_CHOICES = [
    ("", _("Any status")),
    ("valid", _("Valid")),
    ("expiring", _("Expiring within 30 days")),
    ("expired", _("Expired")),
    ("revoked", _("Revoked")),
]


_escape_lazy = lazy(escape, str)


class CACreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("Signed by"),
        queryset=CertificateAuthority.objects.active(),
        required=False,
        empty_label=_("Nobody: a new root CA"),
        help_text=_("Choose a CA to create an intermediate CA under it."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=500,
        required=False,
        # crispy renders help texts as HTML: escaped, or "<name>" vanishes (issue 10 item 16).
        help_text=_escape_lazy(
            _("For example CN=Example Internal CA,O=Example Inc.,C=GB. Empty: CN=<name>.")
        ),
    )
    key_type = forms.ChoiceField(
        label=_("Key type"), choices=KEY_TYPE_CHOICES, initial=DEFAULT_CA_KEY_TYPE.value
    )
    days = forms.IntegerField(
        label=_("Validity (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        help_text=_lazy_format(
            _("Empty: %(root)d for a root, %(intermediate)d for an intermediate."),
            root=DEFAULT_ROOT_DAYS,
            intermediate=DEFAULT_INTERMEDIATE_DAYS,
        ),
    )
    base_url = forms.CharField(
        label=_("CRL and OCSP base URL"),
        max_length=500,
        required=False,
        help_text=_(
            "The address relying parties reach CertDesk at; written into every certificate "
            "this CA signs. Empty: CERTDESK_PUBLIC_URL. You can change it later on the CA's page."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_url"].initial = default_base_url()

    def clean_base_url(self):
        try:
            return ca_check_base_url(self.cleaned_data["base_url"] or default_base_url())
        except PKIError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_subject(self):
        text = self.cleaned_data["subject"].strip()
        if not text:
            return None
        try:
            return parse_dn(text)
        except PKIError as exc:
            raise forms.ValidationError(str(exc)) from None


class CABaseUrlForm(forms.Form):
    """A CA Admin changes where a CA's CRL, OCSP and caIssuers URLs point."""

    base_url = forms.CharField(label=_("CRL and OCSP base URL"), max_length=500)

    def clean_base_url(self):
        try:
            return ca_check_base_url(self.cleaned_data["base_url"])
        except PKIError as exc:
            raise forms.ValidationError(str(exc)) from None


class CsrInputForm(forms.Form):
    """Step 1 of signing: a CSR pasted as text or uploaded as a file (PEM or DER)."""

    csr_text = forms.CharField(
        label=_("Paste the CSR"),
        widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
        required=False,
    )
    csr_file = forms.FileField(label=_("or upload the .csr file"), required=False)

    def clean(self):
        data = super().clean()
        text, upload = data.get("csr_text", "").strip(), data.get("csr_file")
        if bool(text) == bool(upload):
            raise forms.ValidationError(_("Paste a CSR or choose a file (one of the two)."))
        limit = settings.CERTDESK_MAX_UPLOAD_BYTES
        if upload is not None:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("The file is larger than %(kib)d KiB: it is not a CSR.")
                    % {"kib": limit // 1024}
                )
            raw = upload.read(limit + 1)
        else:
            raw = text.encode("utf-8", "replace")
        try:
            data["preview"] = csr_preview(data=raw)
        except PKIError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


def _parse_san(text: str):
    items = [item.strip() for line in text.splitlines() for item in line.split(",")]
    return classify_names([item for item in items if item])


class SignForm(forms.Form):
    """Step 2 of signing: CA, profile, validity and the (edited) subjectAltName list."""

    csr_pem = forms.CharField(widget=forms.HiddenInput)
    ca = forms.ModelChoiceField(
        label=_("Sign with"), queryset=CertificateAuthority.objects.active(), empty_label=None
    )
    profile = forms.ChoiceField(label=_("Profile"), choices=PROFILE_CHOICES)
    days = forms.IntegerField(label=_("Validity (days)"), min_value=1, max_value=3650, initial=365)
    san = forms.CharField(
        label=_("Subject alternative names"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        required=False,
        help_text=_("One per line: DNS names, IP addresses, wildcards (SPEC R3.4)."),
    )
    force = forms.BooleanField(
        label=_lazy_format(
            _("Sign a server certificate valid longer than %(days)d days"),
            days=TLS_SERVER_MAX_DAYS,
        ),
        required=False,
        help_text=_("Apple devices refuse such certificates, even from a private CA."),
    )

    def clean_san(self):
        try:
            return _parse_san(self.cleaned_data["san"])
        except PKIError as exc:
            raise forms.ValidationError(str(exc)) from None


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=RevocationReason.choices, initial=RevocationReason.UNSPECIFIED
    )


class KeyDownloadForm(forms.Form):
    password = forms.CharField(
        label=_("Protect with a password (optional)"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        min_length=8,
        # 255 characters are at most 1020 bytes: PKCS#8 encryption takes at most 1023.
        max_length=255,
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        max_length=255,
    )

    def clean(self):
        data = super().clean()
        if data.get("password", "") != data.get("password_again", ""):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


class IssuerSourceFilter(forms.Form):
    """The CA and source filters the certificate list, the API and the dashboard share."""

    ca = forms.ModelChoiceField(
        label=_("CA"),
        queryset=CertificateAuthority.objects.order_by("name"),
        required=False,
        empty_label=_("Any CA"),
        to_field_name="slug",
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[("", _("Any source")), *CertificateSource.choices],
        required=False,
    )


class CertificateFilterForm(IssuerSourceFilter):
    field_order = ["q", "ca", "source", "status", "expires_before"]
    # Bounded: SQLite refuses LIKE patterns above 50,000 bytes (a 500, not a "no match").
    q = forms.CharField(label=_("CN, SAN or serial"), required=False, max_length=255)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    expires_before = forms.DateField(
        label=_("Expires before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def filters(self) -> CertificateFilter:
        """The valid form as the selector's filter (the list page and the API share it)."""
        data = self.cleaned_data
        return CertificateFilter(
            query=data["q"],
            ca=data["ca"],
            source=data["source"],
            status=data["status"],
            expires_before=data["expires_before"],
        )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Any action")), *AuditAction.choices], required=False
    )
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

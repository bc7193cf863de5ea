"""Forms of the tools page. Every file may be garbage: size is checked here, content in pki/."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: for the type checker alone


class SecretTextarea(forms.Textarea):
    """A textarea that never sends its value back to the browser (pasted private keys)."""

    def format_value(self, value):
        return None


def _pair(name: str, label: StrOrPromise, secret: bool) -> dict[str, forms.Field]:
    textarea = SecretTextarea if secret else forms.Textarea
    return {
        f"{name}_file": forms.FileField(
            label=capfirst(_("%(what)s (file)") % {"what": label}), required=False
        ),
        f"{name}_text": forms.CharField(
            label=_("…or paste it (PEM)"),
            required=False,
            widget=textarea(attrs={"rows": 4, "class": "font-monospace"}),
        ),
    }


class ToolForm(forms.Form):
    """A form made of upload-or-paste pairs; ``material(name)`` returns the bytes given."""

    pairs: tuple[tuple[str, StrOrPromise, bool], ...] = ()
    secret_pairs: frozenset[str] = frozenset()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label, _required in self.pairs:
            self.fields.update(_pair(name, label, secret=name in self.secret_pairs))

    def clean(self):
        cleaned = super().clean()
        limit = settings.CERTDESK_MAX_UPLOAD_BYTES
        for name, label, required in self.pairs:
            upload = cleaned.get(f"{name}_file")
            text = (cleaned.get(f"{name}_text") or "").strip()
            if upload is not None:
                if upload.size > limit:
                    self.add_error(
                        f"{name}_file",
                        _("The file is %(size)d KiB; files above %(limit)d KiB are refused.")
                        % {"size": upload.size // 1024, "limit": limit // 1024},
                    )
                    continue
                cleaned[name] = upload.read()
            elif text:
                if len(text.encode()) > limit:
                    self.add_error(f"{name}_text", _("The pasted text is too long."))
                    continue
                cleaned[name] = text.encode("utf-8") + b"\n"
            elif required:
                self.add_error(
                    f"{name}_file", _("Upload %(what)s or paste it below.") % {"what": label}
                )
            else:
                cleaned[name] = None
        return cleaned


class InspectForm(ToolForm):
    pairs = (("material", _("a key, certificate, CSR, bundle or PKCS#12"), True),)


class MatchForm(ToolForm):
    pairs = (("key", _("the private key"), True), ("cert", _("the certificate"), True))
    secret_pairs = frozenset({"key"})
    password = forms.CharField(
        label=_("Key password (only if the key is encrypted)"),
        required=False,
        widget=forms.PasswordInput,
    )


class VerifyForm(ToolForm):
    pairs = (
        ("cert", _("the certificate"), True),
        ("bundle", _("the bundle (intermediates, and the root unless a CA file is given)"), True),
        ("ca", _("the CA certificate (optional)"), False),
    )

"""The project's form renderer: no field ever sends a pasted private key back to the browser.

A private key pasted by mistake into a CSR or certificate box used to come back in the
re-rendered form (issue 9, item 15): in the page, the browser's history and cache, and any
proxy's logs. The renderer is settings.FORM_RENDERER, so every form of every app (and every
field added later) gets this bound field without opting in.
"""

from __future__ import annotations

from typing import Any

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

# What a PEM private key ("-----BEGIN [RSA |EC |ENCRYPTED |OPENSSH ]PRIVATE KEY-----") and a
# PuTTY key file contain: enough of a key to refuse to echo, whatever else surrounds it.
_KEY_MARKERS = ("PRIVATE KEY", "PuTTY-User-Key-File", "Private-Lines:")


def contains_private_key(value: Any) -> bool:
    """Whether a submitted value (text, bytes, or a list of them) holds a private key."""
    if isinstance(value, list | tuple):
        return any(contains_private_key(item) for item in value)
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return isinstance(value, str) and any(marker in value for marker in _KEY_MARKERS)


KEY_NOT_SHOWN = _(
    "This box held a private key, which is not shown again. Never paste a private key here: "
    "CertDesk asks for certificates and CSRs, which carry only the public key."
)


class KeySafeBoundField(BoundField):
    """A bound field whose widget renders empty when the value holds a private key, and whose
    errors never quote it (Django's "Select a valid choice. %(value)s is not one of…")."""

    def value(self) -> Any:
        value = super().value()
        return None if contains_private_key(value) else value

    @property
    def errors(self) -> ErrorList:
        errors = super().errors
        if not any(contains_private_key(str(message)) for message in errors):
            return errors
        safe = [str(KEY_NOT_SHOWN) if contains_private_key(str(m)) else str(m) for m in errors]
        return self.form.error_class(safe, renderer=self.form.renderer)


class KeySafeFormRenderer(DjangoTemplates):
    bound_field_class = KeySafeBoundField

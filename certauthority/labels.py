"""The pki layer's English facts (it has no Django, so no gettext) in the visitor's language.

``pki.inspect`` says "valid, 89 days left", "RSA 2048 bits" and "Digital Signature" for the
terminal; the pages translate those facts here, from the structured values where there are
some (``days_left``) and from a fixed vocabulary otherwise.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .pki.inspect import CertificateInfo

KEY_USAGE_LABELS = {
    "Digital Signature": gettext_lazy("Digital Signature"),
    "Non Repudiation": gettext_lazy("Non Repudiation"),
    "Key Encipherment": gettext_lazy("Key Encipherment"),
    "Data Encipherment": gettext_lazy("Data Encipherment"),
    "Key Agreement": gettext_lazy("Key Agreement"),
    "Certificate Sign": gettext_lazy("Certificate Sign"),
    "CRL Sign": gettext_lazy("CRL Sign"),
    "Encipher Only": gettext_lazy("Encipher Only"),
    "Decipher Only": gettext_lazy("Decipher Only"),
}
_RSA = re.compile(r"RSA (\d{1,5}) bits")


def validity_status(info: CertificateInfo) -> str:
    """ "valid, 89 days left", "expired" or "not yet valid", translated."""
    if info.days_left is not None:
        # Two messages rather than ngettext: the catalogue checks read singular entries only.
        if info.days_left == 1:
            return _("valid, 1 day left")
        return _("valid, %(days)s days left") % {"days": info.days_left}
    if info.status == "expired":
        return _("expired")
    return _("not yet valid")


def key_description(text: str) -> str:
    """ "RSA 2048 bits" translated; other descriptions ("EC P-256") are technical tokens."""
    match = _RSA.fullmatch(text)
    return _("RSA %(bits)s bits") % {"bits": match.group(1)} if match else text


def key_usage_names(names: list[str]) -> list[str]:
    return [str(KEY_USAGE_LABELS.get(n, n)) for n in names]

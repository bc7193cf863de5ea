"""Domain errors of the CA services (a PKIError: one line, what is wrong and how to fix it)."""

from __future__ import annotations

from ..pki.errors import PKIError


class CAError(PKIError):
    """The CA cannot do what was asked (inactive or expired CA, duplicate name, …)."""

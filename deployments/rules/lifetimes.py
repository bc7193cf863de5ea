"""How long a planned certificate is issued for (issue 9 item 6; ROADMAP 3).

Publicly trusted TLS certificates follow the CA/Browser Forum's Baseline Requirements, 6.3.2
(ballot SC-081): at most 398 days, then 200 days for certificates issued from 2026-03-15,
100 days from 2027-03-15 and 47 days from 2029-03-15. Internal-CA certificates are issued for
397 days, under the 398-day mark above which CertDesk's CA warns (Apple platforms refuse TLS
server certificates longer than 825 days even from private roots).
"""

from __future__ import annotations

import datetime as dt

# (first day of the rule, the longest validity in days) in date order; SC-081.
PUBLIC_TLS_LIMITS: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2026, 3, 15), 200),
    (dt.date(2027, 3, 15), 100),
    (dt.date(2029, 3, 15), 47),
)
PUBLIC_TLS_BEFORE_SC081 = 398
INTERNAL_TLS_DAYS = 397


def public_tls_max_days(on: dt.date) -> int:
    """The longest validity a public CA may give a TLS certificate issued on ``on``."""
    days = PUBLIC_TLS_BEFORE_SC081
    for start, limit in PUBLIC_TLS_LIMITS:
        if on >= start:
            days = limit
    return days


def default_validity_days(*, public_ca_required: bool, on: dt.date) -> int:
    """Days to issue a plan entry for when nobody says otherwise: a certificate that outside
    clients must trust (``PlannedCertificate.public_ca_required``) follows the public limit in
    force, even when signed in house."""
    return public_tls_max_days(on) if public_ca_required else INTERNAL_TLS_DAYS

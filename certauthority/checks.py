"""System checks of the CA: CRL/OCSP URLs that relying parties cannot reach (issue 9 item 5)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def public_url_reachable(app_configs, **kwargs):
    """CERTDESK_PUBLIC_URL, the base a new CA writes into certificates, must not be loopback.

    A deployment check (`manage.py check --deploy`), so the `ca` and `pki` commands keep
    their one-line output; `ca init` and the CA form show the same warning when it applies.
    """
    from .services import base_url_is_loopback

    url = getattr(settings, "CERTDESK_PUBLIC_URL", "")
    if settings.DEBUG or not base_url_is_loopback(url):
        return []
    return [
        Warning(
            f"CERTDESK_PUBLIC_URL is {url}, a loopback address: CAs created now write CRL and "
            "OCSP URLs into their certificates that no other machine can reach.",
            hint="Set CERTDESK_PUBLIC_URL to the address clients reach CertDesk at, e.g. "
            "https://certdesk.example.com.",
            id="certauthority.W001",
        )
    ]


@register(Tags.database)
def ca_urls_reachable(app_configs, databases=None, **kwargs):
    """Each CA's own base URL (run by `check --database default` and by `migrate`)."""
    if settings.DEBUG or not databases:
        return []
    from .models import CertificateAuthority
    from .services import base_url_is_loopback

    try:
        rows = list(
            CertificateAuthority.objects.filter(is_active=True).values_list(
                "name", "slug", "base_url"
            )
        )
    except DatabaseError:  # not migrated yet
        return []
    return [
        Warning(
            f"The CA '{name}' writes CRL and OCSP URLs under {base_url}, a loopback address "
            "that no other machine can reach.",
            hint=f"Run 'manage.py ca set-url {slug} --base-url https://<host>' or change it on "
            "the CA's page (for certificates signed from then on).",
            id="certauthority.W002",
        )
        for name, slug, base_url in rows
        if base_url_is_loopback(base_url)
    ]

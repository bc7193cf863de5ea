"""System checks: bad settings fail at start-up with a clear message (STYLE.md, Settings)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MIN_KEY_ENCRYPTION_SECRET = 16


@register(Tags.security)
def key_encryption_secret(app_configs, **kwargs):
    secret = getattr(settings, "CERTDESK_KEY_ENCRYPTION_KEY", "")
    if not secret:
        return [
            Warning(
                "CERTDESK_KEY_ENCRYPTION_KEY is not set: CertDesk cannot store or use private keys.",
                hint="Set CERTDESK_KEY_ENCRYPTION_KEY or CERTDESK_KEY_ENCRYPTION_KEY_FILE "
                "(make run creates var/key-encryption.key for you).",
                id="certdesk.W001",
            )
        ]
    if len(secret) < MIN_KEY_ENCRYPTION_SECRET:
        return [
            Error(
                f"CERTDESK_KEY_ENCRYPTION_KEY is shorter than {MIN_KEY_ENCRYPTION_SECRET} characters.",
                hint="Use a long random value, for example: python -c "
                '"import secrets; print(secrets.token_urlsafe(48))"',
                id="certdesk.E001",
            )
        ]
    return []

"""Log-in lockout (issue 9, item 12), on django-axes with its database handler.

The policy, decided here and documented in .env.example:

- A user name is locked after CERTDESK_LOGIN_FAILURE_LIMIT failed log-ins (default 5) within
  the cool-off window, from whatever address: guessing one account from many machines fails.
- An address is locked after CERTDESK_LOGIN_ADDRESS_FAILURE_LIMIT failures (default 20) over
  all user names: password spraying from one machine fails.
- Attempts refused during a lockout are not counted. So one attacker guessing one user stops
  counting at the user limit and never reaches the address limit: colleagues behind the same
  NAT or proxy address keep logging in; only the attacked account waits.
- A lock ends CERTDESK_LOGIN_LOCKOUT_MINUTES (default 15) after the failures that caused it,
  or when a CA Admin unlocks it (admin "Access attempts", or `manage.py axes_reset_username`).
- A successful log-in clears that user name's failures only (not the address's: an attacker
  must not reset the address count by logging in to an account of their own).

Counts live in the database (AccessAttempt), never in the cache, so the lockout holds when
Redis is down. Locks and unlocks go to the audit log.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

USER = "user"
ADDRESS = "address"


def client_address(request: HttpRequest) -> str | None:
    """The client's address: behind the TLS proxy (BEHIND_TLS_PROXY) the right-most
    X-Forwarded-For entry, the one our proxy appended; a client cannot forge that one."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    return request.META.get("REMOTE_ADDR")


def _recent(request: HttpRequest) -> QuerySet[AccessAttempt]:
    attempts = AccessAttempt.objects.all()
    if get_cool_off(request) is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts


def _sum(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _lock_end(request: HttpRequest, attempts: QuerySet[AccessAttempt], limit: int) -> dt.datetime:
    """When the failures still counting fall below LIMIT: the newest rows count longest."""
    total = 0
    moment = timezone.now()
    for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
        "attempt_time", "failures_since_start"
    ):
        total += failures
        moment = attempt_time
        if total >= limit:
            break
    return moment + (get_cool_off(request) or dt.timedelta(0))


def lock_state(request: HttpRequest, credentials: dict | None) -> tuple[str, int, dt.datetime]:
    """(USER or ADDRESS, failures, until when) for a locked request; ("", n, now) otherwise."""
    recent = _recent(request)
    username = get_client_username(request, credentials)
    user_attempts = recent.filter(username=username) if username else recent.none()
    address_attempts = recent.filter(ip_address=getattr(request, "axes_ip_address", None))
    user_limit = settings.AXES_FAILURE_LIMIT
    address_limit = settings.CERTDESK_LOGIN_ADDRESS_FAILURE_LIMIT
    by_user, by_address = _sum(user_attempts), _sum(address_attempts)
    if by_user >= user_limit:
        return USER, by_user, _lock_end(request, user_attempts, user_limit)
    if by_address >= address_limit:
        return ADDRESS, by_address, _lock_end(request, address_attempts, address_limit)
    return "", by_user, timezone.now()


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with CertDesk's two limits and audit entries."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # Axes compares one number with AXES_FAILURE_LIMIT: a locked address reports at least
        # that many, whatever the user name's own count.
        reason, failures, _until = lock_state(request, credentials)
        return max(failures, settings.AXES_FAILURE_LIMIT) if reason else failures

    def user_login_failed(
        self, sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        already_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if (
            request is not None
            and not already_locked
            and getattr(request, "axes_locked_out", False)
        ):
            _audit_lock(request, credentials)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """After a successful log-in: that user name's failures only."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count

    def reset_attempts(
        self,
        *,
        ip_address: str | None = None,
        username: str | None = None,
        ip_or_username: bool = False,
    ) -> int:
        """A CA Admin's unlock (`manage.py axes_reset…`); audited when it cleared something."""
        count = super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )
        if count:
            from certauthority.models import AuditAction
            from certauthority.services.audit import audit_record

            audit_record(
                action=AuditAction.LOGIN_UNLOCK,
                actor=None,
                summary=_("Log-in lockout cleared (%(what)s).")
                % {"what": ", ".join(filter(None, [username, ip_address])) or _("everyone")},
                details={"username": username or "", "ip_address": ip_address or ""},
            )
        return count


def _audit_lock(request: HttpRequest, credentials: dict | None) -> None:
    from certauthority.models import AuditAction
    from certauthority.services.audit import audit_record

    reason, failures, until = lock_state(request, credentials)
    username = get_client_username(request, credentials) or ""
    address = getattr(request, "axes_ip_address", "") or ""
    if reason == ADDRESS:
        summary = _("Log-ins from %(address)s locked after %(count)d failed attempts.")
    else:
        summary = _("Log-ins as %(username)s locked after %(count)d failed attempts.")
    audit_record(
        action=AuditAction.LOGIN_LOCKOUT,
        actor=None,
        summary=summary % {"address": address, "username": username[:150], "count": failures},
        details={
            "locked": reason or USER,
            "username": username[:150],
            "ip_address": address,
            "failures": failures,
            "until": until.isoformat(),
        },
    )


def lockout_message(request: HttpRequest, credentials: dict | None) -> str:
    reason, failures, until = lock_state(request, credentials)
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    # Two messages rather than ngettext: the .po checks take no plural forms.
    wait = _("1 minute") if minutes == 1 else _("%(minutes)d minutes") % {"minutes": minutes}
    if reason == ADDRESS:
        return _(
            "Log-ins from your address are locked after %(count)d failed attempts. Try again "
            "in %(wait)s, or ask a CA Admin to unlock it."
        ) % {"count": failures, "wait": wait}
    return _(
        "This account is locked after %(count)d failed log-ins. Try again in %(wait)s, or ask "
        "a CA Admin to unlock it."
    ) % {"count": failures, "wait": wait}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The login page again (429) saying the account is locked and for how long."""
    username = get_client_username(request, credentials) or ""
    form = AuthenticationForm(request, initial={"username": username})  # unbound: no auth
    context = {
        "form": form,
        "next": request.POST.get("next", "") if request.method == "POST" else "",
        "lockout": lockout_message(request, credentials),
    }
    return render(request, "registration/login.html", context, status=429)

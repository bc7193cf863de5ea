"""Issue 9, item 12: log-in guessing is locked out per user name and per address.

30 wrong passwords used to leave the right one working at once. Now (core/lockout.py) a user
name is locked after CERTDESK_LOGIN_FAILURE_LIMIT failures, an address after
CERTDESK_LOGIN_ADDRESS_FAILURE_LIMIT failures over all user names; the login page says the
account is locked and for how long, the audit log records it, and the counts live in the
database so that the lockout holds with Redis down.
"""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from certauthority.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ATTACKER = "203.0.113.66"
COLLEAGUE = "198.51.100.7"
CLOSED_PORT = 20302  # the app helper's port range 20300..20399


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    """Hundreds of log-ins: a fast hasher (set before the users are made) keeps this quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _log_in(client, username: str, password: str, address: str = ATTACKER):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("dashboard")


def _guess(client, username: str, times: int, address: str = ATTACKER) -> None:
    for i in range(times):
        response = _log_in(client, username, f"wrong-{i}", address)
        assert response.status_code in (200, 429)


def test_the_defaults_lock_after_five_failures_for_fifteen_minutes():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.CERTDESK_LOGIN_ADDRESS_FAILURE_LIMIT == 20
    assert django_settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)
    assert django_settings.AXES_HANDLER == "core.lockout.LockoutHandler"  # database, not cache


def test_thirty_wrong_passwords_and_the_right_one_is_refused_with_a_clear_message(client, operator):
    _guess(client, "operator", 30)
    response = _log_in(client, "operator", "pw-operator")
    assert not _logged_in(response)
    assert response.status_code == 429
    page = response.content.decode()
    assert "This account is locked after 5 failed log-ins" in page
    assert "Try again in 15" in page and "minutes" in page
    assert "ask a CA Admin to unlock it" in page
    assert 'name="username"' in page  # the login form is still there
    assert client.get(reverse("dashboard")).status_code == 302  # not logged in


def test_the_lock_starts_at_the_limit_and_not_before(client, operator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _guess(client, "operator", 2)
    assert _logged_in(_log_in(client, "operator", "pw-operator"))
    client.logout()
    _guess(client, "operator", 3)
    assert _log_in(client, "operator", "pw-operator").status_code == 429


def test_the_lockout_is_written_once_to_the_audit_log(client, operator):
    _guess(client, "operator", 12)
    events = AuditEvent.objects.filter(action="login.lockout")
    assert events.count() == 1
    event = events.get()
    assert "operator" in event.summary and "5" in event.summary
    assert event.details["ip_address"] == ATTACKER
    assert event.details["locked"] == "user"
    assert "wrong" not in str(event.details) + event.summary  # never a password


def test_a_locked_user_is_locked_from_every_address(client, operator):
    _guess(client, "operator", 5, address=ATTACKER)
    assert _log_in(client, "operator", "pw-operator", address=COLLEAGUE).status_code == 429


def test_one_attacker_guessing_one_user_does_not_lock_out_the_office(client, operator, viewer):
    # The office shares one NAT address with the attacker; the attacker keeps guessing.
    _guess(client, "operator", 40, address=ATTACKER)
    assert _logged_in(_log_in(client, "viewer", "pw-viewer", address=ATTACKER))


def test_guessing_many_user_names_from_one_address_locks_that_address(client, viewer):
    for name in ("alice", "bob", "carol", "dave", "erin"):
        _guess(client, name, 4)  # each stays under the user name limit
    response = _log_in(client, "viewer", "pw-viewer", address=ATTACKER)
    assert response.status_code == 429
    assert "Log-ins from your address are locked after 20 failed attempts" in (
        response.content.decode()
    )
    assert _logged_in(_log_in(client, "viewer", "pw-viewer", address=COLLEAGUE))
    assert AuditEvent.objects.filter(action="login.lockout").get().details["locked"] == "address"


def test_the_account_opens_again_after_the_cool_off(client, operator, time_machine):
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False)
    _guess(client, "operator", 5)
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 14, tzinfo=dt.UTC), tick=False)
    response = _log_in(client, "operator", "pw-operator")
    assert response.status_code == 429
    assert "Try again in 1" in response.content.decode()  # "1 minute"
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 15, 1, tzinfo=dt.UTC), tick=False)
    assert _logged_in(_log_in(client, "operator", "pw-operator"))


def test_attempts_during_the_lockout_do_not_extend_it(client, operator, time_machine):
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False)
    _guess(client, "operator", 5)
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 10, tzinfo=dt.UTC), tick=False)
    _guess(client, "operator", 10)
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 15, 1, tzinfo=dt.UTC), tick=False)
    assert _logged_in(_log_in(client, "operator", "pw-operator"))


def test_a_ca_admin_unlocks_an_account_from_the_command_line(client, operator):
    _guess(client, "operator", 5)
    assert _log_in(client, "operator", "pw-operator").status_code == 429
    call_command("axes_reset_username", "operator")
    assert _logged_in(_log_in(client, "operator", "pw-operator"))
    unlock = AuditEvent.objects.filter(action="login.unlock").get()
    assert "operator" in unlock.summary


def test_a_ca_admin_may_see_and_remove_lockouts_in_the_admin(ca_admin, operator):
    assert ca_admin.has_perm("axes.view_accessattempt")
    assert ca_admin.has_perm("axes.delete_accessattempt")
    assert not operator.has_perm("axes.delete_accessattempt")


def test_a_successful_log_in_clears_the_users_failures_but_not_the_addresss(
    client, operator, viewer, settings
):
    settings.CERTDESK_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    _guess(client, "someone-else", 3)
    _guess(client, "operator", 2)
    assert _logged_in(_log_in(client, "operator", "pw-operator"))  # the attacker's own account
    client.logout()
    _guess(client, "nobody-else", 2)  # 3 + 2: operator's 2 no longer count
    assert _logged_in(_log_in(client, "viewer", "pw-viewer"))
    client.logout()
    _guess(client, "nobody-else", 1)  # someone-else's 3 still do: 6
    assert _log_in(client, "viewer", "pw-viewer").status_code == 429


@pytest.fixture
def redis_down(settings):
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", CLOSED_PORT))  # bound, never listening: connections refused
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    try:
        yield
    finally:
        holder.close()


def test_the_lockout_holds_with_redis_down(redis_down, client, operator):
    from django.core.cache import cache

    with pytest.raises(Exception):  # noqa: B017 (any redis error: the cache is truly gone)
        cache.get("probe")
    _guess(client, "operator", 5)
    response = _log_in(client, "operator", "pw-operator")
    assert response.status_code == 429
    assert "This account is locked" in response.content.decode()

"""The base URL a new CA writes into certificates, derived from where `make run` serves (item 10).

Pure and Django-free so settings can call it before Django is configured. The one rule:

* ``CERTDESK_PUBLIC_URL``, when set, wins.
* Otherwise it comes from ``CERTDESK_BIND`` (the Makefile passes ``BIND`` through):
  ``http://HOST:PORT/`` with the bind's own host when it names one (``10.0.0.5:8000``,
  ``certdesk.example.com:8443``), and the machine's fully qualified name when the bind is a
  wildcard (``0.0.0.0``, ``::``, empty): clients cannot reach "any address", but they can
  reach this machine's name. The scheme is ``http``: gunicorn serves plain HTTP; behind a TLS
  proxy set ``CERTDESK_PUBLIC_URL`` to the proxy's ``https://`` address.
* No bind, or a Unix socket (``unix:/run/certdesk.sock``, which only a local proxy reaches):
  ``http://127.0.0.1:8000``, which ``check --deploy`` flags as loopback.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

DEFAULT_BIND = "127.0.0.1:8000"
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "*"})  # noqa: S104 (names, not binds)


def _split_bind(bind: str) -> tuple[str, str]:
    """``host:port`` (IPv6 in brackets) -> (host, port); a bare port means every address."""
    bind = bind.strip()
    if bind.startswith("["):
        host, _, rest = bind[1:].partition("]")
        return host, rest.lstrip(":") or "8000"
    if bind.count(":") > 1:  # bare IPv6 without port
        return bind, "8000"
    if ":" in bind:
        host, _, port = bind.rpartition(":")
        return host, port or "8000"
    if bind.isdigit():
        return "", bind
    return bind, "8000"


def public_url_from_bind(bind: str | None, *, fqdn: str | None = None) -> str:
    """The base URL for a server bound to BIND (see the module docstring for the rule)."""
    if not bind or not bind.strip() or bind.strip().startswith(("unix:", "fd://")):
        bind = DEFAULT_BIND
    host, port = _split_bind(bind)
    if host in WILDCARD_HOSTS:
        host = fqdn if fqdn is not None else (socket.getfqdn() or socket.gethostname())
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def public_url(environ: dict[str, str]) -> str:
    """CERTDESK_PUBLIC_URL if set, else derived from CERTDESK_BIND: the one place of the rule."""
    explicit = environ.get("CERTDESK_PUBLIC_URL", "").strip()
    if explicit:
        return explicit
    return public_url_from_bind(environ.get("CERTDESK_BIND"))


LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"]


def allowed_hosts_default(url: str) -> list[str]:
    """ALLOWED_HOSTS when unset: loopback, plus URL's host so the derived address answers."""
    host = urlsplit(url).hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return LOOPBACK_HOSTS + ([host] if host and host not in LOOPBACK_HOSTS else [])

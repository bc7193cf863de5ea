"""The TLS probe (issue 12; SPEC R4.10, R5.1-R5.4): connect to a component's endpoint, read
the chain it presents and compare it with the plan. The comparison itself is pure
(``rules.check_presented_chain``); this module does the network and the storing.

How the chain is read. Python's ``ssl`` gives only the leaf through ``getpeercert``; the whole
chain as the server sent it comes from ``SSLSocket.get_unverified_chain()``, public from
Python 3.13, and on 3.10-3.12 from the same method of the socket's ``_sslobj`` (the C object
the public one wraps). CertDesk runs on 3.11, so it takes the public method when there is
one, else the ``_sslobj`` one: in-process, with the socket's own timeout, no ``openssl``
subprocess to find, start and parse. When neither exists (a Python that drops it), only the
leaf is read and the chain is not judged (a warning says so) rather than misjudged.

Safety. The probe connects only to the hosts the deployment names for the component: its
server's addresses and FQDN, and its own FQDN; anything else is refused before any socket is
opened. Verification is off on purpose (the probe reports on what is presented, it does not
trust it), nothing is sent after the handshake, and timeouts are short. Every network failure
becomes a stored ``ProbeResult`` with ``reachable=False`` and an error finding: nothing escapes
to the view, the command or the task.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules
from .chains import known_cas
from .models import CertificatePlan, Component, Deployment, ProbeResult
from .rules.checks.probe import fingerprint
from .rules.plan import presents
from .selectors import planned_from_row
from .services import DeploymentError

DEFAULT_TIMEOUT = 3.0  # seconds, for the connection and for the handshake each
KEEP_RESULTS = 20  # per component: the newest are what the findings show, older ones history


class ProbeRefused(DeploymentError):
    """The probe was asked to connect somewhere the deployment does not name."""


def probe_hosts(*, component: Component) -> tuple[str, ...]:
    """The hosts the deployment names for this component, in the order the probe prefers."""
    server = component.server
    return rules.unique((*server.addresses, component.fqdn, server.fqdn))


def _same_host(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a.rstrip(".").lower() == b.rstrip(".").lower()


def component_server_name(*, component: Component) -> str:
    """The name the probe sends as SNI and expects in the certificate."""
    return component.fqdn or component.server.fqdn


def _serving_row(component: Component) -> CertificatePlan | None:
    """The plan entry whose certificate the component presents (not a client-only one)."""
    rows = (
        CertificatePlan.objects.filter(components=component)
        .select_related("certificate")
        .prefetch_related("components__server")
        .order_by("position", "basename")
    )
    return next((row for row in rows if presents(planned_from_row(row))), None)


def probe_target(*, component: Component) -> rules.ProbeTarget:
    """What the plan says the component should present (no network)."""
    row = _serving_row(component)
    expected = None
    if row is not None and row.certificate is not None:
        expected = rules.certificate_facts(row.certificate.pem)
    return rules.ProbeTarget(
        where=component.ref,
        kind=component.kind,
        server_name=component_server_name(component=component),
        basename=row.basename if row is not None else "",
        expected=expected,
    )


def _presented_chain(tls: ssl.SSLSocket) -> tuple[list[bytes], bool]:
    """The DER certificates the server sent, leaf first; and whether the whole chain was read."""
    getter = getattr(tls, "get_unverified_chain", None)  # Python 3.13+
    if getter is None:
        getter = getattr(getattr(tls, "_sslobj", None), "get_unverified_chain", None)
    if getter is not None:
        chain = getter() or []
        return [_der(item) for item in chain], True
    leaf = tls.getpeercert(binary_form=True)
    return ([leaf] if leaf else []), False


def _der(item: Any) -> bytes:
    if isinstance(item, bytes):
        return item  # 3.13 hands out DER already
    return bytes(item.public_bytes(ssl._ssl.ENCODING_DER))  # type: ignore[attr-defined]


def _client_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the probe reports on the chain; it does not trust it
    return context


def _connect(host: str, port: int, server_name: str, timeout: float) -> tuple[list[bytes], bool]:
    """Handshake with ``host:port`` (SNI ``server_name``) and return the presented chain."""
    sni = server_name if server_name and not _is_address(server_name) else None
    with socket.create_connection((host, port), timeout=timeout) as raw:
        raw.settimeout(timeout)
        with _client_context().wrap_socket(raw, server_hostname=sni) as tls:
            return _presented_chain(tls)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _failure(exc: BaseException, timeout: float) -> str:
    """The reason a connection failed, in a line the admin can act on."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return _("no answer within %(seconds)s seconds") % {"seconds": f"{timeout:g}"}
    if isinstance(exc, ConnectionRefusedError):
        return _("the connection was refused (nothing listens on that port)")
    if isinstance(exc, socket.gaierror):
        return _("the host name does not resolve (%(error)s)") % {"error": exc.strerror or exc}
    if isinstance(exc, ssl.SSLError):
        return _("the TLS handshake failed (%(error)s)") % {"error": exc.reason or exc}
    if isinstance(exc, ValueError):
        return _("the server sent a certificate that cannot be read (%(error)s)") % {"error": exc}
    return _("the connection failed (%(error)s)") % {"error": getattr(exc, "strerror", None) or exc}


def _stored(findings: Iterable[rules.Finding]) -> list[dict[str, str]]:
    return [
        {"severity": f.severity, "problem": f.problem, "fix": f.fix, "rule": f.rule}
        for f in findings
    ]


def component_probe(
    *,
    component: Component,
    timeout: float = DEFAULT_TIMEOUT,
    host: str | None = None,
    now: dt.datetime | None = None,
) -> ProbeResult:
    """Probe the component's TLS port, compare what it presents with the plan, keep the result.

    ``host`` defaults to the server's first address, else the component's (or server's) FQDN;
    one the deployment does not name is refused (``ProbeRefused``) before connecting. ``now``
    is when the days left are counted from (tests).
    """
    if component.probe_port is None:
        raise DeploymentError(
            _("%(component)s has no TLS probe port: set one in the component first.")
            % {"component": component.ref}
        )
    named = probe_hosts(component=component)
    host = (host or (named[0] if named else "")).strip()
    if not host or not any(_same_host(host, name) for name in named):
        raise ProbeRefused(
            _(
                "CertDesk probes only the hosts the deployment names for %(component)s "
                "(%(names)s), not %(host)s: add the address to its server first."
            )
            % {"component": component.ref, "names": ", ".join(named) or "-", "host": host or "-"}
        )
    port = component.probe_port
    target = probe_target(component=component)
    result = ProbeResult(component=component, host=host, port=port)
    try:
        ders, whole_chain = _connect(host, port, target.server_name, timeout)
        presented = [x509.load_der_x509_certificate(der) for der in ders]
    except (OSError, ValueError) as exc:
        reason = _failure(exc, timeout)
        result.error = reason
        findings = [rules.unreachable_finding(target.where, reason)]
    else:
        result.reachable = True
        findings = rules.check_presented_chain(
            target,
            presented,
            known_roots=known_cas(),
            now=now or timezone.now(),
            chain_read=whole_chain,
        )
        if presented:
            result.fingerprint_sha256 = fingerprint(presented[0])
        result.chain_pem = "".join(
            c.public_bytes(serialization.Encoding.PEM).decode() for c in presented
        )
    result.findings = _stored(findings)
    result.seen_at = timezone.now()
    result.save()
    _prune(component)
    return result


def _prune(component: Component) -> None:
    old = list(
        ProbeResult.objects.filter(component=component)
        .order_by("-seen_at", "-id")
        .values_list("pk", flat=True)[KEEP_RESULTS:]
    )
    if old:
        ProbeResult.objects.filter(pk__in=old).delete()


def probed_components(*, deployment: Deployment | None = None) -> list[Component]:
    """The components with a TLS probe port (of one deployment, or of all), in page order."""
    components = Component.objects.filter(probe_port__isnull=False).select_related(
        "server", "deployment"
    )
    if deployment is not None:
        components = components.filter(deployment=deployment)
    return list(
        components.order_by(
            "deployment__name", "server__position", "server__name", "position", "id"
        )
    )


def deployment_probe(
    *, deployment: Deployment, timeout: float = DEFAULT_TIMEOUT
) -> list[ProbeResult]:
    """Probe every component of the deployment that has a TLS probe port."""
    return [
        component_probe(component=c, timeout=timeout)
        for c in probed_components(deployment=deployment)
    ]


def components_probe(*, timeout: float = DEFAULT_TIMEOUT) -> list[ProbeResult]:
    """Probe every component of every deployment that has a TLS probe port (the beat job).

    Each run adds one result per component; running it twice only adds a newer one.
    """
    return [component_probe(component=c, timeout=timeout) for c in probed_components()]


__all__ = [
    "DEFAULT_TIMEOUT",
    "ProbeRefused",
    "component_probe",
    "components_probe",
    "deployment_probe",
    "probe_hosts",
    "probe_target",
    "probed_components",
]

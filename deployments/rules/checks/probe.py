"""What a component's TLS endpoint presents, against the plan (SPEC R1.3, R1.4, R4.10,
R5.1-R5.4; issue 12).

Pure: the service (``deployments/probe.py``) connects, reads the chain the server sent and
calls ``check_presented_chain`` with the plan entry's facts and the roots CertDesk knows.
Which rule a finding cites:

- R5.1  the server presents another certificate than the planned one (clients warn that the
        service is not trusted), or a name it was not issued for (kinds without a rule of
        their own);
- R5.2  the XMPP server's certificate does not name the host the apps connect to;
- R5.3  the Web Bridge's certificate does not name the host browsers open;
- R1.3  the chain stops short of a root: an intermediate is missing;
- R1.4  the chain is out of order (each certificate must be followed by its issuer);
- R5.4  the Call Bridge's certificate has expired or soon will (Web Bridges refuse it);
  R4.3  the same for every other kind;
- R4.10 the endpoint cannot be probed at all (a peer verifying it could not either).

Only self-signed certificates count as roots here: a client trusts roots, not CertDesk's
intermediate CAs, so a server that leaves out its intermediate is refused even when
CertDesk itself knows that intermediate.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _

from certauthority.pki import extensions

from ..catalogue import Kind
from ..naming import names_cover
from ..specs import CertificateFacts, Finding
from .chains import chain_gap, issued_by
from .context import error, warning

# Fewer days left than this is a warning (expired is an error).
EXPIRY_WARNING_DAYS = 30

_NAME_RULES: dict[str, str] = {Kind.XMPP: "R5.2", Kind.WEB_BRIDGE: "R5.3"}


@dataclass(frozen=True)
class ProbeTarget:
    """The component a probe connected to, and what the plan says it should present."""

    where: str  # the component's ref, e.g. "cms1:web_bridge"
    kind: str
    server_name: str  # the name sent as SNI (the component's FQDN)
    basename: str = ""  # the plan entry serving the component; "" when none does
    expected: CertificateFacts | None = None  # that entry's certificate; None: not issued yet


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER, lower-case hex (as ``Certificate.fingerprint_sha256``)."""
    return cert.fingerprint(hashes.SHA256()).hex()


def certificate_names(cert: x509.Certificate) -> tuple[str, ...]:
    """The DNS names a certificate is issued for: its SAN, and its CN as a fallback."""
    san = [str(n.value) for n in extensions.san_names(cert) if isinstance(n, x509.DNSName)]
    cns = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return tuple(san or cns)


def _describe(cert: x509.Certificate) -> dict[str, str]:
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%d %H:%M UTC"),
    }


def check_presented_chain(
    target: ProbeTarget,
    presented: Sequence[x509.Certificate],
    *,
    known_roots: Iterable[x509.Certificate] = (),
    now: dt.datetime,
    chain_read: bool = True,
) -> list[Finding]:
    """Findings on the chain a server presented (leaf first, as sent); [] when all is right.

    ``known_roots``: the CA certificates CertDesk knows (its own, the system's); only the
    self-signed ones end a chain. ``chain_read=False``: only the leaf could be read, so the
    chain is not judged (a warning says so).
    """
    if not presented:
        return [
            unreachable_finding(
                target.where,
                _("the server completed the handshake without presenting a certificate"),
            )
        ]
    leaf = presented[0]
    findings = _leaf_findings(target, leaf)
    if chain_read:
        findings.extend(_chain_findings(target, presented, known_roots))
    else:
        findings.append(
            warning(
                "R1.3",
                target.where,
                _(
                    "Only the certificate of %(where)s could be read, not the intermediates "
                    "it sends after it: the chain was not checked."
                )
                % {"where": target.where},
                _(
                    "Check the chain by hand: openssl s_client -showcerts -servername "
                    "%(name)s -connect HOST:PORT"
                )
                % {"name": target.server_name},
            )
        )
    findings.extend(_name_findings(target, leaf))
    findings.extend(_date_findings(target, leaf, now))
    return findings


def _leaf_findings(target: ProbeTarget, leaf: x509.Certificate) -> list[Finding]:
    """R5.1: the server presents the certificate CertDesk planned for it, no other."""
    if not target.basename:
        return [
            warning(
                "R5.1",
                target.where,
                _(
                    "No plan entry serves %(where)s, so CertDesk cannot tell whether the "
                    "certificate it presents is the right one."
                )
                % {"where": target.where},
                _(
                    "Derive the plan again so that an entry covers this component, or clear "
                    "its TLS probe port."
                ),
            )
        ]
    if target.expected is None:
        return [
            warning(
                "R5.1",
                target.where,
                _(
                    "CertDesk holds no certificate for %(basename)s yet, so it cannot tell "
                    "whether %(where)s presents the planned one."
                )
                % {"basename": target.basename, "where": target.where},
                _("Issue or attach the certificate of %(basename)s, then probe again.")
                % {"basename": target.basename},
            )
        ]
    planned = target.expected.fingerprint_sha256
    if planned and fingerprint(leaf) == planned:
        return []
    return [
        error(
            "R5.1",
            target.where,
            _(
                "%(where)s presents a certificate other than the planned %(basename)s.crt: "
                "subject %(subject)s, issued by %(issuer)s, valid until %(not_after)s."
            )
            % {"where": target.where, "basename": target.basename, **_describe(leaf)},
            _(
                "Assign %(basename)s.crt with its key and bundle on this server (its install "
                "script has the commands), restart the service, then probe again."
            )
            % {"basename": target.basename},
        )
    ]


def _chain_findings(
    target: ProbeTarget,
    presented: Sequence[x509.Certificate],
    known_roots: Iterable[x509.Certificate],
) -> list[Finding]:
    """R1.3: intermediates up to a root are sent; R1.4: each is followed by its issuer."""
    leaf, rest = presented[0], list(presented[1:])
    roots = [c for c in known_roots if c.issuer == c.subject]
    gap = chain_gap(leaf, rest, roots)
    bundle = f"{target.basename}_bundle.crt" if target.basename else _("the CA bundle")
    if gap is not None:
        return [
            error(
                "R1.3",
                target.where,
                _(
                    "The chain %(where)s presents stops at %(issuer)s, a certificate it does "
                    "not send and that is not a root CertDesk knows: clients that only trust "
                    "the root refuse the connection."
                )
                % {"where": target.where, "issuer": gap.rfc4514_string()},
                _(
                    "Assign the certificate again together with %(bundle)s, which holds the "
                    "intermediate CA certificates, and restart the service."
                )
                % {"bundle": bundle},
            )
        ]
    for cert, following in itertools.pairwise(presented):
        if not issued_by(cert, following):
            return [
                warning(
                    "R1.4",
                    target.where,
                    _(
                        "%(where)s sends its chain out of order: %(subject)s is followed by "
                        "%(next)s, which did not issue it."
                    )
                    % {
                        "where": target.where,
                        "subject": cert.subject.rfc4514_string(),
                        "next": following.subject.rfc4514_string(),
                    },
                    _(
                        "Rewrite %(bundle)s so that each certificate is followed by the one "
                        "that issued it (the issuing CA first, the root last), and assign it "
                        "again."
                    )
                    % {"bundle": bundle},
                )
            ]
    return []


def _name_findings(target: ProbeTarget, leaf: x509.Certificate) -> list[Finding]:
    """R5.1-R5.3: the certificate names the host the probe (and the clients) asked for."""
    names = certificate_names(leaf)
    if not target.server_name or names_cover(names, target.server_name):
        return []
    return [
        error(
            _NAME_RULES.get(target.kind, "R5.1"),
            target.where,
            _(
                "The certificate %(where)s presents is not issued for %(name)s, the name "
                "the probe connected with; it names %(names)s."
            )
            % {
                "where": target.where,
                "name": target.server_name,
                "names": ", ".join(names) or _("no DNS name"),
            },
            _(
                "Present a certificate whose subjectAltName holds %(name)s (reissue it from "
                "the plan if the names changed)."
            )
            % {"name": target.server_name},
        )
    ]


def _date_findings(target: ProbeTarget, leaf: x509.Certificate, now: dt.datetime) -> list[Finding]:
    """R5.4 (Call Bridge), R4.3: an expired certificate is refused; under 30 days, renew."""
    rule = "R5.4" if target.kind == Kind.CALL_BRIDGE else "R4.3"
    not_after = leaf.not_valid_after_utc
    values = {"where": target.where, "date": not_after.strftime("%Y-%m-%d %H:%M UTC")}
    if not_after <= now:
        return [
            error(
                rule,
                target.where,
                _("The certificate %(where)s presents expired on %(date)s.") % values,
                _(
                    "Renew it (the dashboard's renewal, or a new CSR for an outside CA), "
                    "assign the new certificate and restart the service."
                ),
            )
        ]
    days = (not_after - now).days
    if days < EXPIRY_WARNING_DAYS:
        return [
            warning(
                rule,
                target.where,
                _("The certificate %(where)s presents expires on %(date)s, in %(days)d day(s).")
                % {**values, "days": days},
                _("Renew it now and assign the new certificate before that date."),
            )
        ]
    return []


def unreachable_finding(where: str, reason: str) -> Finding:
    """R4.10: the endpoint could not be probed (no connection, no handshake, refused)."""
    return error(
        "R4.10",
        where,
        _("The TLS probe of %(where)s failed: %(reason)s.") % {"where": where, "reason": reason},
        _(
            "Check that the service runs and listens on the probe port, that the address is "
            "reachable from CertDesk, and that the probe port in the component is right."
        ),
    )

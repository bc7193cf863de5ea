"""Tiny certificate factory for check tests: EC keys, a CA, leaves with chosen names and EKU."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from deployments import rules

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class CA:
    def __init__(self, cn: str = "Test Internal CA"):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = _name(cn)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self.name)
            .issuer_name(self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=30))
            .not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    def issue(
        self,
        cn: str,
        san: tuple[str, ...] = (),
        *,
        eku: tuple[str, ...] | None = ("serverAuth", "clientAuth"),
        key: ec.EllipticCurvePrivateKey | None = None,
        days: int = 365,
        self_signed: bool = False,
    ) -> tuple[rules.CertificateFacts, ec.EllipticCurvePrivateKey]:
        key = key or ec.generate_private_key(ec.SECP256R1())
        issuer_name, signing_key = (_name(cn), key) if self_signed else (self.name, self.key)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=days))
        )
        if san:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False
            )
        if eku is not None:
            oids = {
                "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
                "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
            }
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([oids[e] for e in eku]), critical=False
            )
        cert = builder.sign(signing_key, hashes.SHA256())
        return rules.certificate_facts(cert.public_bytes(serialization.Encoding.PEM)), key


def issue_plan(ca: CA, plan: list[rules.PlannedCertificate]) -> dict[str, rules.CertificateFacts]:
    """A certificate for every plan entry exactly as planned, all from ``ca``."""
    out = {}
    for p in plan:
        eku = {"server": ("serverAuth",), "client": ("clientAuth",)}.get(
            p.profile, ("serverAuth", "clientAuth")
        )
        out[p.basename], _key = ca.issue(p.common_name, p.san, eku=eku)
    return out

"""Build test certificates and chains with cryptography's CertificateBuilder.

``corpus(now)`` returns named verification cases, each with the certificates an
administrator would upload and the trusted CA list; tests run them through CertDesk's
``verify_chain`` and through ``openssl verify`` and require the same verdict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DAY = dt.timedelta(days=1)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def name(cn: str, o: str = "Example Inc.") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, o),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)
_LEAF_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)

_DEFAULT = object()


def make_cert(
    cn: str,
    issuer: Issued | None,
    now: dt.datetime,
    *,
    ca: bool = False,
    basic_constraints: object = _DEFAULT,
    path_length: int | None = None,
    key_usage: object = _DEFAULT,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
    signing_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
    authority_key_id: bool = True,
    san: list[str] | None = None,
    extra_extensions: list[tuple[x509.ExtensionType, bool]] | None = None,
    hash_algorithm: hashes.HashAlgorithm | None = None,
) -> Issued:
    """One certificate. ``issuer=None`` makes it self-signed. ``signing_key`` forges the
    signature with a key other than the issuer's."""
    key = key or ec_key()
    subject = name(cn)
    issuer_name = issuer.cert.subject if issuer else subject
    issuer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - DAY)
        .not_valid_after(not_after or now + 365 * DAY)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if basic_constraints is _DEFAULT:
        builder = builder.add_extension(
            x509.BasicConstraints(ca, path_length if ca else None), True
        )
    elif basic_constraints is not None:
        builder = builder.add_extension(basic_constraints, True)  # type: ignore[arg-type]
    usage = (_CA_USAGE if ca else _LEAF_USAGE) if key_usage is _DEFAULT else key_usage
    if usage is not None:
        builder = builder.add_extension(usage, True)  # type: ignore[arg-type]
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False
        )
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in (san or [cn])]), False
        )
    if authority_key_id:
        akid_source = (signing_key or issuer_key).public_key()
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(akid_source),
            False,  # type: ignore[arg-type]
        )
    for extension, critical in extra_extensions or []:
        builder = builder.add_extension(extension, critical)
    cert = builder.sign(signing_key or issuer_key, hash_algorithm or hashes.SHA256())
    return Issued(cert=cert, key=key)


def damage_signature(cert: x509.Certificate) -> x509.Certificate:
    """The same certificate with the last byte of its signature changed."""
    der = bytearray(cert.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01
    return x509.load_der_x509_certificate(bytes(der))


@dataclass
class Case:
    """A verification case: ``untrusted`` is the bundle, ``trusted`` the CA file.

    An empty ``trusted`` list is the Meeting Server's two-argument form
    ``pki verify <cert> <bundle>``, judged as ``openssl verify -CAfile <bundle>``.
    """

    name: str
    leaf: x509.Certificate
    untrusted: list[x509.Certificate]
    trusted: list[x509.Certificate]
    expect_ok: bool
    expect_reason: str | None = None
    expect_depth: int | None = None


@dataclass
class Pki:
    """A root, an intermediate and a leaf, all valid at ``now``."""

    now: dt.datetime
    root: Issued
    inter: Issued
    leaf: Issued


def standard_pki(now: dt.datetime) -> Pki:
    root = make_cert("Example Root CA", None, now, ca=True)
    inter = make_cert("Example Issuing CA", root, now, ca=True, path_length=0)
    leaf = make_cert("webbridge.example.com", inter, now)
    return Pki(now=now, root=root, inter=inter, leaf=leaf)


def corpus(now: dt.datetime) -> list[Case]:
    """Every chain problem SPEC R1.3/R4.3/R4.4 makes an administrator meet, and then some."""
    p = standard_pki(now)
    root, inter, leaf = p.root, p.inter, p.leaf
    cases = [
        Case("good chain", leaf.cert, [inter.cert], [root.cert], True),
        Case(
            "good chain, root also in the bundle",
            leaf.cert,
            [inter.cert, root.cert],
            [root.cert],
            True,
        ),
        Case(
            "missing intermediate",
            leaf.cert,
            [],
            [root.cert],
            False,
            "unable to get local issuer certificate",
            0,
        ),
        Case(
            "intermediate given as the CA, root missing",
            leaf.cert,
            [],
            [inter.cert],
            False,
            "unable to get issuer certificate",
            1,
        ),
        Case(
            "bundle without the root (two-argument form)",
            leaf.cert,
            [inter.cert],
            [],
            False,
            "unable to get issuer certificate",
            1,
        ),
        Case(
            "bundle with the root (two-argument form)", leaf.cert, [inter.cert, root.cert], [], True
        ),
        Case(
            "bundle with the root only (two-argument form)",
            leaf.cert,
            [root.cert],
            [],
            False,
            "unable to get local issuer certificate",
            0,
        ),
        Case(
            "unrelated root",
            leaf.cert,
            [inter.cert],
            [make_cert("Other Root", None, now, ca=True).cert],
            False,
            "unable to get local issuer certificate",
            1,
        ),
    ]

    # Shuffled bundle of a deeper chain: root → policy CA → issuing CA → leaf.
    deep_root = make_cert("Deep Root", None, now, ca=True)
    policy = make_cert("Deep Policy CA", deep_root, now, ca=True)
    issuing = make_cert("Deep Issuing CA", policy, now, ca=True)
    deep_leaf = make_cert("xmpp.example.com", issuing, now)
    cases.append(
        Case(
            "shuffled bundle",
            deep_leaf.cert,
            [deep_root.cert, issuing.cert, policy.cert],
            [deep_root.cert],
            True,
        )
    )
    cases.append(
        Case(
            "shuffled bundle with its root (two-argument form)",
            deep_leaf.cert,
            [policy.cert, deep_root.cert, issuing.cert],
            [],
            True,
        )
    )
    cases.append(
        Case(
            "untrusted root at the top of the bundle",
            deep_leaf.cert,
            [policy.cert, deep_root.cert, issuing.cert],
            [root.cert],
            False,
            "self-signed certificate in certificate chain",
            3,
        )
    )

    # Validity periods.
    expired_leaf = make_cert(
        "old.example.com", inter, now, not_before=now - 400 * DAY, not_after=now - DAY
    )
    cases.append(
        Case(
            "expired leaf",
            expired_leaf.cert,
            [inter.cert],
            [root.cert],
            False,
            "certificate has expired",
            0,
        )
    )
    future_leaf = make_cert("future.example.com", inter, now, not_before=now + DAY)
    cases.append(
        Case(
            "leaf not yet valid",
            future_leaf.cert,
            [inter.cert],
            [root.cert],
            False,
            "certificate is not yet valid",
            0,
        )
    )
    old_inter = make_cert(
        "Old Issuing CA", root, now, ca=True, not_before=now - 800 * DAY, not_after=now - 10 * DAY
    )
    leaf_of_old = make_cert("cb.example.com", old_inter, now, not_before=now - 20 * DAY)
    cases.append(
        Case(
            "expired intermediate",
            leaf_of_old.cert,
            [old_inter.cert],
            [root.cert],
            False,
            "certificate has expired",
            1,
        )
    )
    expired_both = make_cert(
        "both.example.com", old_inter, now, not_before=now - 30 * DAY, not_after=now - 15 * DAY
    )
    cases.append(
        Case(
            "expired intermediate and leaf: the intermediate is reported",
            expired_both.cert,
            [old_inter.cert],
            [root.cert],
            False,
            "certificate has expired",
            1,
        )
    )
    old_root = make_cert(
        "Old Root", None, now, ca=True, not_before=now - 900 * DAY, not_after=now - DAY
    )
    old_root_inter = make_cert(
        "Old Root Issuing CA", old_root, now, ca=True, not_before=now - 800 * DAY
    )
    old_root_leaf = make_cert("turn.example.com", old_root_inter, now)
    cases.append(
        Case(
            "expired root",
            old_root_leaf.cert,
            [old_root_inter.cert],
            [old_root.cert],
            False,
            "certificate has expired",
            2,
        )
    )

    # Renewed intermediate: same name and key, one copy expired, one current.
    renewed_old = make_cert(
        "Issuing CA",
        root,
        now,
        ca=True,
        key=inter.key,
        not_before=now - 800 * DAY,
        not_after=now - DAY,
    )
    renewed_new = make_cert("Issuing CA", root, now, ca=True, key=inter.key)
    renewed_leaf = make_cert("renewed.example.com", renewed_new, now)
    cases.append(
        Case(
            "expired and renewed intermediate side by side",
            renewed_leaf.cert,
            [renewed_old.cert, renewed_new.cert],
            [root.cert],
            True,
        )
    )

    # Signatures.
    impostor = ec_key()
    forged = make_cert(
        "forged.example.com", inter, now, signing_key=impostor, authority_key_id=False
    )
    cases.append(
        Case(
            "leaf signed by another key (no AKID)",
            forged.cert,
            [inter.cert],
            [root.cert],
            False,
            "certificate signature failure",
            0,
        )
    )
    forged_akid = make_cert("forged2.example.com", inter, now, signing_key=impostor)
    cases.append(
        Case(
            "leaf whose AKID names another key",
            forged_akid.cert,
            [inter.cert],
            [root.cert],
            False,
            "unable to get local issuer certificate",
            0,
        )
    )
    cases.append(
        Case(
            "damaged leaf signature",
            damage_signature(leaf.cert),
            [inter.cert],
            [root.cert],
            False,
            "certificate signature failure",
            0,
        )
    )
    cases.append(
        Case(
            "damaged intermediate signature",
            leaf.cert,
            [damage_signature(inter.cert)],
            [root.cert],
            False,
            "certificate signature failure",
            1,
        )
    )

    # Issuers that are not CAs.
    not_ca = make_cert("Not A CA", root, now, ca=False, key_usage=_CA_USAGE)
    leaf_of_not_ca = make_cert("nc.example.com", not_ca, now)
    cases.append(
        Case(
            "issuer without the CA flag",
            leaf_of_not_ca.cert,
            [not_ca.cert],
            [root.cert],
            False,
            "invalid CA certificate",
            1,
        )
    )
    no_bc = make_cert("No Constraints CA", root, now, ca=True, basic_constraints=None)
    leaf_of_no_bc = make_cert("nbc.example.com", no_bc, now)
    cases.append(
        Case(
            "issuer without basicConstraints",
            leaf_of_no_bc.cert,
            [no_bc.cert],
            [root.cert],
            False,
            "invalid CA certificate",
            1,
        )
    )
    no_sign = make_cert("No CertSign CA", root, now, ca=True, key_usage=_LEAF_USAGE)
    leaf_of_no_sign = make_cert("ns.example.com", no_sign, now)
    cases.append(
        Case(
            "issuer whose keyUsage lacks keyCertSign",
            leaf_of_no_sign.cert,
            [no_sign.cert],
            [root.cert],
            False,
            "invalid CA certificate",
            1,
        )
    )

    # Path length.
    strict_root = make_cert("Strict Root", None, now, ca=True, path_length=0)
    strict_inter = make_cert("Strict Issuing CA", strict_root, now, ca=True)
    strict_leaf = make_cert("strict.example.com", strict_inter, now)
    cases.append(
        Case(
            "root pathlen:0 above an intermediate",
            strict_leaf.cert,
            [strict_inter.cert],
            [strict_root.cert],
            False,
            "path length constraint exceeded",
            2,
        )
    )
    # p.inter has pathlen:0 and issues another CA.
    sub = make_cert("Sub CA", inter, now, ca=True)
    sub_leaf = make_cert("sub.example.com", sub, now)
    cases.append(
        Case(
            "intermediate pathlen:0 above another CA",
            sub_leaf.cert,
            [sub.cert, inter.cert],
            [root.cert],
            False,
            "path length constraint exceeded",
            2,
        )
    )
    roomy_root = make_cert("Roomy Root", None, now, ca=True, path_length=1)
    roomy_inter = make_cert("Roomy Issuing CA", roomy_root, now, ca=True)
    roomy_leaf = make_cert("roomy.example.com", roomy_inter, now)
    cases.append(
        Case(
            "root pathlen:1 above one intermediate",
            roomy_leaf.cert,
            [roomy_inter.cert],
            [roomy_root.cert],
            True,
        )
    )

    # Self-signed certificates (SPEC R6.1).
    lab = make_cert("lab.example.com", None, now)
    cases.append(Case("self-signed leaf, trusted", lab.cert, [], [lab.cert], True))
    cases.append(
        Case(
            "self-signed leaf, not trusted",
            lab.cert,
            [],
            [root.cert],
            False,
            "self-signed certificate",
            0,
        )
    )

    # Extensions OpenSSL does not understand.
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00")
    odd_leaf = make_cert("odd.example.com", inter, now, extra_extensions=[(unknown, True)])
    cases.append(
        Case(
            "unknown critical extension in the leaf",
            odd_leaf.cert,
            [inter.cert],
            [root.cert],
            False,
            "unhandled critical extension",
            0,
        )
    )
    tame_leaf = make_cert("tame.example.com", inter, now, extra_extensions=[(unknown, False)])
    cases.append(
        Case(
            "unknown non-critical extension in the leaf",
            tame_leaf.cert,
            [inter.cert],
            [root.cert],
            True,
        )
    )

    # RSA in the chain, a SHA-384 signature (SHA-2 family, SPEC R3.2).
    rsa_root = make_cert("RSA Root", None, now, ca=True, key=rsa.generate_private_key(65537, 2048))
    sha384_leaf = make_cert("sha384.example.com", rsa_root, now, hash_algorithm=hashes.SHA384())
    cases.append(Case("RSA root, SHA-384 signed leaf", sha384_leaf.cert, [], [rsa_root.cert], True))
    cases += _more_cases(now, p)
    return cases


def _more_cases(now: dt.datetime, p: Pki) -> list[Case]:
    """Mistakes seen in uploads: the leaf inside the bundle, cross-signed intermediates."""
    root, inter, leaf = p.root, p.inter, p.leaf
    cases = [
        Case(
            "bundle holding the leaf too (two-argument form)",
            leaf.cert,
            [leaf.cert, inter.cert, root.cert],
            [],
            True,
        ),
        Case(
            "leaf listed in the CA file as well",
            leaf.cert,
            [inter.cert],
            [leaf.cert, root.cert],
            True,
        ),
    ]
    direct_root = make_cert("Direct Root", None, now, ca=True, path_length=0)
    direct_leaf = make_cert("direct.example.com", direct_root, now)
    cases.append(
        Case(
            "root pathlen:0 issuing the leaf directly",
            direct_leaf.cert,
            [],
            [direct_root.cert],
            True,
        )
    )

    old_root = make_cert(
        "Tired Root", None, now, ca=True, not_before=now - 900 * DAY, not_after=now - DAY
    )
    tired_leaf = make_cert(
        "tired.example.com", old_root, now, not_before=now - 100 * DAY, not_after=now - 2 * DAY
    )
    cases.append(
        Case(
            "expired root and expired leaf: the root is reported",
            tired_leaf.cert,
            [],
            [old_root.cert],
            False,
            "certificate has expired",
            1,
        )
    )
    early_inter = make_cert("Early Issuing CA", root, now, ca=True, not_before=now + DAY)
    early_leaf = make_cert("early.example.com", early_inter, now)
    cases.append(
        Case(
            "intermediate not yet valid",
            early_leaf.cert,
            [early_inter.cert],
            [root.cert],
            False,
            "certificate is not yet valid",
            1,
        )
    )
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.2"), b"\x05\x00")
    odd_inter = make_cert("Odd Issuing CA", root, now, ca=True, extra_extensions=[(unknown, True)])
    odd_leaf = make_cert("odd2.example.com", odd_inter, now)
    cases.append(
        Case(
            "unknown critical extension in the intermediate",
            odd_leaf.cert,
            [odd_inter.cert],
            [root.cert],
            False,
            "unhandled critical extension",
            1,
        )
    )

    # One intermediate key, certified by two roots; only one root is trusted.
    other_root = make_cert("Other Root", None, now, ca=True)
    cross_key = ec_key()
    by_other = make_cert("Cross CA", other_root, now, ca=True, key=cross_key)
    by_root = make_cert("Cross CA", root, now, ca=True, key=cross_key)
    cross_leaf = make_cert("cross.example.com", by_root, now)
    cases.append(
        Case(
            "cross-signed intermediate, trusted copy first",
            cross_leaf.cert,
            [by_root.cert, by_other.cert],
            [root.cert],
            True,
        )
    )
    cases.append(
        Case(
            "cross-signed intermediate, untrusted copy first",
            cross_leaf.cert,
            [by_other.cert, by_root.cert],
            [root.cert],
            False,
            "unable to get local issuer certificate",
            1,
        )
    )
    cases.append(
        Case(
            "cross-signed intermediate, both roots in the bundle",
            cross_leaf.cert,
            [by_other.cert, other_root.cert, by_root.cert, root.cert],
            [root.cert],
            False,
            "self-signed certificate in certificate chain",
            2,
        )
    )
    return cases

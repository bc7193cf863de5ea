"""Certificate bundles: loading, ordering, splitting and writing (SPEC R1.4, R3.11, R4.7.1)."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .chain import (
    canonical_name,
    is_self_signed,
    likely_issued,
    signature_is_valid,
    unique_certificates,
)
from .errors import MalformedMaterial, PKIError
from .load import certificate_from_der, certificate_from_pem
from .names import format_name
from .pem import looks_like_pem, pem_blocks, pem_body
from .pkcs7 import is_pkcs7, pkcs7_certificates

CERTIFICATE_LABELS = {"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"}


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in PEM (several blocks), DER or PKCS#7 (.p7b, PEM or DER) data.

    Other PEM blocks (keys, CSRs) are ignored; raise PKIError when no certificate is found.
    """
    if looks_like_pem(data):
        certs: list[x509.Certificate] = []
        for block in pem_blocks(data):
            if block.label in CERTIFICATE_LABELS:
                try:
                    certs.append(certificate_from_pem(block.text))
                except MalformedMaterial:
                    raise
                except PKIError:
                    raise PKIError(
                        "A certificate in the file is damaged: its PEM text does not decode."
                    ) from None
            elif block.label == "PKCS7":
                certs.extend(pkcs7_certificates(pem_body(block)))
        if not certs:
            raise PKIError("The file holds no certificate.")
        return certs
    if is_pkcs7(data):
        certs = pkcs7_certificates(data)
        if certs:
            return certs
        raise PKIError("The PKCS#7 file holds no certificate.")
    try:
        return [certificate_from_der(data)]
    except MalformedMaterial:
        raise
    except PKIError:
        pass
    raise PKIError("The file is not a certificate: expected PEM, DER or PKCS#7.")


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _issued(issuer: x509.Certificate, child: x509.Certificate) -> bool:
    return (
        issuer is not child and likely_issued(issuer, child) and signature_is_valid(child, issuer)
    )


def _describe(cert: x509.Certificate) -> str:
    return format_name(cert.subject) or f"serial {cert.serial_number:x}"


# A chain longer than this is not one a TLS peer would send or accept; refusing it first
# keeps ordering cheap whatever the file holds (issue 9: every parser linear in its input).
MAX_CHAIN_CERTIFICATES = 32


def order_chain(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """Sort certificates that form one chain: leaf first, then each issuer, root last.

    Input order does not matter; repeats are dropped. Raise PKIError naming the first
    certificate that does not belong to the chain.
    """
    certs = unique_certificates(certs)
    if not certs:
        raise PKIError("No certificates were given.")
    if len(certs) > MAX_CHAIN_CERTIFICATES:
        raise PKIError(
            f"The file holds {len(certs)} different certificates; one chain has at most "
            f"{MAX_CHAIN_CERTIFICATES}: give the leaf and its issuers only."
        )
    # Candidate issuers by subject name, so a signature is checked only where names fit;
    # each list keeps the input order.
    by_subject: dict[object, list[x509.Certificate]] = {}
    for cert in certs:
        by_subject.setdefault(canonical_name(cert.subject), []).append(cert)
    issuers: dict[int, list[x509.Certificate]] = {
        id(child): [
            c
            for c in by_subject.get(canonical_name(child.issuer), [])
            if c is not child and _issued(c, child)
        ]
        for child in certs
    }
    issuing = {id(parent) for parents in issuers.values() for parent in parents}
    # The leaf issued none of the others (a self-signed certificate issues itself only).
    leaves = [c for c in certs if id(c) not in issuing]
    if not leaves:
        raise PKIError("The certificates issue each other in a loop: there is no leaf.")
    # With several candidates, the one with the longest chain is the leaf.
    best: list[x509.Certificate] = []
    for leaf in leaves:
        chain = [leaf]
        while not is_self_signed(chain[-1]):
            parent = next((c for c in issuers[id(chain[-1])] if c not in chain), None)
            if parent is None:
                break
            chain.append(parent)
        if len(chain) > len(best):
            best = chain
    odd = [c for c in certs if all(c is not member for member in best)]
    if odd:
        raise PKIError(
            f"The certificate '{_describe(odd[0])}' is not part of the chain of "
            f"'{_describe(best[0])}': give the certificates of one chain only."
        )
    return best


def check_single_chain(certs: list[x509.Certificate]) -> None:
    """Raise PKIError unless ``certs`` form one chain (in any order)."""
    order_chain(certs)


def split_chain(
    certs: list[x509.Certificate],
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The leaf and the intermediate bundle from the leaf's issuer to the root (SPEC R3.11)."""
    ordered = order_chain(certs)
    return ordered[0], ordered[1:]


def certificate_to_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def format_bundle(certs: list[x509.Certificate]) -> bytes:
    """PEM blocks back to back, nothing between them, one trailing newline (SPEC R1.4)."""
    if not certs:
        raise PKIError("A bundle needs at least one certificate.")
    return b"".join(certificate_to_pem(c).strip() + b"\n" for c in certs)


def trust_bundle(certs: list[x509.Certificate]) -> bytes:
    """A trust bundle of unrelated certificates, e.g. several Call Bridges' certificates
    for ``webbridge trust`` (SPEC R4.7.1): given order kept, repeats dropped."""
    return format_bundle(unique_certificates(certs))

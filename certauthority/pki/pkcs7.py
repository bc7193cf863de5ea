"""PKCS#7 / CMS certificate bundles (.p7b/.p7c), read with the linear DER reader.

``openssl crl2pkcs7`` writes the certificates SET in file order, not in DER's sorted order,
and ``cryptography`` then warns that it falls back to BER (a later release may refuse).
Picking the certificates out of SignedData ourselves keeps every such file working
(issue 9, finding 7; SPEC Appendix B).
"""

from __future__ import annotations

from cryptography import x509

from . import der
from .errors import PKIError
from .load import certificate_from_der
from .pem import MAX_PEM_BLOCKS

_SIGNED_DATA = "1.2.840.113549.1.7.2"
_DAMAGED = "The PKCS#7 data is damaged: its structure does not decode. Export it again."


def is_pkcs7(data: bytes) -> bool:
    """Whether ``data`` is shaped like a ContentInfo holding SignedData."""
    try:
        parts = der.parse(data).expect(der.SEQUENCE, "ContentInfo").children()
        return der.oid(parts[0]) == _SIGNED_DATA
    except (der.DerError, IndexError):
        return False


def pkcs7_certificates(data: bytes) -> list[x509.Certificate]:
    """The certificates of a DER (or BER) PKCS#7 SignedData, in file order.

    Raise PKIError when the data is not PKCS#7 or a certificate in it does not decode.
    CRLs and signer infos are ignored.
    """
    try:
        parts = der.parse(data).expect(der.SEQUENCE, "ContentInfo").children()
        if der.oid(parts[0]) != _SIGNED_DATA:
            raise PKIError("The PKCS#7 data holds no certificates (it is not SignedData).")
        signed = der.explicit(parts[1], 0).expect(der.SEQUENCE, "SignedData").children()
        # version, digestAlgorithms, encapContentInfo, then [0] certificates, [1] crls
        certificates = next((p for p in signed[3:] if p.tag == 0xA0), None)
        members = certificates.children() if certificates is not None else []
    except (der.DerError, IndexError):
        raise PKIError(_DAMAGED) from None
    if len(members) > MAX_PEM_BLOCKS:
        raise PKIError(
            f"The PKCS#7 data holds {len(members)} certificates; CertDesk reads at most "
            f"{MAX_PEM_BLOCKS} at once: split the file."
        )
    return [certificate_from_der(m.raw) for m in members if m.tag == der.SEQUENCE]

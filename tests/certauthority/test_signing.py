"""Signing CSRs with the internal CA (issue 4), judged by the openssl binary."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from certauthority import services
from certauthority.models import AuditEvent, Certificate, SigningRequest
from certauthority.pki.errors import PKIError
from certauthority.pki.names import classify_name

from .conftest import make_csr, pem

pytestmark = pytest.mark.django_db


def _x509(certificate: Certificate) -> x509.Certificate:
    return x509.load_pem_x509_certificate(certificate.pem.encode())


def test_openssl_verifies_a_server_certificate_through_the_intermediate(
    issuing_ca, chain_files, write, openssl
):
    root, intermediate = chain_files
    cert = services.certificate_issue(
        ca=issuing_ca, csr=make_csr(), profile="server", days=90, actor=None
    ).certificate
    leaf = write("leaf.pem", cert.pem)
    result = openssl("verify", "-CAfile", root, "-untrusted", intermediate, leaf)
    assert result.returncode == 0, result.stderr
    assert "leaf.pem: OK" in result.stdout


@pytest.mark.parametrize(
    ("profile", "usages"),
    [
        ("server", ["TLS Web Server Authentication"]),
        ("client", ["TLS Web Client Authentication"]),
        ("server-client", ["TLS Web Server Authentication", "TLS Web Client Authentication"]),
    ],
)
def test_openssl_shows_the_profiles_usages_and_revocation_pointers(
    issuing_ca, write, openssl, profile, usages
):
    cert = services.certificate_issue(
        ca=issuing_ca, csr=make_csr(), profile=profile, days=30, actor=None
    ).certificate
    text = openssl("x509", "-noout", "-text", "-in", write("c.pem", cert.pem), check=True).stdout
    for usage in usages:
        assert usage in text
    # An EC subject key: digitalSignature only, as step-ca and the CA/B profiles (issue 9 item 6).
    assert "X509v3 Key Usage: critical\n                Digital Signature\n" in text
    assert "CA:FALSE" in text
    assert "X509v3 Subject Key Identifier" in text
    assert "X509v3 Authority Key Identifier" in text
    assert "http://127.0.0.1:8000/crl/example-issuing-ca.crl" in text
    assert "OCSP - URI:http://127.0.0.1:8000/ocsp/example-issuing-ca/" in text
    assert "CA Issuers - URI:http://127.0.0.1:8000/crl/example-issuing-ca.crt" in text
    assert "Signature Algorithm: ecdsa-with-SHA256" in text


def test_an_rsa_subject_key_gets_key_encipherment(issuing_ca, rsa2048_key):
    cert = _x509(
        services.certificate_issue(
            ca=issuing_ca, csr=make_csr(key=rsa2048_key), profile="server", days=30, actor=None
        ).certificate
    )
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment and not usage.key_agreement


def test_serials_are_random_and_at_least_64_bits(issuing_ca):
    csr = make_csr()
    serials = {
        _x509(
            services.certificate_issue(
                ca=issuing_ca, csr=csr, profile="server", days=1, actor=None
            ).certificate
        ).serial_number
        for _ in range(5)
    }
    assert len(serials) == 5
    assert all(serial.bit_length() > 64 for serial in serials)


def test_the_subject_comes_from_the_csr_and_the_cn_becomes_the_san_when_there_is_none(issuing_ca):
    csr = make_csr("cb1.example.com")
    cert = _x509(
        services.certificate_issue(
            ca=issuing_ca, csr=csr, profile="server", days=1, actor=None
        ).certificate
    )
    assert cert.subject == csr.subject
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["cb1.example.com"]


def test_the_signer_may_replace_the_san_list(issuing_ca):
    csr = make_csr("example.com", san=["example.com", "old.example.com"])
    edited = [classify_name("example.com"), classify_name("xmpp.example.com")]
    row = services.certificate_issue(
        ca=issuing_ca, csr=csr, profile="server", days=1, san=edited, actor=None
    ).certificate
    assert row.san == ["DNS:example.com", "DNS:xmpp.example.com"]
    san = _x509(row).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "old.example.com" not in san.get_values_for_type(x509.DNSName)


def test_the_validity_never_outlasts_the_issuing_ca(issuing_ca):
    # A client certificate: TLS server ones stop at 825 days anyway (test_ca_profiles.py).
    issued = services.certificate_issue(
        ca=issuing_ca, csr=make_csr(), profile="client", days=3650, actor=None
    )
    assert issued.certificate.not_after == issuing_ca.certificate.not_after
    assert any("shortened" in w for w in issued.warnings)


def test_signing_records_who_signed_what_in_the_audit_log(issuing_ca, operator):
    row = services.certificate_issue(
        ca=issuing_ca, csr=make_csr(), profile="server", days=1, actor=operator
    ).certificate
    event = AuditEvent.objects.get(action="certificate.sign")
    assert event.actor == operator and event.actor_name == "operator"
    assert row.serial_number in event.summary
    assert event.object_id == str(row.pk)


def _refused(ca, csr, **kwargs) -> str:
    before = (
        Certificate.objects.count(),
        SigningRequest.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(PKIError) as excinfo:
        services.certificate_issue(
            ca=ca, csr=csr, profile=kwargs.pop("profile", "server"), days=30, actor=None, **kwargs
        )
    after = (
        Certificate.objects.count(),
        SigningRequest.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before, "a refused signing must leave nothing behind"
    return str(excinfo.value)


def broken_signature_csr(rsa2048_key) -> x509.CertificateSigningRequest:
    """An RSA CSR whose last signature byte was flipped: parseable, but it does not verify."""
    der = bytearray(make_csr(key=rsa2048_key).public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01
    return x509.load_der_x509_csr(bytes(der))


def test_it_refuses_a_csr_whose_signature_does_not_verify(issuing_ca, rsa2048_key):
    assert "does not verify" in _refused(issuing_ca, broken_signature_csr(rsa2048_key))


def test_it_refuses_an_rsa_1024_csr(issuing_ca):
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the point)
    assert "at least 2048" in _refused(issuing_ca, make_csr(key=weak))


def test_it_refuses_a_sha1_signed_csr_made_by_openssl(issuing_ca, tmp_path):
    from .conftest import openssl_sha1_csr

    csr = x509.load_pem_x509_csr(openssl_sha1_csr(tmp_path))
    assert "signed with SHA-1" in _refused(issuing_ca, csr)


def test_it_refuses_a_csr_with_neither_cn_nor_san(issuing_ca):
    assert "neither a CN nor a subjectAltName" in _refused(issuing_ca, make_csr(cn=None))


def test_it_refuses_to_sign_with_an_inactive_ca(issuing_ca):
    issuing_ca.is_active = False
    issuing_ca.save()
    assert "inactive" in _refused(issuing_ca, make_csr())


def test_it_refuses_to_sign_with_an_expired_ca(issuing_ca, time_machine):
    time_machine.move_to(issuing_ca.certificate.not_after + dt.timedelta(days=1))
    assert "expired" in _refused(issuing_ca, make_csr())


def test_a_failure_while_storing_leaves_no_half_made_certificate(issuing_ca, monkeypatch):
    from certauthority.services import certificates

    def broken_audit(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(certificates, "audit_record", broken_audit)
    before = (Certificate.objects.count(), SigningRequest.objects.count())
    with pytest.raises(RuntimeError):
        services.certificate_issue(
            ca=issuing_ca, csr=make_csr(), profile="server", days=1, actor=None
        )
    assert (Certificate.objects.count(), SigningRequest.objects.count()) == before


def test_a_root_and_an_intermediate_have_ca_extensions_openssl_accepts(
    issuing_ca, chain_files, openssl
):
    root, intermediate = chain_files
    text = openssl("x509", "-noout", "-text", "-in", intermediate, check=True).stdout
    assert "CA:TRUE, pathlen:0" in text
    assert "Certificate Sign, CRL Sign" in text
    assert "http://127.0.0.1:8000/crl/example-root-ca.crl" in text
    assert openssl("verify", "-CAfile", root, intermediate).returncode == 0


def test_an_intermediate_under_a_pathlen_0_ca_is_refused(issuing_ca):
    with pytest.raises(PKIError, match="path length is 0"):
        services.ca_create_intermediate(
            name="Too Deep", parent=issuing_ca, subject="CN=Too Deep", key_type="ec256", actor=None
        )


def test_two_cas_cannot_share_a_name(root_ca):
    with pytest.raises(PKIError, match="exists already"):
        services.ca_create_root(
            name="example root ca", subject="CN=Other", key_type="ec256", actor=None
        )


def test_the_default_ca_key_is_rsa_3072():
    assert services.DEFAULT_CA_KEY_TYPE.value == "rsa3072"


def test_the_chain_runs_from_the_issuing_ca_to_the_root(issuing_ca, root_ca):
    row = services.certificate_issue(
        ca=issuing_ca, csr=make_csr(), profile="server", days=1, actor=None
    ).certificate
    chain = services.certificate_chain(certificate=row)
    assert [c.subject.rfc4514_string() for c in chain] == [
        "CN=Example Issuing CA,O=Example Inc.,C=GB",
        "CN=Example Root CA,O=Example Inc.,C=GB",
    ]
    assert services.certificate_chain(certificate=root_ca.certificate) == []


def test_a_stored_csr_can_be_signed_later(issuing_ca):
    stored = services.csr_store(csr_pem=pem(make_csr("db1.example.com")), actor=None)
    row = services.certificate_issue(
        ca=issuing_ca, csr=stored, profile="server", days=1, actor=None
    ).certificate
    assert row.signing_request == stored and row.common_name == "db1.example.com"


def test_a_csr_made_with_a_stored_key_links_the_certificate_to_that_key(issuing_ca):
    keypair = services.keypair_generate(key_type="ec256", label="webadmin", actor=None)
    csr = services.csr_create(
        keypair=keypair,
        subject=x509.Name.from_rfc4514_string("CN=webadmin.example.com"),
        san=[classify_name("webadmin.example.com")],
        actor=None,
    )
    row = services.certificate_issue(
        ca=issuing_ca, csr=csr, profile="server", days=1, actor=None
    ).certificate
    assert row.key == keypair


def test_an_imported_public_certificate_is_kept_with_its_source(issuing_ca):
    other_root = services.ca_create_root(
        name="Elsewhere", subject="CN=Elsewhere", key_type="ec256", actor=None
    )
    issued = services.certificate_issue(
        ca=other_root, csr=make_csr("pub.example.com"), profile="server", days=1, actor=None
    ).certificate
    data = issued.pem.encode()
    issued.delete()
    row = services.certificate_import(pem=data, source="public", key=None, actor=None)
    assert row.source == "public" and row.issuer_ca == other_root
    with pytest.raises(PKIError, match="already"):
        services.certificate_import(pem=data, source="public", key=None, actor=None)


def test_sha384_is_used_by_a_p384_ca(db):
    ca = services.ca_create_root(name="P384", subject="CN=P384", key_type="ec384", actor=None)
    cert = _x509(
        services.certificate_issue(
            ca=ca, csr=make_csr(), profile="server", days=1, actor=None
        ).certificate
    )
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA384)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_a_batch_signs_every_csr_in_one_go_and_audits_each(issuing_ca, chain_files, write, openssl):
    rows = services.certificate_issue_batch(
        ca=issuing_ca,
        csrs=[make_csr(f"db{i}.example.com") for i in range(3)],
        profile="server",
        days=30,
        actor="cli:batch",
    )
    assert [r.common_name for r in rows] == [f"db{i}.example.com" for i in range(3)]
    assert AuditEvent.objects.filter(action="certificate.sign", actor_name="cli:batch").count() == 3
    root, intermediate = chain_files
    leaf = write("db0.pem", rows[0].pem)
    assert openssl("verify", "-CAfile", root, "-untrusted", intermediate, leaf).returncode == 0

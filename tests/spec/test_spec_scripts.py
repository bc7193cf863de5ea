"""Install scripts: the split deployment line by line (SPEC R4.2-R4.11), and the variants."""

from __future__ import annotations

from deployments import rules
from tests.deployments.helpers import example_spec

CORE1 = """\
# CertDesk install script for core1 (core1.example.com), deployment example-split
# Lines starting with '->' are what the MMP prints when a step succeeds.

## 1. Upload these files by SFTP (R4.2)
callbridge.key
callbridge.crt
callbridge_bundle.crt
xmppserver.key
xmppserver.crt
xmppserver_bundle.crt
core1-webadmin.key
core1-webadmin.crt
core1-webadmin_bundle.crt
core1.key
core1.crt
core1_bundle.crt
edge1.crt
pki list

## 2. Check each file before assigning it (R4.3)
pki inspect callbridge.crt
pki match callbridge.key callbridge.crt
pki verify callbridge.crt callbridge_bundle.crt
pki inspect xmppserver.crt
pki match xmppserver.key xmppserver.crt
pki verify xmppserver.crt xmppserver_bundle.crt
pki inspect core1-webadmin.crt
pki match core1-webadmin.key core1-webadmin.crt
pki verify core1-webadmin.crt core1-webadmin_bundle.crt
pki inspect core1.crt
pki match core1.key core1.crt
pki verify core1.crt core1_bundle.crt

## 3. XMPP server (R4.4)
# The XMPP server also needs license.dat on the server.
xmpp disable
xmpp certs xmppserver.key xmppserver.crt xmppserver_bundle.crt
xmpp enable
-> SUCCESS: Domain configured
-> SUCCESS: Key and certificate pair match
-> SUCCESS: license file present
-> SUCCESS: XMPP server enabled

## 4. Trunk trunktoEdge1 to edge1 (R4.5)
trunk create trunktoEdge1 xmpp
trunk auth trunktoEdge1 core1.key core1.crt edge1.crt
trunk edge trunktoEdge1 edge1.example.com 4999
trunk enable trunktoEdge1

## 5. Call Bridge (R4.7)
callbridge certs callbridge.key callbridge.crt callbridge_bundle.crt
callbridge restart
-> SUCCESS: listen interface configured
-> SUCCESS: Key and certificate pair match

## 6. Web Admin (R4.11)
webadmin certs core1-webadmin.key core1-webadmin.crt core1-webadmin_bundle.crt
webadmin restart
"""

EDGE1 = """\
# CertDesk install script for edge1 (edge1.example.com), deployment example-split
# Lines starting with '->' are what the MMP prints when a step succeeds.

## 1. Upload these files by SFTP (R4.2)
webbridge.key
webbridge.crt
webbridge_bundle.crt
turn.key
turn.crt
turn_bundle.crt
edge1-webadmin.key
edge1-webadmin.crt
edge1-webadmin_bundle.crt
edge1.key
edge1.crt
edge1_bundle.crt
callbridge.crt
core1.crt
pki list

## 2. Check each file before assigning it (R4.3)
pki inspect webbridge.crt
pki match webbridge.key webbridge.crt
pki verify webbridge.crt webbridge_bundle.crt
pki inspect turn.crt
pki match turn.key turn.crt
pki verify turn.crt turn_bundle.crt
pki inspect edge1-webadmin.crt
pki match edge1-webadmin.key edge1-webadmin.crt
pki verify edge1-webadmin.crt edge1-webadmin_bundle.crt
pki inspect edge1.crt
pki match edge1.key edge1.crt
pki verify edge1.crt edge1_bundle.crt

## 3. Load balancer Edge1toLB (R4.5)
# The public port opens only once a trunk from a Core is connected.
loadbalancer create Edge1toLB
loadbalancer auth Edge1toLB edge1.key edge1.crt core1.crt
loadbalancer trunk Edge1toLB a:4999
loadbalancer public Edge1toLB b:5222 lo:5222
loadbalancer enable Edge1toLB

## 4. Web Bridge (R4.6, R4.7.1)
# Afterwards the 'webbridge' command shows Trust bundle: callbridge.crt.
webbridge disable
webbridge certs webbridge.key webbridge.crt webbridge_bundle.crt
webbridge trust callbridge.crt
webbridge enable
-> SUCCESS: Key and certificate pair match
-> SUCCESS: Webbridge enabled

## 5. TURN server (R4.9)
turn disable
turn certs turn.key turn.crt turn_bundle.crt
turn enable

## 6. Web Admin (R4.11)
webadmin certs edge1-webadmin.key edge1-webadmin.crt edge1-webadmin_bundle.crt
webadmin restart
"""


def script_text(name: str, server: str, **changes) -> str:
    spec = example_spec(name, **changes)
    plan = rules.required_certificates(spec)
    return rules.render_install_text(rules.install_script(spec, plan, server))


def test_r4_2_to_r4_11_the_split_core_script_reads_line_by_line_as_the_guide_orders_it():
    assert script_text("single-split", "core1").splitlines() == CORE1.splitlines()


def test_r4_2_to_r4_11_the_split_edge_script_reads_line_by_line_as_the_guide_orders_it():
    assert script_text("single-split", "edge1").splitlines() == EDGE1.splitlines()


def test_r4_2_every_uploaded_file_name_has_no_dot_except_before_the_extension():
    # SPEC R4.2
    spec = example_spec("scalable")
    plan = rules.required_certificates(spec)
    for server in spec.servers:
        for upload in rules.install_script(spec, plan, server.name).uploads:
            assert upload.name.count(".") == 1, upload.name


def test_r4_8_a_database_host_gets_server_and_client_certificates_and_the_ca_bundle():
    # SPEC R4.8
    text = script_text("scalable", "db1")
    assert "database cluster certs dbcluster_server.key dbcluster_server.crt " in text
    assert "dbcluster_client.key dbcluster_client.crt dbcluster_ca.crt" in text
    assert "database cluster remove" in text
    assert "pki verify dbcluster_server.crt dbcluster_ca.crt" in text


def test_r4_7_1_every_webbridge_of_a_three_callbridge_deployment_trusts_the_combined_bundle():
    text = script_text("scalable", "edge2")
    assert "webbridge trust combined_callbridge.crt" in text
    assert "core1-callbridge.crt, core2-callbridge.crt, core3-callbridge.crt" in text


def test_r4_1_a_core_with_two_trunks_uses_its_one_certificate_for_both():
    text = script_text("scalable", "core1")
    assert "trunk auth trunktoEdge1 core1.key core1.crt edge1.crt" in text
    assert "trunk auth trunktoEdge2 core1.key core1.crt edge2.crt" in text
    assert "trunk edge trunktoEdge2 edge2.example.com 4999" in text


def test_r4_10_sip_tls_verification_commands_go_on_the_callbridge():
    # SPEC R4.10
    text = script_text("scalable", "core2")
    assert "tls sip trust tls_sip_trust.crt\ntls sip verify enable\ntls sip\n" in text


def test_r2_3_recorder_and_streamer_install_their_certificate_and_trust_the_callbridges():
    text = script_text("scalable", "rec1")
    assert "recorder certs recorder.key recorder.crt recorder_bundle.crt" in text
    assert "recorder trust combined_callbridge.crt" in text
    assert "streamer trust combined_callbridge.crt" in script_text("scalable", "stream1")


def test_appendix_a_public_ca_certificates_come_with_pki_csr_openssl_and_certreq_commands():
    # SPEC R3.3, R3.4, R3.12, Appendix A
    spec = example_spec("single-split")
    xmpp = {p.basename: p for p in rules.required_certificates(spec)}["xmppserver"]
    assert rules.obtain_commands(spec, xmpp) == [
        'pki csr xmppserver CN:xmpp.example.com O:"Example Inc." C:GB subjectAltName:example.com',
        "openssl req -out xmppserver.csr -new -newkey rsa:2048 -nodes -keyout xmppserver.key"
        " -sha256 -subj '/C=GB/O=Example Inc./CN=xmpp.example.com'"
        " -addext subjectAltName=DNS:xmpp.example.com,DNS:example.com",
        'certreq -submit -attrib "CertificateTemplate:WebServer" xmppserver.csr',
    ]

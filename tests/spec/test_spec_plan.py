"""What each of the guide's example deployments needs: certificates, CN/SAN, signers, reuse
and trust (SPEC R2.4, R2.5, R3.5-R3.10, R4.1, R4.5, R4.7.1, R4.8). No database involved."""

from __future__ import annotations

from deployments import rules
from deployments.rules import Signer
from tests.deployments.helpers import example_spec, findings_for, plan_by_name

# --- single combined ----------------------------------------------------------------------


def test_r2_1_a_combined_server_needs_a_callbridge_webbridge_xmpp_and_webadmin_certificate():
    plan = plan_by_name(example_spec("single-combined"))
    assert list(plan) == ["callbridge", "webbridge", "xmppserver", "webadmin"]


def test_r2_4_webrtc_and_native_apps_make_the_webbridge_and_xmpp_certificates_public():
    # SPEC R2.4
    plan = plan_by_name(example_spec("single-combined"))
    assert plan["webbridge"].signer == Signer.PUBLIC_CA
    assert plan["webbridge"].public_ca_required
    assert plan["xmppserver"].signer == Signer.PUBLIC_CA
    assert plan["callbridge"].signer == Signer.INTERNAL_CA  # SPEC R2.5
    assert plan["webadmin"].signer == Signer.INTERNAL_CA


def test_r2_5_without_outside_clients_an_internal_ca_signs_everything():
    spec = example_spec("single-combined", webrtc=False, native_apps=False)
    assert {p.signer for p in rules.required_certificates(spec)} == {Signer.INTERNAL_CA}


def test_r3_7_the_xmpp_certificate_names_the_srv_target_and_the_xmpp_domain():
    # SPEC R3.7
    xmpp = plan_by_name(example_spec("single-combined"))["xmppserver"]
    assert xmpp.common_name == "xmpp.example.com"
    assert xmpp.san == ("xmpp.example.com", "example.com")


def test_r3_6_the_webbridge_certificate_carries_its_a_record_name_as_cn_and_san():
    # SPEC R3.6
    wb = plan_by_name(example_spec("single-combined"))["webbridge"]
    assert (wb.common_name, wb.san) == ("join.example.com", ("join.example.com",))


def test_r3_4_the_cn_is_never_repeated_in_the_san_list():
    # SPEC R3.4
    for name in ("single-combined", "single-split", "scalable"):
        for p in rules.required_certificates(example_spec(name)):
            lowered = [n.lower() for n in p.san]
            assert len(lowered) == len(set(lowered)), p.basename


def test_r4_7_1_the_webbridge_of_a_combined_server_trusts_the_callbridge_certificate():
    spec = example_spec("single-combined")
    trust = rules.trust_relationships(spec, rules.required_certificates(spec))
    assert [(t.server, t.file_name, t.members) for t in trust] == [
        ("cms1", "callbridge.crt", ("callbridge",))
    ]


def test_ch5_the_guide_examples_have_no_findings():
    for name in ("single-combined", "single-split", "scalable"):
        assert findings_for(example_spec(name)) == [], name


# --- single split -------------------------------------------------------------------------


def test_r3_8_a_split_deployment_gets_one_identity_for_the_edge_lb_and_one_for_the_core_trunk():
    # SPEC R3.8, R4.1: edge1 and core1, never the same pair
    plan = plan_by_name(example_spec("single-split"))
    assert plan["edge1"].purpose == rules.Purpose.LOAD_BALANCER
    assert plan["edge1"].components == ("edge1:load_balancer:Edge1toLB",)
    assert plan["core1"].purpose == rules.Purpose.TRUNK
    assert plan["core1"].components == ("core1:trunk:trunktoEdge1",)
    assert plan["edge1"].signer == plan["core1"].signer == Signer.INTERNAL_CA


def test_r3_5_the_split_plan_lists_every_certificate_with_its_names_and_signer():
    plan = rules.required_certificates(example_spec("single-split"))
    assert [(p.basename, p.common_name, p.san, p.signer) for p in plan] == [
        ("callbridge", "callbridge.example.com", ("callbridge.example.com",), "internal_ca"),
        ("webbridge", "join.example.com", ("join.example.com",), "public_ca"),
        ("xmppserver", "xmpp.example.com", ("xmpp.example.com", "example.com"), "public_ca"),
        ("turn", "turn.example.com", ("turn.example.com",), "public_ca"),
        ("core1-webadmin", "core1.example.com", ("core1.example.com",), "internal_ca"),
        ("edge1-webadmin", "edge1.example.com", ("edge1.example.com",), "internal_ca"),
        ("edge1", "edge1.example.com", ("edge1.example.com",), "internal_ca"),
        ("core1", "core1.example.com", ("core1.example.com",), "internal_ca"),
    ]


def test_r3_10_turn_over_tls_is_signed_by_the_same_ca_as_the_webbridge():
    # SPEC R3.10
    plan = plan_by_name(example_spec("single-split"))
    assert plan["turn"].signer == plan["webbridge"].signer
    internal = plan_by_name(example_spec("single-split", webrtc=False))
    assert internal["turn"].signer == internal["webbridge"].signer == Signer.INTERNAL_CA


def test_r3_10_turn_without_tls_needs_no_certificate():
    assert "turn" not in plan_by_name(example_spec("single-split", turn_tls=False))


def test_r4_5_the_lb_trusts_the_trunk_certificate_and_the_trunk_trusts_the_lb_certificate():
    # SPEC R4.5
    spec = example_spec("single-split")
    trust = rules.trust_relationships(spec, rules.required_certificates(spec))
    pairs = {(t.purpose, t.server, t.file_name) for t in trust}
    assert ("loadbalancer_trust", "edge1", "core1.crt") in pairs
    assert ("trunk_trust", "core1", "edge1.crt") in pairs
    assert ("webbridge_trust", "edge1", "callbridge.crt") in pairs


# --- scalable and resilient ---------------------------------------------------------------


def test_r4_7_1_three_callbridges_get_three_certificates_joined_in_one_webbridge_trust_bundle():
    # SPEC R4.7.1 case c
    spec = example_spec("scalable")
    trust = rules.trust_relationships(spec, rules.required_certificates(spec))
    wb = [t for t in trust if t.purpose == "webbridge_trust"]
    assert [(t.server, t.file_name) for t in wb] == [
        ("edge1", "combined_callbridge.crt"),
        ("edge2", "combined_callbridge.crt"),
    ]
    assert wb[0].members == ("core1-callbridge", "core2-callbridge", "core3-callbridge")


def test_r4_1_one_core_running_xmpp_reuses_its_certificate_for_both_trunks():
    # SPEC R4.1 example: edge1, edge2 and core; core used by both trunks
    plan = plan_by_name(example_spec("scalable"))
    assert plan["core1"].components == ("core1:trunk:trunktoEdge1", "core1:trunk:trunktoEdge2")
    assert plan["edge1"].components == ("edge1:load_balancer:Edge1toLB",)
    assert plan["edge2"].components == ("edge2:load_balancer:Edge2toLB",)


def test_r4_5_each_edge_lb_trusts_the_core_and_the_core_trusts_each_edge():
    spec = example_spec("scalable")
    trust = rules.trust_relationships(spec, rules.required_certificates(spec))
    assert {(t.component, t.file_name) for t in trust if t.rule == "R4.5"} == {
        ("edge1:load_balancer:Edge1toLB", "core1.crt"),
        ("edge2:load_balancer:Edge2toLB", "core1.crt"),
        ("core1:trunk:trunktoEdge1", "edge1.crt"),
        ("core1:trunk:trunktoEdge2", "edge2.crt"),
    }


def test_r3_9_the_database_cluster_has_one_server_certificate_for_all_hosts_and_a_postgres_client():
    # SPEC R3.9
    plan = plan_by_name(example_spec("scalable"))
    server, client = plan["dbcluster_server"], plan["dbcluster_client"]
    assert server.common_name == "core1.example.com"
    assert server.san == ("core1.example.com", "core2.example.com", "db1.example.com")
    assert server.profile == rules.CertProfile.SERVER
    assert (client.common_name, client.san, client.profile) == ("postgres", (), "client")
    assert server.signer == client.signer == Signer.INTERNAL_CA


def test_r4_8_the_remote_callbridge_gets_only_the_client_certificate_and_the_ca_bundle():
    # SPEC R4.8
    plan = plan_by_name(example_spec("scalable"))
    assert "core3:database" in plan["dbcluster_client"].components
    assert "core3:database" not in plan["dbcluster_server"].components
    spec = example_spec("scalable")
    trust = rules.trust_relationships(spec, rules.required_certificates(spec))
    ca = [t.server for t in trust if t.purpose == "database_ca"]
    assert ca == ["core1", "core2", "core3", "db1"]
    assert {t.file_name for t in trust if t.purpose == "database_ca"} == {"dbcluster_ca.crt"}
    # Merged from tests/deployments/test_rules_scripts.py: its install script says the same.
    text = rules.render_install_text(
        rules.install_script(spec, rules.required_certificates(spec), "core3")
    )
    assert (
        "database cluster certs dbcluster_client.key dbcluster_client.crt dbcluster_ca.crt" in text
    )
    assert "dbcluster_server" not in text


def test_r2_3_recorder_and_streamer_get_internal_certificates_and_trust_the_callbridges():
    # SPEC R2.3, R2.5
    spec = example_spec("scalable")
    plan = plan_by_name(spec)
    assert plan["recorder"].signer == plan["streamer"].signer == Signer.INTERNAL_CA
    trust = rules.trust_relationships(spec, list(plan.values()))
    assert {(t.server, t.file_name) for t in trust if t.rule == "R2.3"} == {
        ("rec1", "combined_callbridge.crt"),
        ("stream1", "combined_callbridge.crt"),
    }


def test_r4_10_sip_tls_puts_a_trust_bundle_on_every_callbridge():
    # SPEC R4.10
    spec = example_spec("scalable")
    trust = rules.trust_relationships(spec, rules.required_certificates(spec))
    assert [t.server for t in trust if t.purpose == "tls_sip"] == ["core1", "core2", "core3"]


def test_r4_1_web_admin_on_several_servers_gets_one_certificate_per_server_named_after_it():
    # SPEC R4.1: name files after where they are used
    plan = plan_by_name(example_spec("scalable"))
    admins = [p.basename for p in plan.values() if p.purpose == rules.Purpose.WEB_ADMIN]
    assert admins == [
        "core1-webadmin",
        "core2-webadmin",
        "core3-webadmin",
        "edge1-webadmin",
        "edge2-webadmin",
    ]


# --- strategies ---------------------------------------------------------------------------


def test_r3_5_one_shared_certificate_has_the_domain_as_cn_and_every_fqdn_in_the_san():
    # SPEC R3.5; the Call Bridges keep internal certificates beside a public one (R2.5,
    # issue 9: public CAs drop clientAuth), and join an internal one as the guide's example.
    spec = example_spec("scalable", strategy=rules.Strategy.SHARED)
    shared = plan_by_name(spec)["shared"]
    assert shared.common_name == "example.com"
    assert shared.san[0] == "example.com"
    assert set(shared.san) == {
        "example.com",
        "join1.example.com",
        "join2.example.com",
        "xmpp.example.com",
        "turn1.example.com",
        "turn2.example.com",
    }
    assert len(shared.san) == 6
    assert shared.signer == Signer.PUBLIC_CA
    assert plan_by_name(spec)["core1-callbridge"].signer == Signer.INTERNAL_CA
    internal = example_spec(
        "scalable", strategy=rules.Strategy.SHARED, webrtc=False, native_apps=False
    )
    shared = plan_by_name(internal)["shared"]
    assert shared.signer == Signer.INTERNAL_CA
    assert {"callbridge1.example.com", "callbridge2.example.com", "callbridge3.example.com"} <= (
        set(shared.san)
    )
    assert len(shared.san) == 9
    assert "core1-callbridge" not in plan_by_name(internal)


def test_r4_7_1_a_shared_certificate_is_trusted_as_is_by_every_webbridge():
    # SPEC R4.7.1 case b (an internal shared certificate: the Call Bridges are in it)
    spec = example_spec("scalable", strategy=rules.Strategy.SHARED, webrtc=False, native_apps=False)
    trust = rules.trust_relationships(spec, rules.required_certificates(spec))
    assert {t.file_name for t in trust if t.purpose == "webbridge_trust"} == {"shared.crt"}


def test_r2_6_a_wildcard_certificate_follows_the_guides_xmpp_form():
    # SPEC R2.6, R3.7: CN:*.example.com with SAN example.com
    wildcard = plan_by_name(example_spec("single-combined", strategy=rules.Strategy.WILDCARD))[
        "wildcard"
    ]
    assert wildcard.common_name == "*.example.com"
    assert wildcard.san == ("*.example.com", "example.com")


def test_r2_6_a_wildcard_covers_one_label_only():
    assert rules.name_covers("*.example.com", "xmpp.example.com")
    assert not rules.name_covers("*.example.com", "example.com")
    assert not rules.name_covers("*.example.com", "a.b.example.com")


def test_r4_7_lync_front_end_makes_the_callbridge_cn_the_fqdn_configured_on_lync():
    # SPEC R4.7, R3.13
    spec = example_spec(
        "single-combined",
        lync_frontend=True,
        lync_fqdn="cms-pool.example.com",
        lync_trusted_ca=Signer.PUBLIC_CA,
    )
    cb = plan_by_name(spec)["callbridge"]
    assert cb.common_name == "cms-pool.example.com"
    assert cb.san == ("cms-pool.example.com", "cms1.example.com")
    assert cb.signer == Signer.PUBLIC_CA


def test_r2_4_lync_federation_over_the_internet_requires_a_public_callbridge_certificate():
    cb = plan_by_name(example_spec("single-combined", lync_federation=True))["callbridge"]
    assert cb.public_ca_required and cb.signer == Signer.PUBLIC_CA

"""Each diagnosis of the guide's chapter 5 (and the constraints of 3, 4 and 6) fires on a
deployment made to break it, and stays silent on a good one. Pure rules, no database."""

from __future__ import annotations

import dataclasses

import pytest

from deployments import rules
from deployments.rules import Signer
from tests.deployments.certs import CA, NOW, issue_plan
from tests.deployments.helpers import example_spec, replace_plan, rules_of


@pytest.fixture(scope="module")
def ca() -> CA:
    return CA()


def check(spec, plan=None, **kwargs):
    kwargs.setdefault("now", NOW)
    return rules.check_deployment(spec, plan, **kwargs)


def errors(findings, rule):
    return [f for f in findings if f.rule == rule and f.severity == "error"]


def good(name="scalable"):
    spec = example_spec(name)
    return spec, rules.required_certificates(spec)


@pytest.mark.parametrize("name", ["single-combined", "single-split", "scalable"])
def test_ch5_a_good_deployment_with_certificates_issued_as_planned_has_no_findings(ca, name):
    spec, plan = good(name)
    # Public ones as if a public CA signed them; what matters is CN/SAN/issuer consistency.
    facts = issue_plan(ca, plan)
    assert check(spec, plan, certificates=facts, internal_ca_subject=ca.subject) == []


# --- R5.5 trunk/LB sharing ----------------------------------------------------------------


def test_r5_5_a_trunk_and_lb_on_one_planned_identity_is_an_error():
    spec, plan = good("single-split")
    plan = replace_plan(
        plan, "core1", components=("core1:trunk:trunktoEdge1", "edge1:load_balancer:Edge1toLB")
    )
    found = errors(check(spec, plan), "R5.5")
    assert [f.component for f in found] == ["core1"]
    assert "separate keys" in found[0].fix


def test_r5_5_a_load_balancer_certificate_with_the_trunks_key_is_an_error(ca):
    spec, plan = good("single-split")
    facts = issue_plan(ca, plan)
    core, key = ca.issue("core1.example.com", ("core1.example.com",))
    edge, _ = ca.issue("edge1.example.com", ("edge1.example.com",), key=key)
    facts.update(core1=core, edge1=edge)
    assert [f.component for f in errors(check(spec, plan, certificates=facts), "R5.5")] == ["edge1"]


# --- R3.9 database cluster ----------------------------------------------------------------


def test_r3_9_database_certificates_from_two_cas_are_an_error(ca):
    spec, plan = good()
    facts = issue_plan(ca, plan)
    facts["dbcluster_client"], _ = CA("Other CA").issue("postgres", eku=("clientAuth",))
    found = errors(check(spec, plan, certificates=facts), "R3.9")
    assert len(found) == 1 and "different CAs" in found[0].problem


def test_r3_9_a_database_client_certificate_not_called_postgres_is_an_error(ca):
    spec, plan = good()
    facts = issue_plan(ca, plan)
    facts["dbcluster_client"], _ = ca.issue("dbclient", eku=("clientAuth",))
    found = errors(check(spec, plan, certificates=facts), "R3.9")
    assert ["postgres" in f.problem for f in found] == [True]


def test_r3_9_database_certificates_whose_eku_forbids_their_role_are_errors(ca):
    spec, plan = good()
    facts = issue_plan(ca, plan)
    facts["dbcluster_client"], _ = ca.issue("postgres", eku=("serverAuth",))
    facts["dbcluster_server"], _ = ca.issue(
        "core1.example.com", ("core1.example.com",), eku=("clientAuth",)
    )
    problems = [f.problem for f in errors(check(spec, plan, certificates=facts), "R3.9")]
    assert any("clientAuth" in p for p in problems)
    assert any("serverAuth" in p for p in problems)


def test_r3_9_database_certificates_without_eku_are_accepted(ca):
    spec, plan = good()
    facts = issue_plan(ca, plan)
    facts["dbcluster_client"], _ = ca.issue("postgres", eku=None)
    assert errors(check(spec, plan, certificates=facts), "R3.9") == []


def test_r6_1_a_self_signed_database_certificate_is_an_error(ca):
    # SPEC R6.1
    spec, plan = good()
    found = errors(
        check(spec, replace_plan(plan, "dbcluster_server", signer="self_signed")), "R6.1"
    )
    assert [f.component for f in found] == ["dbcluster_server"]
    facts = issue_plan(ca, plan)
    facts["dbcluster_client"], _ = ca.issue("postgres", eku=("clientAuth",), self_signed=True)
    assert "dbcluster_client" in {
        f.component for f in errors(check(spec, plan, certificates=facts), "R6.1")
    }


# --- R3.10 / R5.3 TURN --------------------------------------------------------------------


def test_r3_10_a_turn_certificate_planned_for_another_signer_than_the_webbridge_is_an_error():
    spec, plan = good("single-split")
    found = errors(check(spec, replace_plan(plan, "turn", signer="internal_ca")), "R3.10")
    assert [f.component for f in found] == ["turn"]


def test_r3_10_a_turn_certificate_issued_by_another_ca_than_the_webbridges_is_an_error(ca):
    spec, plan = good("single-split")
    facts = issue_plan(ca, plan)
    facts["turn"], _ = CA("Another Public CA").issue("turn.example.com", ("turn.example.com",))
    found = errors(check(spec, plan, certificates=facts), "R3.10")
    assert [f.component for f in found] == ["turn"]


def test_r5_3_turn_over_tls_without_a_turn_certificate_is_an_error():
    spec, plan = good("single-split")
    plan = [p for p in plan if p.basename != "turn"]
    assert [f.component for f in errors(check(spec, plan), "R5.3")] == ["edge1:turn"]


# --- R5.1 / R6.1 self-signed and public ---------------------------------------------------


def test_r5_1_a_self_signed_certificate_where_a_public_ca_is_required_is_an_error():
    spec, plan = good("single-split")
    found = errors(check(spec, replace_plan(plan, "webbridge", signer="self_signed")), "R5.1")
    assert [f.component for f in found] == ["webbridge"]
    assert "Example Public CA" in found[0].fix


def test_r5_1_an_internal_ca_where_outside_clients_connect_is_an_error():
    spec, plan = good("single-split")
    found = errors(check(spec, replace_plan(plan, "xmppserver", signer="internal_ca")), "R5.1")
    assert [f.component for f in found] == ["xmppserver"]


def test_r6_1_a_self_signed_callbridge_with_lync_is_an_error():
    spec = example_spec("single-combined", lync_frontend=True, lync_fqdn="cms1.example.com")
    plan = replace_plan(rules.required_certificates(spec), "callbridge", signer="self_signed")
    assert [f.component for f in errors(check(spec, plan), "R6.1")] == ["callbridge"]


# --- R5.2 XMPP names ----------------------------------------------------------------------


def test_r5_2_an_xmpp_certificate_without_the_xmpp_domain_in_the_san_is_an_error(ca):
    spec, plan = good("single-combined")
    facts = issue_plan(ca, plan)
    facts["xmppserver"], _ = ca.issue("xmpp.example.com", ("xmpp.example.com",))
    found = errors(check(spec, plan, certificates=facts), "R5.2")
    assert len(found) == 1 and "example.com" in found[0].problem


def test_r5_2_an_xmpp_certificate_without_its_dns_name_is_an_error(ca):
    spec, plan = good("single-combined")
    facts = issue_plan(ca, plan)
    facts["xmppserver"], _ = ca.issue("chat.example.com", ("chat.example.com", "example.com"))
    found = errors(check(spec, plan, certificates=facts), "R5.2")
    assert len(found) == 1 and "xmpp.example.com" in found[0].problem


def test_r5_2_the_guides_wildcard_xmpp_certificate_is_accepted(ca):
    spec, plan = good("single-combined")
    facts = issue_plan(ca, plan)
    facts["xmppserver"], _ = ca.issue("*.example.com", ("*.example.com", "example.com"))
    assert errors(check(spec, plan, certificates=facts), "R5.2") == []


def test_r3_4_an_xmpp_certificate_without_any_san_is_an_error():
    spec, plan = good("single-combined")
    found = check(spec, replace_plan(plan, "xmppserver", san=()))
    assert "R3.4" in rules_of(found)
    r34 = [f for f in found if f.rule == "R3.4"]
    assert r34 and all(f.severity == "error" for f in r34)
    assert not check(spec, plan)


# --- R5.3 Web Bridge name -----------------------------------------------------------------


def test_r5_3_a_webbridge_certificate_without_its_fqdn_is_an_error(ca):
    spec, plan = good("single-combined")
    facts = issue_plan(ca, plan)
    facts["webbridge"], _ = ca.issue("cms1.example.com", ("cms1.example.com",))
    found = errors(check(spec, plan, certificates=facts), "R5.3")
    assert [f.component for f in found] == ["webbridge"]
    assert "join.example.com" in found[0].fix


# --- R5.4 CB -> WB trust ------------------------------------------------------------------


def test_r5_4_a_webbridge_whose_trust_bundle_lacks_a_callbridge_certificate_is_an_error():
    spec, plan = good()
    trust = rules.trust_relationships(spec, plan)
    trust = [
        dataclasses.replace(t, members=("core1-callbridge", "core2-callbridge"))
        if t.component == "edge2:web_bridge"
        else t
        for t in trust
    ]
    found = errors(check(spec, plan, trust=trust), "R5.4")
    assert [f.component for f in found] == ["edge2:web_bridge"]
    assert "core3-callbridge" in found[0].problem


def test_r5_4_an_expired_callbridge_certificate_is_an_error(ca):
    spec, plan = good("single-combined")
    facts = issue_plan(ca, plan)
    facts["callbridge"], _ = ca.issue("cms1.example.com", ("cms1.example.com",), days=-1)
    found = errors(check(spec, plan, certificates=facts), "R5.4")
    assert [f.component for f in found] == ["callbridge"]


def test_r4_3_any_other_expired_certificate_is_an_error_too(ca):
    spec, plan = good("single-combined")
    facts = issue_plan(ca, plan)
    facts["webadmin"], _ = ca.issue("cms1.example.com", ("cms1.example.com",), days=-1)
    assert [f.component for f in errors(check(spec, plan, certificates=facts), "R4.3")] == [
        "webadmin"
    ]


# --- R5.6 Lync ----------------------------------------------------------------------------


def lync_spec(**changes):
    base = {"lync_frontend": True, "lync_fqdn": "cms-pool.example.com"}
    return example_spec("single-combined", **{**base, **changes})


def test_r5_6_a_callbridge_cn_other_than_the_lync_fqdn_is_an_error(ca):
    spec = lync_spec()
    plan = rules.required_certificates(spec)
    facts = issue_plan(ca, plan)
    facts["callbridge"], _ = ca.issue("cms1.example.com", ("cms1.example.com",))
    found = errors(check(spec, plan, certificates=facts, internal_ca_subject=ca.subject), "R5.6")
    assert len(found) == 1 and "cms-pool.example.com" in found[0].problem


def test_r5_6_a_callbridge_signed_by_a_ca_lync_does_not_trust_is_an_error(ca):
    spec = lync_spec()  # Lync trusts the internal CA
    plan = rules.required_certificates(spec)
    facts = issue_plan(ca, plan)
    facts["callbridge"], _ = CA("Some Public CA").issue(
        "cms-pool.example.com", ("cms-pool.example.com", "cms1.example.com")
    )
    found = errors(check(spec, plan, certificates=facts, internal_ca_subject=ca.subject), "R5.6")
    assert len(found) == 1 and "Lync" in found[0].problem


def test_r5_6_a_callbridge_planned_for_the_wrong_ca_with_lync_is_an_error():
    spec = lync_spec(lync_trusted_ca=Signer.PUBLIC_CA)
    plan = replace_plan(rules.required_certificates(spec), "callbridge", signer="internal_ca")
    assert len(errors(check(spec, plan), "R5.6")) == 1


def test_r5_6_a_good_lync_deployment_has_no_lync_findings(ca):
    spec = lync_spec()
    plan = rules.required_certificates(spec)
    facts = issue_plan(ca, plan)
    assert (
        errors(check(spec, plan, certificates=facts, internal_ca_subject=ca.subject), "R5.6") == []
    )


# --- R3.4 shared without SAN --------------------------------------------------------------


def test_r3_4_a_shared_certificate_without_a_san_list_is_an_error():
    spec = example_spec("single-combined", strategy=rules.Strategy.SHARED)
    plan = replace_plan(rules.required_certificates(spec), "shared", san=())
    found = errors(check(spec, plan), "R3.4")
    assert "shared" in {f.component for f in found}


# --- R2.3 placement -----------------------------------------------------------------------


def test_r2_3_a_recorder_on_the_callbridge_server_is_a_warning():
    spec = example_spec("single-combined")
    server = spec.servers[0]
    server = dataclasses.replace(
        server, components=(*server.components, rules.ComponentSpec(kind="recorder", server="cms1"))
    )
    found = check(dataclasses.replace(spec, servers=(server,)))
    assert [(f.severity, f.rule, f.component) for f in found] == [
        ("warning", "R2.3", "cms1:recorder")
    ]

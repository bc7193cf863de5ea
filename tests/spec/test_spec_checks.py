"""Diagnoses the checks claim but no other test fires: R3.6 (SAN without its CN), R5.1 (a
certificate from a CA other than the deployment's internal one) and R6.1 (self-signed is a
warning, not an error, for trunk/LB and CB<->WB). Real certificates, pure rules."""

from __future__ import annotations

import pytest

from deployments import rules
from tests.deployments.certs import CA, NOW, issue_plan
from tests.deployments.helpers import example_spec, replace_plan


@pytest.fixture(scope="module")
def ca() -> CA:
    return CA()


def _check(spec, plan, **kwargs):
    return rules.check_deployment(spec, plan, now=NOW, **kwargs)


def test_r3_6_a_certificate_whose_san_list_lacks_its_cn_is_a_warning(ca):
    spec = example_spec("single-combined")
    plan = rules.required_certificates(spec)
    facts = issue_plan(ca, plan)
    facts["webadmin"], _key = ca.issue("cms1.example.com", ("admin.example.com",))
    found = _check(spec, plan, certificates=facts, internal_ca_subject=ca.subject)
    assert [(f.severity, f.rule, f.component) for f in found] == [("warning", "R3.6", "webadmin")]
    assert "cms1.example.com" in found[0].problem


def test_r3_6_a_san_list_that_holds_the_cn_raises_no_warning(ca):
    spec = example_spec("single-combined")
    plan = rules.required_certificates(spec)
    facts = issue_plan(ca, plan)
    facts["webadmin"], _key = ca.issue(
        "cms1.example.com", ("admin.example.com", "cms1.example.com")
    )
    assert _check(spec, plan, certificates=facts, internal_ca_subject=ca.subject) == []


def test_r5_1_a_certificate_planned_for_the_internal_ca_but_issued_by_another_is_a_warning(ca):
    spec = example_spec("single-combined")
    plan = rules.required_certificates(spec)
    facts = issue_plan(ca, plan)
    facts["callbridge"], _key = CA("Some Other CA").issue("cms1.example.com", ("cms1.example.com",))
    found = _check(spec, plan, certificates=facts, internal_ca_subject=ca.subject)
    assert [(f.severity, f.rule, f.component) for f in found] == [("warning", "R5.1", "callbridge")]
    assert "CN=Some Other CA" in found[0].problem


@pytest.mark.parametrize("basename", ["core1", "edge1", "callbridge", "core1-webadmin"])
def test_r6_1_a_self_signed_trunk_lb_or_call_bridge_is_only_a_test_lab_warning(basename):
    # Self-signed may serve trunk/LB and CB<->WB mutual authentication (browsers still warn).
    spec = example_spec("single-split")
    plan = replace_plan(rules.required_certificates(spec), basename, signer="self_signed")
    found = _check(spec, plan)
    assert [(f.severity, f.rule, f.component) for f in found] == [("warning", "R6.1", basename)]
    assert not rules.has_errors(found)

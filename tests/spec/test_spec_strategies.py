"""Every plan CertDesk makes passes CertDesk's own checks, for every strategy and topology
(R3.5 with R3.7, R4.7, R5.2, R5.6), and certificates presented as TLS clients keep clientAuth
(R2.5, R4.7.1, R5.4)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from deployments import rules

from ..deployments.certs import CA, NOW, issue_plan
from ..deployments.helpers import example_spec

TOPOLOGIES = ("single-combined", "single-split", "scalable")
OPTIONS = ("webrtc", "native_apps", "turn_tls", "lync_federation", "lync_frontend", "sip_tls")


def _variants():
    for name, strategy in itertools.product(TOPOLOGIES, rules.Strategy.values):
        for bits in itertools.product((False, True), repeat=len(OPTIONS)):
            changes = dict(zip(OPTIONS, bits, strict=True))
            changes["strategy"] = strategy
            if changes["lync_frontend"]:
                changes["lync_fqdn"] = "cms.lync.example.com"
                if changes["lync_federation"]:
                    changes["lync_trusted_ca"] = rules.Signer.PUBLIC_CA
            yield name, changes


VARIANTS = list(_variants())


def _issue(plan, internal: CA, public: CA):
    """Certificates exactly as planned, each from the CA its plan entry names."""
    certs = issue_plan(internal, [p for p in plan if p.signer != rules.Signer.PUBLIC_CA])
    certs |= issue_plan(public, [p for p in plan if p.signer == rules.Signer.PUBLIC_CA])
    return certs


def _errors(findings):
    return [f for f in findings if f.severity == rules.Severity.ERROR]


@pytest.mark.parametrize(
    ("name", "strategy"), list(itertools.product(TOPOLOGIES, rules.Strategy.values))
)
def test_every_plan_passes_its_own_checks(name, strategy):
    ca, public = CA(), CA("Test Public CA")
    checked = 0
    for example, changes in VARIANTS:
        if example != name or changes["strategy"] != strategy:
            continue
        spec = example_spec(name, **changes)
        assert not _errors(rules.validate_topology(spec)), changes
        plan = rules.required_certificates(spec)
        # On the plan alone, then on real certificates issued exactly as planned.
        assert not _errors(rules.check_deployment(spec, plan, now=NOW)), changes
        certs = _issue(plan, ca, public)
        found = rules.check_deployment(
            spec, plan, certificates=certs, internal_ca_subject=ca.subject, now=NOW
        )
        assert not _errors(found), (changes, _errors(found))
        checked += 1
    assert checked == 2 ** len(OPTIONS)


def test_a_shared_certificate_names_the_xmpp_server_in_its_san_and_passes_r5_2():
    # R3.5: CN = the domain; R3.7/R5.2: the XMPP server's name and domain in the SAN.
    spec = example_spec("single-split", strategy=rules.Strategy.SHARED, native_apps=True)
    shared = {p.basename: p for p in rules.required_certificates(spec)}["shared"]
    assert shared.common_name == "example.com"
    assert "xmpp.example.com" in shared.san
    ca = CA()
    plan = rules.required_certificates(spec)
    found = rules.check_deployment(
        spec, plan, certificates=issue_plan(ca, plan), internal_ca_subject=ca.subject, now=NOW
    )
    assert not [f for f in found if f.rule == "R5.2"]


def test_a_shared_certificate_without_the_xmpp_name_in_its_san_is_still_an_error():
    spec = example_spec("single-split", strategy=rules.Strategy.SHARED, native_apps=True)
    plan = rules.required_certificates(spec)
    shared = next(p for p in plan if p.basename == "shared")
    broken = dataclasses.replace(shared, san=tuple(n for n in shared.san if "xmpp" not in n))
    plan = [broken if p is shared else p for p in plan]
    found = rules.check_deployment(spec, plan, now=NOW)
    assert any(f.rule == "R5.2" and "xmpp.example.com" in f.problem for f in found)


def test_the_call_bridge_stays_out_of_a_public_shared_certificate():
    # R2.5: the internal CA is enough for the Call Bridge, and keeps clientAuth.
    spec = example_spec("scalable", strategy=rules.Strategy.SHARED)
    plan = {p.basename: p for p in rules.required_certificates(spec)}
    assert plan["shared"].signer == rules.Signer.PUBLIC_CA
    assert not any("callbridge" in n for n in plan["shared"].san)
    for name in ("core1-callbridge", "core2-callbridge", "core3-callbridge"):
        assert plan[name].signer == rules.Signer.INTERNAL_CA
        assert plan[name].profile == rules.CertProfile.SERVER_CLIENT


def test_the_call_bridge_joins_an_internal_shared_certificate_as_the_guide_shows():
    # R3.5's example: CN=example.com, SAN with callbridge1..3, xmppserver, webbridge, example.com.
    spec = example_spec("scalable", strategy=rules.Strategy.SHARED, webrtc=False, native_apps=False)
    shared = {p.basename: p for p in rules.required_certificates(spec)}["shared"]
    assert shared.signer == rules.Signer.INTERNAL_CA
    assert {"callbridge1.example.com", "callbridge2.example.com", "xmpp.example.com"} <= set(
        shared.san
    )


def test_with_a_lync_front_end_the_call_bridge_keeps_its_own_certificate():
    # R4.7: its CN must be the FQDN configured on Lync, which a shared CN (the domain) is not.
    spec = example_spec(
        "single-combined",
        strategy=rules.Strategy.SHARED,
        webrtc=False,
        lync_frontend=True,
        lync_fqdn="cms.lync.example.com",
    )
    plan = {p.basename: p for p in rules.required_certificates(spec)}
    assert plan["callbridge"].common_name == "cms.lync.example.com"
    assert not any(f.rule == "R5.6" for f in rules.check_deployment(spec, now=NOW))


def test_lync_federation_with_a_front_end_trusting_the_internal_ca_is_a_configuration_error():
    spec = example_spec(
        "single-combined", lync_federation=True, lync_frontend=True, lync_fqdn="cms.example.com"
    )
    found = rules.validate_topology(spec)
    assert any(f.rule == "R3.13" and f.severity == rules.Severity.ERROR for f in found)


def test_a_call_bridge_certificate_without_client_auth_is_an_error():
    # R4.7.1 / R5.4: the Call Bridge presents it to the Web Bridge as a TLS client.
    spec = example_spec("single-split")
    plan = rules.required_certificates(spec)
    ca = CA()
    certs = issue_plan(ca, plan)
    cb = next(p for p in plan if p.purpose == rules.Purpose.CALL_BRIDGE)
    certs[cb.basename], _key = ca.issue(cb.common_name, cb.san, eku=("serverAuth",))
    found = rules.check_deployment(
        spec, plan, certificates=certs, internal_ca_subject=ca.subject, now=NOW
    )
    hits = [f for f in found if f.component == cb.basename and "clientAuth" in f.problem]
    assert hits and hits[0].severity == rules.Severity.ERROR
    # A Web Admin certificate without clientAuth is fine: it is only ever a server.
    admin = next(p for p in plan if p.purpose == rules.Purpose.WEB_ADMIN)
    certs[admin.basename], _key = ca.issue(admin.common_name, admin.san, eku=("serverAuth",))
    found = rules.check_deployment(
        spec, plan, certificates=certs, internal_ca_subject=ca.subject, now=NOW
    )
    assert not [f for f in found if f.component == admin.basename and "clientAuth" in f.problem]


def test_a_public_call_bridge_is_warned_about_client_auth_in_the_plan():
    spec = example_spec("single-combined", lync_federation=True)
    found = rules.check_deployment(spec, now=NOW)
    assert any(
        f.severity == rules.Severity.WARNING and f.rule == "R2.5" and "clientAuth" in f.problem
        for f in found
    )

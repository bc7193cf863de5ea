"""Structural rules the topology check claims (SPEC R2.1, R2.2, R3.7, R4.7). Pure rules."""

from __future__ import annotations

import dataclasses

from deployments import rules
from tests.deployments.helpers import example_spec


def _with_components(spec: rules.DeploymentSpec, index: int, *extra: rules.ComponentSpec):
    server = spec.servers[index]
    server = dataclasses.replace(server, components=(*server.components, *extra))
    servers = list(spec.servers)
    servers[index] = server
    return dataclasses.replace(spec, servers=tuple(servers))


def _errors(spec: rules.DeploymentSpec) -> list[tuple[str, str, str]]:
    return [
        (f.rule, f.component, f.problem)
        for f in rules.validate_topology(spec)
        if f.severity == rules.Severity.ERROR
    ]


def test_r2_1_a_load_balancer_in_a_single_combined_deployment_is_an_error():
    spec = _with_components(
        example_spec("single-combined"),
        0,
        rules.ComponentSpec(kind="load_balancer", server="cms1", tag="LB1"),
    )
    assert _errors(spec) == [
        ("R2.1", "cms1:load_balancer:LB1", "A load balancer is only used in split deployments.")
    ]


def test_r2_1_a_web_bridge_on_a_core_server_is_an_error_that_names_where_it_may_run():
    spec = _with_components(
        example_spec("single-split"),
        0,
        rules.ComponentSpec(kind="web_bridge", server="core1", fqdn="join2.example.com"),
    )
    found = rules.validate_topology(spec)
    assert [(f.rule, f.component) for f in found] == [("R2.1", "core1:web_bridge")]
    assert found[0].problem == "Web Bridge cannot run on the Core server core1."
    assert "Edge" in found[0].fix


def test_r2_1_a_server_running_one_application_twice_is_an_error():
    spec = _with_components(
        example_spec("single-combined"),
        0,
        rules.ComponentSpec(kind="call_bridge", server="cms1", fqdn="cb2.example.com"),
    )
    assert ("R2.1", "cms1:call_bridge", "Server cms1 runs Call Bridge twice.") in _errors(spec)


def test_r2_1_an_h323_gateway_gets_no_certificate():
    spec = example_spec("single-combined")
    with_gateway = _with_components(
        spec, 0, rules.ComponentSpec(kind="h323_gateway", server="cms1")
    )
    assert rules.validate_topology(with_gateway) == []
    before = [p.basename for p in rules.required_certificates(spec)]
    after = rules.required_certificates(with_gateway)
    assert [p.basename for p in after] == before
    assert not any("cms1:h323_gateway" in p.components for p in after)


def test_r2_2_a_single_combined_deployment_with_two_servers_is_an_error():
    spec = example_spec("single-combined")
    second = rules.ServerSpec(name="cms2", fqdn="cms2.example.com", role="combined")
    spec = dataclasses.replace(spec, servers=(*spec.servers, second))
    assert [rule for rule, _where, _problem in _errors(spec)] == ["R2.2"]


def test_r2_2_only_a_scalable_deployment_with_database_hosts_gets_cluster_certificates():
    combined = {p.basename for p in rules.required_certificates(example_spec("single-combined"))}
    assert "dbcluster_server" not in combined and "dbcluster_client" not in combined
    split = rules.required_certificates(example_spec("single-split"))  # has a database host
    assert not any(p.purpose in ("db_server", "db_client") for p in split)
    scalable = rules.required_certificates(example_spec("scalable"))
    assert [p.basename for p in scalable if p.purpose in ("db_server", "db_client")] == [
        "dbcluster_server",
        "dbcluster_client",
    ]


def test_r3_7_an_xmpp_server_without_any_xmpp_domain_is_an_error():
    spec = example_spec("single-combined", domain="")
    server = spec.servers[0]
    comps = tuple(
        dataclasses.replace(c, xmpp_domain="") if c.kind == "xmpp" else c for c in server.components
    )
    spec = dataclasses.replace(spec, servers=(dataclasses.replace(server, components=comps),))
    assert ("R3.7", "cms1:xmpp", "The XMPP server has no XMPP domain.") in _errors(spec)


def test_r4_7_lync_front_end_without_the_fqdn_configured_on_lync_is_an_error():
    spec = example_spec("single-combined", lync_frontend=True, lync_fqdn="")
    assert [(rule, where) for rule, where, _problem in _errors(spec)] == [
        ("R4.7", "example-combined")
    ]


def test_r2_1_a_load_balancer_on_a_core_server_is_an_error():
    # SPEC R2.1: LB only on the Edge in split deployments
    spec = example_spec("single-split")
    core = dataclasses.replace(
        spec.servers[0],
        components=(
            *spec.servers[0].components,
            rules.ComponentSpec(kind="load_balancer", server="core1", tag="Wrong"),
        ),
    )
    spec = dataclasses.replace(spec, servers=(core, spec.servers[1]))
    found = rules.validate_topology(spec)
    assert [(f.severity, f.rule, f.component) for f in found] == [
        ("error", "R2.1", "core1:load_balancer:Wrong")
    ]


def test_r2_2_a_single_split_deployment_needs_one_core_and_one_edge():
    spec = example_spec("single-split")
    spec = dataclasses.replace(spec, servers=(spec.servers[0],))
    assert "R2.2" in {f.rule for f in rules.validate_topology(spec)}


def test_r2_1_the_recipes_say_which_components_need_certificates():
    pack = rules.get_pack()
    spec = example_spec("scalable", turn_tls=True)
    assert not pack.recipe("h323_gateway").needs_certificate(spec)
    assert all(
        pack.recipe(k).needs_certificate(spec) for k in rules.Kind.values if k != "h323_gateway"
    )
    assert pack.recipe("load_balancer").roles == frozenset({"edge"})

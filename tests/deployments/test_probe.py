"""Issue 12, the TLS probe: real TLS servers on 127.0.0.1 present a chain, CertDesk reads it
and compares it with the plan (SPEC R1.3, R1.4, R4.10, R5.1-R5.4).

The deployment is the single combined example with its Call Bridge on 127.0.0.1; CertDesk's
own CAs sign it, a root ("Lab Root CA") and an intermediate ("Lab Issuing CA") under it, so a
server that leaves out the intermediate is caught although CertDesk knows that intermediate.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from django.urls import reverse

from certauthority import services as ca_services
from certauthority.selectors import certificate_chain
from deployments import probe, rules, selectors, services, tasks
from deployments.models import CertificatePlan, Component, ProbeResult
from tests.conftest import issue_server_certificate

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
ISSUING_CA = "Lab Issuing CA"


# --- real TLS servers ---------------------------------------------------------------------------


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class TLSServer:
    """A TLS server on 127.0.0.1 (an ephemeral port) presenting ``chain`` (as given, leaf first);
    it counts the connections it accepts and records the SNI names it is sent."""

    def __init__(self, folder: Path, chain: list[x509.Certificate], key) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "chain.pem").write_bytes(_pem(*chain))
        (folder / "key.pem").write_bytes(_key_pem(key))
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(folder / "chain.pem", folder / "key.pem")
        self.context.sni_callback = self._sni
        self.names: list[str | None] = []
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _sni(self, _sslobj, name, _context) -> None:
        self.names.append(name)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.settimeout(2)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)  # until the probe closes
            except OSError:
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.listener.close()


@pytest.fixture
def serve(tmp_path) -> Iterator:
    servers: list[TLSServer] = []

    def start(chain: list[x509.Certificate], key) -> TLSServer:
        server = TLSServer(tmp_path / f"server{len(servers)}", chain, key)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


# --- a deployment served by CertDesk's root and intermediate ---------------------------------


@pytest.fixture
def issuing_ca(internal_ca):
    return ca_services.ca_create_intermediate(
        name=ISSUING_CA,
        parent=internal_ca,
        subject="CN=Lab Issuing CA,O=Example Inc.,C=GB",
        key_type="ec256",
        actor="test",
    )


@pytest.fixture
def combined(load_example, issuing_ca):
    """single-combined on 127.0.0.1, its internal entries issued by the intermediate."""
    from tests.deployments.helpers import example_document

    servers = example_document("single-combined")["servers"]
    servers[0]["addresses"] = ["127.0.0.1"]
    deployment = load_example("single-combined", internal_ca=ISSUING_CA, servers=servers)
    services.deployment_issue(deployment=deployment, actor="test")
    return deployment


def _call_bridge(deployment) -> Component:
    return deployment.components.select_related("server").get(kind="call_bridge")


def _planned(deployment):
    """(leaf, private key, [intermediate, root]) of the Call Bridge's plan entry."""
    row = CertificatePlan.objects.get(deployment=deployment, basename="callbridge")
    leaf = x509.load_pem_x509_certificate(row.certificate.pem.encode())
    key = ca_services.keypair_private_key(keypair=row.keypair)
    return leaf, key, certificate_chain(certificate=row.certificate)


def _probe_at(deployment, port: int, **kwargs) -> ProbeResult:
    component = _call_bridge(deployment)
    Component.objects.filter(pk=component.pk).update(probe_port=port)
    component.refresh_from_db()
    return probe.component_probe(component=component, **kwargs)


def _seen(result: ProbeResult) -> str:
    return f"TLS probe, seen {result.seen_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _problems(result: ProbeResult) -> list[tuple[str, str]]:
    return [(f["severity"], f["rule"]) for f in result.findings]


def _findings_page(client, deployment) -> str:
    return client.get(reverse("deployments:findings", args=[deployment.pk])).content.decode()


# --- against real servers ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_right_certificate_with_its_chain_has_no_finding(combined, serve, client_as, viewer):
    leaf, key, chain = _planned(combined)
    server = serve([leaf, *chain], key)
    result = _probe_at(combined, server.port)
    assert result.reachable and result.error == ""
    assert result.findings == []
    assert result.fingerprint_sha256 == leaf.fingerprint(hashes.SHA256()).hex()
    assert result.chain_pem.count("BEGIN CERTIFICATE") == 3
    assert (result.host, result.port) == ("127.0.0.1", server.port)
    assert server.names == ["cms1.example.com"]  # SNI: the component's FQDN
    html = _findings_page(client_as(viewer), combined)
    assert "TLS probe, seen" not in html


@pytest.mark.django_db
def test_a_different_certificate_is_named_with_its_subject_issuer_and_expiry(
    combined, serve, issuing_ca, client_as, viewer
):
    assert 'id="no-findings"' in _findings_page(client_as(viewer), combined)
    other = issue_server_certificate(issuing_ca, cn="other.example.com")
    cert = x509.load_pem_x509_certificate(other.pem.encode())
    key = ca_services.keypair_private_key(keypair=other.key)
    server = serve([cert, *certificate_chain(certificate=other)], key)
    result = _probe_at(combined, server.port)
    assert result.reachable
    assert _problems(result) == [("error", "R5.1"), ("error", "R5.1"), ("warning", "R5.4")]
    wrong, name, days = (f["problem"] for f in result.findings)
    assert "other than the planned callbridge.crt" in wrong
    assert "CN=other.example.com" in wrong and "CN=Lab Issuing CA" in wrong
    assert cert.not_valid_after_utc.strftime("%Y-%m-%d %H:%M UTC") in wrong
    assert "not issued for cms1.example.com" in name and "other.example.com" in name
    assert "expires on" in days

    html = _findings_page(client_as(viewer), combined)
    assert 'id="no-findings"' not in html
    assert "other than the planned callbridge.crt" in html
    assert _seen(result) in html
    assert "cms1:call_bridge" in html


@pytest.mark.django_db
def test_a_leaf_without_its_intermediate_is_an_incomplete_chain(combined, serve):
    leaf, key, _chain = _planned(combined)
    server = serve([leaf], key)
    result = _probe_at(combined, server.port)
    assert _problems(result) == [("error", "R1.3")]
    problem = result.findings[0]["problem"]
    assert "stops at CN=Lab Issuing CA" in problem
    assert "callbridge_bundle.crt" in result.findings[0]["fix"]


@pytest.mark.django_db
def test_a_chain_out_of_order_is_a_warning(combined, serve):
    leaf, key, (inter, root) = _planned(combined)
    server = serve([leaf, root, inter], key)
    result = _probe_at(combined, server.port)
    assert _problems(result) == [("warning", "R1.4")]
    assert "out of order" in result.findings[0]["problem"]


@pytest.mark.django_db
def test_the_planned_certificate_expiring_soon_then_expired(combined, serve, time_machine):
    leaf, key, chain = _planned(combined)
    server = serve([leaf, *chain], key)
    time_machine.move_to(leaf.not_valid_after_utc - dt.timedelta(days=10, hours=-1))
    soon = _probe_at(combined, server.port)
    assert _problems(soon) == [("warning", "R5.4")]
    assert "in 9 day(s)" in soon.findings[0]["problem"]
    time_machine.move_to(leaf.not_valid_after_utc + dt.timedelta(days=1))
    expired = _probe_at(combined, server.port)
    assert _problems(expired) == [("error", "R5.4")]
    assert "expired on" in expired.findings[0]["problem"]
    # The newest result is the one the findings show.
    shown = selectors.deployment_probe_findings(deployment=combined)
    assert [(f.severity, f.rule, f.seen_at) for f in shown] == [("error", "R5.4", expired.seen_at)]


@pytest.mark.django_db
def test_a_certificate_made_expired_by_the_pki_functions_is_an_error(combined, serve, issuing_ca):
    from certauthority.pki.sign import issue_certificate

    _leaf, key, chain = _planned(combined)
    issuer = ca_services.ca_issuer(ca=issuing_ca)
    not_before = issuer.certificate.not_valid_before_utc
    expired = issue_certificate(
        issuer=issuer,
        public_key=key.public_key(),
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cms1.example.com")]),
        san=[x509.DNSName("cms1.example.com")],
        profile=rules.CertProfile.SERVER,
        days=1,
        now=not_before + dt.timedelta(minutes=5),
    )
    server = serve([expired, *chain], key)
    result = probe.component_probe(
        component=_with_port(combined, server.port),
        now=not_before + dt.timedelta(days=2),
    )
    assert ("error", "R5.4") in _problems(result)
    assert ("error", "R5.1") in _problems(result)  # not the planned one either


def _with_port(deployment, port: int) -> Component:
    component = _call_bridge(deployment)
    Component.objects.filter(pk=component.pk).update(probe_port=port)
    component.refresh_from_db()
    return component


@pytest.mark.django_db
def test_a_closed_port_is_an_unreachable_finding_not_an_exception(combined, client_as, viewer):
    with socket.create_server(("127.0.0.1", 0)) as spare:
        port = spare.getsockname()[1]
    result = _probe_at(combined, port, timeout=1.0)
    assert not result.reachable and "refused" in result.error
    assert _problems(result) == [("error", "R4.10")]
    assert result.fingerprint_sha256 == "" and result.chain_pem == ""
    html = _findings_page(client_as(viewer), combined)
    assert "The TLS probe of cms1:call_bridge failed" in html and _seen(result) in html


@pytest.mark.django_db
def test_a_server_that_never_answers_times_out_quickly(combined):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never speaks TLS
        started = dt.datetime.now(dt.UTC)
        result = _probe_at(combined, silent.getsockname()[1], timeout=0.5)
    assert (dt.datetime.now(dt.UTC) - started).total_seconds() < 5
    assert not result.reachable and "no answer within 0.5 seconds" in result.error


@pytest.mark.django_db
def test_a_host_the_deployment_does_not_name_is_refused_without_connecting(combined, serve):
    leaf, key, chain = _planned(combined)
    server = serve([leaf, *chain], key)
    with pytest.raises(probe.ProbeRefused, match="only the hosts the deployment names"):
        _probe_at(combined, server.port, host="localhost")  # 127.0.0.1 by another name
    with pytest.raises(probe.ProbeRefused, match=r"not 10\.0\.0\.1"):
        _probe_at(combined, server.port, host="10.0.0.1")
    assert server.accepted == 0
    assert not ProbeResult.objects.exists()
    # The names it does give are accepted: the address and the FQDNs.
    assert probe.probe_hosts(component=_call_bridge(combined)) == (
        "127.0.0.1",
        "cms1.example.com",
    )


# --- the tasks and the command -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_tasks_probe_every_component_with_a_port_and_are_safe_to_run_twice(combined, serve):
    leaf, key, chain = _planned(combined)
    server = serve([leaf, *chain], key)
    component = _with_port(combined, server.port)
    tasks.probe_components()
    tasks.probe_components()
    tasks.probe_component(component.pk)
    assert ProbeResult.objects.filter(component=component).count() == 3
    assert server.accepted == 3
    assert selectors.deployment_probe_findings(deployment=combined) == []
    Component.objects.filter(pk=component.pk).update(probe_port=None)
    tasks.probe_component(component.pk)  # its port was cleared: nothing to do
    assert ProbeResult.objects.filter(component=component).count() == 3


@pytest.mark.django_db
def test_the_command_prints_one_line_per_finding_and_exits_1_on_an_error(combined, serve):
    leaf, key, chain = _planned(combined)
    good = serve([leaf, *chain], key)
    _with_port(combined, good.port)
    out = _run("deployment", "probe", combined.name)
    assert out == f"OK\tcms1:call_bridge\t127.0.0.1:{good.port} presents the planned certificate.\n"

    bare = serve([leaf], key)
    _with_port(combined, bare.port)
    with pytest.raises(CommandError) as raised:
        _run("deployment", "probe", combined.name)
    assert raised.value.returncode == 1
    assert str(raised.value) == f"1 error(s) in the TLS probe of {combined.name}."
    lines = raised.value.stdout.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1
    severity, rule, where, _problem, _fix, seen = lines[0].split("\t")
    assert (severity, rule, where) == ("ERROR", "R1.3", "cms1:call_bridge")
    assert seen.startswith("seen ") and seen.endswith(" UTC")

    # `deployment check` now reports it too, and fails.
    with pytest.raises(CommandError):
        _run("deployment", "check", combined.name)


@pytest.mark.django_db
def test_the_command_says_when_nothing_has_a_probe_port(combined):
    assert _run("deployment", "probe", combined.name) == (
        f"{combined.name}: no component has a TLS probe port (set one in the component's form).\n"
    )


def _run(*args: str) -> str:
    import io

    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except CommandError as exc:
        exc.stdout = out.getvalue()  # type: ignore[attr-defined]
        raise
    return out.getvalue()


# --- the component form ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_operator_sets_the_probe_port_on_the_component_form(combined, client_as, operator):
    component = _call_bridge(combined)
    url = reverse(
        "deployments:component-edit", args=[combined.pk, component.server_id, component.pk]
    )
    client = client_as(operator)
    assert 'name="probe_port"' in client.get(url).content.decode()
    response = client.post(
        url, {"kind": "call_bridge", "fqdn": component.fqdn, "probe_port": "443"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    component.refresh_from_db()
    assert component.probe_port == 443
    exported = selectors.deployment_document(deployment=combined)
    assert exported["servers"][0]["components"][0]["probe_port"] == 443


# --- the pure comparison, without a database ---------------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, issuer: str, key, signer, *, ca: bool, san=(), days: int = 365):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture(scope="module")
def pki():
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)]
    root = _cert("Root", "Root", keys[0], keys[0], ca=True, days=3650)
    inter = _cert("Issuing", "Root", keys[1], keys[0], ca=True, days=1825)

    def leaf(cn="join.example.com", san=("join.example.com",), days=365):
        return _cert(cn, "Issuing", keys[2], keys[1], ca=False, san=san, days=days)

    return root, inter, leaf


def _target(planned: x509.Certificate | None, kind: str = "web_bridge", name="join.example.com"):
    facts = None
    if planned is not None:
        facts = rules.certificate_facts(planned.public_bytes(serialization.Encoding.PEM))
    return rules.ProbeTarget(
        where="edge1:web_bridge",
        kind=kind,
        server_name=name,
        basename="webbridge",
        expected=facts,
    )


def _check(target, presented, roots, now=NOW):
    return [
        (f.severity, f.rule)
        for f in rules.check_presented_chain(target, presented, known_roots=roots, now=now)
    ]


def test_pure_all_right_is_no_finding(pki):
    root, inter, leaf = pki
    cert = leaf()
    assert _check(_target(cert), [cert, inter], [root]) == []
    assert _check(_target(cert), [cert, inter, root], []) == []  # the root sent along


def test_pure_a_known_intermediate_does_not_excuse_a_missing_one(pki):
    root, inter, leaf = pki
    cert = leaf()
    assert _check(_target(cert), [cert], [root, inter]) == [("error", "R1.3")]


def test_pure_out_of_order_and_wrong_leaf(pki):
    root, inter, leaf = pki
    planned, presented = leaf(), leaf()
    assert _check(_target(planned), [planned, root, inter], []) == [("warning", "R1.4")]
    assert _check(_target(planned), [presented, inter], [root]) == [("error", "R5.1")]


@pytest.mark.parametrize(
    ("kind", "rule"), [("web_bridge", "R5.3"), ("xmpp", "R5.2"), ("call_bridge", "R5.1")]
)
def test_pure_a_name_the_certificate_does_not_cover_cites_the_kinds_rule(pki, kind, rule):
    root, inter, leaf = pki
    cert = leaf(cn="other.example.com", san=("other.example.com",))
    assert _check(_target(cert, kind=kind), [cert, inter], [root]) == [("error", rule)]
    wildcard = leaf(cn="*.example.com", san=("*.example.com",))
    assert _check(_target(wildcard, kind=kind), [wildcard, inter], [root]) == []


def test_pure_days_left(pki):
    root, inter, leaf = pki
    cert = leaf(days=20)
    assert _check(_target(cert), [cert, inter], [root]) == [("warning", "R4.3")]
    later = NOW + dt.timedelta(days=21)
    target = _target(cert, kind="call_bridge", name="join.example.com")
    assert _check(target, [cert, inter], [root], now=later) == [("error", "R5.4")]


def test_pure_nothing_planned_yet_is_a_warning_and_the_rest_still_checked(pki):
    root, _inter, leaf = pki
    cert = leaf()
    assert _check(_target(None), [cert], [root]) == [("warning", "R5.1"), ("error", "R1.3")]


def test_pure_every_finding_says_how_to_fix_it(pki):
    root, _inter, leaf = pki
    cert = leaf(cn="other.example.com", san=("other.example.com",), days=5)
    findings = rules.check_presented_chain(_target(leaf()), [cert], known_roots=[root], now=NOW)
    assert len(findings) == 4
    assert all(f.fix and f.problem and f.component == "edge1:web_bridge" for f in findings)


def test_the_probe_uses_a_python_that_hands_out_the_whole_chain():
    # Python 3.11: the C socket has get_unverified_chain (public in ssl only from 3.13).
    import _ssl

    assert hasattr(ssl.SSLSocket, "get_unverified_chain") or hasattr(
        _ssl._SSLSocket, "get_unverified_chain"
    )

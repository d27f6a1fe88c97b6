"""The egress policy alone: how URLs and entries are read, which match, which addresses are
refused; and TLS through the pinned connection (the certificate is checked against the name,
while the connection goes to the address that was checked)."""

from __future__ import annotations

import ipaddress
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
from local_servers import self_signed_cert, serve_http

from contextmfa.sandbox import egress, http_client
from contextmfa.sandbox.egress import EgressPolicy, EgressRefused, forbidden_address, parse_url
from contextmfa.sandbox.http_exchange import HttpRequest


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://Risk.Example/score", ("https", "risk.example", 443, "/score", "")),
        ("https://risk.example.:8443/a?b=1#frag", ("https", "risk.example", 8443, "/a", "b=1")),
        ("http://[2001:db8::1]/x", ("http", "2001:db8::1", 80, "/x", "")),
        ("http://192.0.2.1", ("http", "192.0.2.1", 80, "/", "")),
    ],
)
def test_urls_are_read_strictly_into_their_parts(url, parts):
    target = parse_url(url)
    assert (target.scheme, target.host, target.port, target.path, target.query) == parts


@pytest.mark.parametrize(
    "url",
    [
        "https://user@risk.example/",
        "https://risk.example:0/",
        "https://risk.example:99999/",
        "https://risk.example:/",
        "https://risk_example/",
        "https://risk.example/a b",
        "https://risk.example/%2f..",
        "https://[::1/",
        "https://1.2.3/",
        "https://foo.123/",
        "https://010.0.0.1/",
        "//risk.example/",
        "javascript:alert(1)",
    ],
)
def test_urls_that_could_be_read_two_ways_are_refused(url):
    with pytest.raises(EgressRefused):
        parse_url(url)


def test_an_entry_allows_its_prefix_and_what_lies_under_it_only():
    policy = EgressPolicy(["https://risk.example/score", "http://192.0.2.1:8081"])
    assert policy.target("https://risk.example/score")[0].path == "/score"
    assert policy.target("https://risk.example/score/ip?x=1")[0].query == "x=1"
    assert policy.target("http://192.0.2.1:8081/anything")[0].port == 8081
    for refused in (
        "https://risk.example/scoreboard",
        "https://risk.example/",
        "http://risk.example/score",
        "https://risk.example:444/score",
        "http://192.0.2.1/anything",
    ):
        with pytest.raises(EgressRefused):
            policy.target(refused)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private or non-public"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private or non-public"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:169.254.169.254", "embeds 169.254.169.254"),
        ("2002:a9fe:a9fe::1", "embeds 169.254.169.254"),
        ("64:ff9b::7f00:1", "embeds 127.0.0.1"),
        ("::127.0.0.1", "embeds 127.0.0.1"),
    ],
)
def test_non_public_addresses_are_refused_with_the_reason(address, why):
    reason = forbidden_address(ipaddress.ip_address(address))
    assert reason is not None and why in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"])
def test_public_addresses_pass(address):
    assert forbidden_address(ipaddress.ip_address(address)) is None


def test_a_literal_entry_is_the_only_way_to_a_private_address(monkeypatch):
    policy = EgressPolicy(["http://127.0.0.1:8081", "http://localhost:8081"])
    target, entry = policy.target("http://127.0.0.1:8081/score")
    assert str(policy.address(target, entry)) == "127.0.0.1"
    monkeypatch.setattr(egress, "resolve", lambda host, port: ["127.0.0.1"])
    target, entry = policy.target("http://localhost:8081/score")
    with pytest.raises(EgressRefused, match=r"localhost is 127\.0\.0\.1: a loopback address"):
        policy.address(target, entry)


def test_a_name_is_resolved_once_and_every_answer_is_checked(monkeypatch):
    asked = []

    def resolve(host, port):
        asked.append(host)
        return ["93.184.216.34", "10.0.0.1"]

    monkeypatch.setattr(egress, "resolve", resolve)
    policy = EgressPolicy(["https://risk.example"])
    with pytest.raises(EgressRefused, match=r"10\.0\.0\.1"):
        policy.address(*policy.target("https://risk.example/"))
    assert asked == ["risk.example"]


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_server(tmp_path):
    """HTTPS on 127.0.0.1 with a certificate for localhost and 127.0.0.1 (its own CA)."""
    cert, key = self_signed_cert(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with serve_http(_Hello, tls=context) as server:
        yield server.server_port, cert


def _call(policy, url):
    target, entry = policy.target(url)
    request = HttpRequest("risk", "GET", url)
    return http_client.call_live(request, target, entry, policy, 2.0, 1024)


def test_tls_checks_the_certificate_against_the_name_not_the_pinned_address(
    tls_server, monkeypatch
):
    port, cert = tls_server
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(http_client, "_SSL", trusting)
    monkeypatch.setattr(egress, "forbidden_address", lambda address: None)
    names = {"localhost": ["127.0.0.1"], "risk.example": ["127.0.0.1"]}
    monkeypatch.setattr(egress, "resolve", lambda host, port: names[host])
    policy = EgressPolicy([f"https://localhost:{port}", f"https://risk.example:{port}"])
    assert _call(policy, f"https://localhost:{port}/").body == b"ok"
    # Same address, a name the certificate does not carry: refused by the TLS check.
    wrong = _call(policy, f"https://risk.example:{port}/")
    assert wrong.failure == "network" and wrong.status == 0
    assert wrong.message == "the TLS certificate is not valid for this host"


def test_tls_needs_a_trusted_certificate(tls_server):
    port, _ = tls_server
    policy = EgressPolicy([f"https://127.0.0.1:{port}"])
    answer = _call(policy, f"https://127.0.0.1:{port}/")
    assert answer.failure == "network"
    assert answer.message == "the TLS certificate is not valid for this host"


def test_a_slow_name_lookup_ends_with_the_call_not_with_the_resolver(monkeypatch):
    release = threading.Event()

    def stuck(host, port):
        release.wait(5)
        return ["93.184.216.34"]

    monkeypatch.setattr(egress, "resolve", stuck)
    policy = EgressPolicy(["https://risk.example"])
    target, entry = policy.target("https://risk.example/")
    started = time.monotonic()
    try:
        answer = http_client.call_live(
            HttpRequest("risk", "GET", "https://risk.example/"), target, entry, policy, 0.2, 1024
        )
    finally:
        release.set()
    assert answer.failure == "timeout"
    assert time.monotonic() - started < 1.0


def test_a_redirect_to_another_listed_service_drops_the_credentials():
    from http_stand_in import serve_stand_in

    with serve_stand_in() as first, serve_stand_in() as second:
        policy = EgressPolicy([first.base, second.base])
        url = f"{first.base}/redirect?to={second.base}/echo"
        target, entry = policy.target(url)
        headers = (("Authorization", "Bearer first-only"), ("Content-Type", "text/plain"))
        request = HttpRequest("risk", "GET", url, headers)
        answer = http_client.call_live(request, target, entry, policy, 2.0, 65_536)
        assert answer.status == 200
        assert first.requests[0].headers["authorization"] == "Bearer first-only"
        assert "authorization" not in second.requests[0].headers
        assert second.requests[0].headers["content-type"] == "text/plain"
        same = f"{first.base}/redirect?to=/echo"
        http_client.call_live(
            HttpRequest("risk", "GET", same, headers), *policy.target(same), policy, 2.0, 65_536
        )
        assert first.requests[-1].headers["authorization"] == "Bearer first-only"

"""One tenant's hanging DNS names must not starve another tenant's ``fetch``. ``getaddrinfo``
cannot be cancelled: a name whose authoritative server never answers keeps its lookup running
after the call gave up. Lookups take per-tenant slots (egress_lookups.py); a tenant beyond its
cap fails at once as a network error, and never holds more than half of the process's slots.
Names resolve through a test resolver; no packet leaves."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from contextmfa.sandbox import egress
from contextmfa.sandbox.egress_lookups import LookupSlots
from contextmfa.sandbox.http_client import call_live
from contextmfa.sandbox.http_exchange import HttpRequest


@pytest.fixture
def hanging(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Names under slow.attacker.test hang until the test ends (or 20 s)."""
    release = threading.Event()

    def resolver(host: str, port: int) -> list[str]:
        if host.endswith("slow.attacker.test"):
            release.wait(20)
        return ["93.184.216.34"]

    monkeypatch.setattr(egress, "resolve", resolver)
    yield release
    release.set()


def _hang(policy: egress.EgressPolicy, count: int) -> None:
    for i in range(count):
        target, entry = policy.target(f"https://x.slow.attacker.test/{i}")
        with pytest.raises(TimeoutError):
            policy.address(target, entry, 0.05)


def _resolves(policy: egress.EgressPolicy, host: str) -> bool:
    target, entry = policy.target(f"https://{host}/score")
    return str(policy.address(target, entry, 1.0)) == "93.184.216.34"


def _listed(policy: egress.EgressPolicy, host: str) -> tuple[egress.Target, egress.Entry]:
    return policy.target(f"https://{host}/")


def test_another_tenants_lookup_resolves_while_one_tenants_hang(hanging):
    hostile = egress.EgressPolicy(["https://x.slow.attacker.test"], tenant="hostile")
    victim = egress.EgressPolicy(["https://api.victim-risk.test"], tenant="victim")
    _hang(hostile, 8)  # as many as the old process-wide pool had threads
    assert _resolves(victim, "api.victim-risk.test")


def test_a_tenant_beyond_its_cap_fails_at_once_and_others_still_resolve(monkeypatch, hanging):
    slots = LookupSlots(total=8, per_tenant=3)
    monkeypatch.setattr(egress, "lookups", slots)
    hostile = egress.EgressPolicy(["https://x.slow.attacker.test"], tenant="hostile")
    _hang(hostile, 3)
    assert slots.in_flight("hostile") == 3
    target, entry = hostile.target("https://x.slow.attacker.test/more")
    started = time.monotonic()
    with pytest.raises(LookupError, match="still in flight"):
        hostile.address(target, entry, 5.0)
    assert time.monotonic() - started < 1.0
    # the cap is the tenant's, not the call's: a fresh call of the same tenant fails too
    with pytest.raises(LookupError):
        hostile.address(*_listed(hostile, "x.slow.attacker.test"), 5.0)
    victim = egress.EgressPolicy(["https://api.victim-risk.test"], tenant="victim")
    assert _resolves(victim, "api.victim-risk.test")
    hanging.set()  # the resolver gives up: the slots come back
    deadline = time.monotonic() + 5
    while slots.in_flight() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slots.in_flight() == 0
    assert str(hostile.address(target, entry, 1.0)) == "93.184.216.34"


def test_no_tenant_holds_more_than_half_of_the_process_slots(monkeypatch, hanging):
    slots = LookupSlots(total=4, per_tenant=10)
    monkeypatch.setattr(egress, "lookups", slots)
    assert slots.per_tenant == 2
    first = egress.EgressPolicy(["https://x.slow.attacker.test"], tenant="first")
    second = egress.EgressPolicy(["https://x.slow.attacker.test"], tenant="second")
    _hang(first, 2)
    _hang(second, 2)
    third = egress.EgressPolicy(["https://api.victim-risk.test"], tenant="third")
    with pytest.raises(LookupError, match="too many lookups in flight"):
        third.address(*_listed(third, "api.victim-risk.test"), 1.0)


def test_policies_of_one_tenant_share_its_slots(monkeypatch, hanging):
    slots = LookupSlots(total=8, per_tenant=2)
    monkeypatch.setattr(egress, "lookups", slots)
    _hang(egress.EgressPolicy(["https://x.slow.attacker.test"], tenant="acme"), 2)
    reloaded = egress.EgressPolicy(["https://x.slow.attacker.test"], tenant="acme")
    with pytest.raises(LookupError, match="still in flight"):
        reloaded.address(*_listed(reloaded, "x.slow.attacker.test"), 1.0)


def test_fetch_reports_a_full_tenant_as_a_network_error(monkeypatch, hanging):
    slots = LookupSlots(total=8, per_tenant=1)
    monkeypatch.setattr(egress, "lookups", slots)
    policy = egress.EgressPolicy(["https://x.slow.attacker.test"], tenant="hostile")
    _hang(policy, 1)
    url = "https://x.slow.attacker.test/score"
    target, entry = policy.target(url)
    answer = call_live(
        HttpRequest(action="a", method="GET", url=url), target, entry, policy, 2.0, 1000
    )
    assert answer.failure == "network" and "still in flight" in answer.message

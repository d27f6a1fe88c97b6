"""A hostile tenant lists its own name and points its DNS at an IANA special-purpose address
that Python 3.11's ``is_global`` lets through: 192.0.0.192 (Oracle Cloud's legacy metadata
endpoint), the rest of 192.0.0.0/24, fec0::/10 (site-local), 3fff::/20 (documentation).
``fetch`` must refuse each before any packet leaves (names resolve through a test table)."""

from __future__ import annotations

import ipaddress

import pytest

from contextmfa.sandbox import egress
from contextmfa.sandbox.special_addresses import NON_GLOBAL_BLOCKS

SLIPPED_PAST_IS_GLOBAL = ["192.0.0.192", "192.0.0.8", "192.0.0.100", "fec0::1", "3fff::1"]


@pytest.mark.parametrize("address", SLIPPED_PAST_IS_GLOBAL)
def test_special_purpose_addresses_are_refused(address):
    reason = egress.forbidden_address(ipaddress.ip_address(address))
    assert reason is not None and "special-purpose block" in reason


@pytest.mark.parametrize("address", SLIPPED_PAST_IS_GLOBAL)
def test_a_tenant_name_resolving_there_is_refused(monkeypatch, address):
    monkeypatch.setattr(egress, "resolve", lambda host, port: ["93.184.216.34", address])
    policy = egress.EgressPolicy(["http://meta.attacker.example"])
    target, entry = policy.target("http://meta.attacker.example/opc/v1/instance/")
    with pytest.raises(egress.EgressRefused, match="special-purpose block"):
        policy.address(target, entry, 1.0)


@pytest.mark.parametrize(
    ("network", "name"), NON_GLOBAL_BLOCKS, ids=[str(n) for n, _ in NON_GLOBAL_BLOCKS]
)
def test_every_address_of_every_listed_block_is_refused(network, name):
    for address in (network.network_address, network.broadcast_address):
        assert egress.forbidden_address(address) is not None, (address, name)


def test_teredo_and_local_nat64_are_refused_even_around_a_public_ipv4():
    teredo = ipaddress.IPv6Address("2001:0:4136:e378:8000:63bf:a2b4:c7cb")  # 93.75.56.52 inside
    local_nat64 = ipaddress.IPv6Address("64:ff9b:1::5db8:d822")
    for address in (teredo, local_nat64):
        assert "special-purpose block" in (egress.forbidden_address(address) or "")


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "2606:2800:220:1::1", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"],
)
def test_public_addresses_and_their_global_embeddings_still_pass(address):
    assert egress.forbidden_address(ipaddress.ip_address(address)) is None

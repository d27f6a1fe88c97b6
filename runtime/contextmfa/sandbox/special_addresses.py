"""The IANA special-purpose address blocks that are not globally reachable, written out.

``fetch`` refuses an address in one of these whatever Python's ``ipaddress`` says of it:
CPython 3.11's ``is_global`` lets through 192.0.0.192 (Oracle Cloud's legacy metadata address)
and the rest of 192.0.0.0/24, fec0::/10 and 3fff::/20, and its tables change between releases.

Sources, the entries whose "Globally Reachable" is False (or N/A for a deprecated block):
- IANA IPv4 Special-Purpose Address Registry,
  https://www.iana.org/assignments/iana-ipv4-special-registry/ (RFC 6890, RFC 8190)
- IANA IPv6 Special-Purpose Address Registry,
  https://www.iana.org/assignments/iana-ipv6-special-registry/ (RFC 6890, RFC 8190)
plus the multicast blocks and IPv6's deprecated site-local block (RFC 3879), which are not in
those registries but are never a risk service. A block's narrower "globally reachable" entries
(192.0.0.9/32, 192.0.0.10/32, 2001:1::1/128, 2001:3::/32, 2001:4:112::/48, 2001:20::/28, ...)
are refused with it: none of them is an HTTP service an Action has business calling.
"""

from __future__ import annotations

import ipaddress

__all__ = ["NON_GLOBAL_BLOCKS", "special_purpose_block"]

_IPV4 = (
    ("0.0.0.0/8", "this network"),
    ("10.0.0.0/8", "private use"),
    ("100.64.0.0/10", "shared address space"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link local"),
    ("172.16.0.0/12", "private use"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.88.99.0/24", "deprecated 6to4 relay anycast"),
    ("192.168.0.0/16", "private use"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "limited broadcast"),
)
_IPV6 = (
    ("::1/128", "loopback"),
    ("::/128", "unspecified"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("64:ff9b:1::/48", "IPv4-IPv6 translation, local use"),
    ("100::/64", "discard-only"),
    ("100:0:0:1::/64", "dummy IPv6 prefix"),
    ("2001::/23", "IETF protocol assignments (Teredo included)"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing SIDs"),
    ("fc00::/7", "unique local"),
    ("fe80::/10", "link-local unicast"),
    ("fec0::/10", "deprecated site-local"),
    ("ff00::/8", "multicast"),
)

NON_GLOBAL_BLOCKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(cidr), name) for cidr, name in _IPV4 + _IPV6
)


def special_purpose_block(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """``"192.0.0.0/24 (IETF protocol assignments)"`` for an address in a listed block."""
    for network, name in NON_GLOBAL_BLOCKS:
        if address.version == network.version and address in network:
            return f"{network} ({name})"
    return None

"""The CIDRs ``ip_in_range`` was given, parsed once per distinct list into sorted integer ranges.

Parsing stays ``ipaddress.ip_network(cidr.strip(), strict=False)``, so what is accepted and the
errors raised are those of Python's ``ipaddress``; the lookup is :class:`IPRangeSet`'s ``bisect``
(enrich/iplists.py). Two things keep the answers those of a loop over the CIDRs in order:

- an IPv4-mapped IPv6 address (``::ffff:a.b.c.d``) matches IPv4 CIDRs *and* the IPv6 CIDRs that
  hold it, while an IPv4 address never matches an IPv6 CIDR: the IPv6 CIDRs' share of the mapped
  block is kept apart, as IPv4 ranges looked up for mapped addresses only;
- a malformed CIDR ends the parse: the CIDRs before it still answer ``True``, and an address they
  do not hold raises that CIDR's error, as the loop would have on reaching it.

Actions are hostile and can pass endless distinct lists, so the cache is bounded both in lists
(least recently used first out) and in the characters it holds; a list too big for it is parsed
for that call only.
"""

from __future__ import annotations

import ipaddress
import threading
from collections import OrderedDict
from ipaddress import IPv4Address, IPv6Address

from contextmfa.enrich.iplists import IPRangeSet

__all__ = ["CidrRanges", "ranges_for"]

MAX_LISTS = 256
MAX_CHARS = 500_000
"""Characters of CIDR text held by the cache in all (about 28,000 CIDRs, a few MB with ranges)."""

_MAPPED_FIRST = 0xFFFF << 32  # ::ffff:0:0/96
_MAPPED_LAST = _MAPPED_FIRST | 0xFFFFFFFF


class CidrRanges:
    """One parsed CIDR list: its ranges, the mapped-block share of its IPv6 ranges, and the
    error of the first malformed CIDR (``None`` when every one parsed)."""

    __slots__ = ("_error", "_mapped", "_ranges")

    def __init__(self, cidrs: tuple[str, ...]) -> None:
        v4: list[tuple[int, int]] = []
        v6: list[tuple[int, int]] = []
        mapped: list[tuple[int, int]] = []
        self._error: tuple[type[Exception], tuple[object, ...]] | None = None
        for cidr in cidrs:
            try:
                network = ipaddress.ip_network(cidr.strip(), strict=False)
            except ValueError as exc:
                self._error = (type(exc), exc.args)
                break
            first, last = int(network.network_address), int(network.broadcast_address)
            if network.version == 4:
                v4.append((first, last))
                continue
            v6.append((first, last))
            low, high = max(first, _MAPPED_FIRST), min(last, _MAPPED_LAST)
            if low <= high:
                mapped.append((low & 0xFFFFFFFF, high & 0xFFFFFFFF))
        self._ranges = IPRangeSet(v4, v6)
        self._mapped = IPRangeSet(mapped, []) if mapped else None

    def contains(self, address: IPv4Address | IPv6Address) -> bool:
        """Whether ``address`` is in the list; the list's parse error if that cannot be told."""
        if address in self._ranges:  # a mapped address is looked up among the IPv4 ranges
            return True
        if self._mapped is not None and type(address) is IPv6Address and address in self._mapped:
            return True
        if self._error is not None:
            kind, args = self._error
            raise kind(*args)
        return False


class _Cache:
    """A thread-safe LRU of parsed lists, bounded in entries and in characters held."""

    def __init__(self, max_lists: int, max_chars: int) -> None:
        self._entries: OrderedDict[tuple[str, ...], tuple[CidrRanges, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._chars = 0
        self.max_lists = max_lists
        self.max_chars = max_chars

    def get(self, cidrs: tuple[str, ...]) -> CidrRanges:
        with self._lock:
            found = self._entries.get(cidrs)
            if found is not None:
                self._entries.move_to_end(cidrs)
                return found[0]
        ranges = CidrRanges(cidrs)
        size = sum(map(len, cidrs)) + len(cidrs)
        if size > self.max_chars // 4:
            return ranges
        with self._lock:
            if cidrs not in self._entries:
                self._entries[cidrs] = (ranges, size)
                self._chars += size
            while len(self._entries) > self.max_lists or self._chars > self.max_chars:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._chars -= dropped
        return ranges

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def chars(self) -> int:
        return self._chars


_CACHE = _Cache(MAX_LISTS, MAX_CHARS)


def ranges_for(cidrs: tuple[str, ...]) -> CidrRanges:
    """The parsed ranges of ``cidrs`` (exact ``str`` values), from the cache when seen before."""
    return _CACHE.get(cidrs)

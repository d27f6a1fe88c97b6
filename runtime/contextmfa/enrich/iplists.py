"""IP lists (deny lists) as sorted integer ranges, looked up with ``bisect``.

A list is parsed once per config version and then tested once per login, so the lookup has to
stay at about a microsecond whatever the list's size. ``netaddr.IPSet`` membership costs 20-50 µs
and parsing 50,000 CIDRs with netaddr plus ``cidr_merge`` takes 0.6-0.85 s here, so neither is
used: each entry is parsed with ``socket.inet_pton`` (strict: no leading zeros, no shorthand
forms, no zone ids), turned into an inclusive integer range, and the ranges are sorted and merged
(overlapping or adjacent ranges become one); 50,000 entries load in about 0.2 s. A lookup is one
``bisect`` over the range starts of the address's IP version: 0.3-0.6 µs up to 10,000 ranges,
under 1 µs at 50,000 (see ``benchmarks/bench_enrich.py``).

A CIDR with host bits set (``10.1.2.3/8``) is accepted and masked to its network, as netaddr and
firewalls do; for a deny list that can only widen what is denied. IPv4-mapped IPv6 addresses
(``::ffff:a.b.c.d``), in an entry or in a lookup, are treated as the IPv4 address they carry, so
a proxy that reports one cannot slip past an IPv4 entry.
"""

from __future__ import annotations

import socket
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

from contextmfa.errors import ConfigError, Problem

__all__ = ["DenyLists", "IPRangeSet"]

_V4_BITS = 32
_V6_BITS = 128
_MAPPED_PREFIX = 0xFFFF << 32  # ::ffff:0:0/96
_MAPPED_LAST = _MAPPED_PREFIX | 0xFFFFFFFF


def _parse_entry(text: str) -> tuple[int, int, int]:
    """Parse one IP or CIDR into ``(version, first, last)``; ValueError names the entry."""
    address, slash, prefix_text = text.partition("/")
    if ":" in address:
        family, bits, version = socket.AF_INET6, _V6_BITS, 6
    else:
        family, bits, version = socket.AF_INET, _V4_BITS, 4
    try:
        value = int.from_bytes(socket.inet_pton(family, address), "big")
    except (OSError, ValueError):
        raise ValueError(f"{text!r} is not an IP address or CIDR") from None
    prefix = bits
    if slash:
        if not (prefix_text.isascii() and prefix_text.isdigit() and len(prefix_text) <= 3):
            raise ValueError(f"{text!r} is not an IP address or CIDR")
        prefix = int(prefix_text)
        if prefix > bits:
            raise ValueError(f"{text!r} is not an IP address or CIDR")
    host_mask = (1 << (bits - prefix)) - 1
    first = value & ~host_mask
    last = first | host_mask
    if version == 6 and first >= _MAPPED_PREFIX and last <= _MAPPED_LAST:
        return 4, first & 0xFFFFFFFF, last & 0xFFFFFFFF
    return version, first, last


def _merge(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sort and merge inclusive ranges; overlapping and adjacent ranges become one."""
    ranges.sort()
    starts: list[int] = []
    ends: list[int] = []
    for first, last in ranges:
        if ends and first <= ends[-1] + 1:
            if last > ends[-1]:
                ends[-1] = last
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


class IPRangeSet:
    """An immutable set of IPv4 and IPv6 addresses, stored as merged integer ranges."""

    __slots__ = ("_v4_ends", "_v4_starts", "_v6_ends", "_v6_starts")

    def __init__(self, v4: list[tuple[int, int]], v6: list[tuple[int, int]]) -> None:
        self._v4_starts, self._v4_ends = _merge(v4)
        self._v6_starts, self._v6_ends = _merge(v6)

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> IPRangeSet:
        """Build from IP / CIDR strings (outer whitespace ignored); ValueError on a bad one."""
        v4: list[tuple[int, int]] = []
        v6: list[tuple[int, int]] = []
        for entry in entries:
            version, first, last = _parse_entry(entry.strip())
            (v4 if version == 4 else v6).append((first, last))
        return cls(v4, v6)

    @classmethod
    def from_file(cls, path: Path) -> IPRangeSet:
        """Read one IP or CIDR per line; ``#`` starts a comment (whole-line or trailing).

        A bad line raises ConfigError ``path:line: error: 'x' is not an IP address or CIDR``.
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ConfigError(f"{path}: error: cannot read IP list: {reason}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: error: IP list is not UTF-8 text") from None
        v4: list[tuple[int, int]] = []
        v6: list[tuple[int, int]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            entry = line.partition("#")[0].strip()
            if not entry:
                continue
            try:
                version, first, last = _parse_entry(entry)
            except ValueError as exc:
                raise ConfigError(str(Problem(str(path), number, 0, str(exc)))) from None
            (v4 if version == 4 else v6).append((first, last))
        return cls(v4, v6)

    def __contains__(self, ip: object) -> bool:
        # ``ip._ip`` is the address as an int, in __slots__ since ipaddress appeared (3.3);
        # int(ip) goes through a Python-level __int__ and costs 0.2-0.3 µs more per lookup.
        # tests/enrich guards the assumption.
        kind = type(ip)
        if kind is IPv4Address:
            value = ip._ip  # type: ignore[attr-defined]
            starts, ends = self._v4_starts, self._v4_ends
        elif kind is IPv6Address:
            value = ip._ip  # type: ignore[attr-defined]
            if value >> 32 == 0xFFFF:  # IPv4-mapped: look the IPv4 address up
                starts, ends, value = self._v4_starts, self._v4_ends, value & 0xFFFFFFFF
            else:
                starts, ends = self._v6_starts, self._v6_ends
        else:
            # Fail closed: a string or None here is a caller bug, not "not on the list".
            raise TypeError(f"IPRangeSet holds IP addresses, not {kind.__name__}")
        index = bisect_right(starts, value) - 1
        return index >= 0 and value <= ends[index]

    def __len__(self) -> int:
        """The number of merged ranges (IPv4 plus IPv6)."""
        return len(self._v4_starts) + len(self._v6_starts)

    def __repr__(self) -> str:
        return f"IPRangeSet(ipv4_ranges={len(self._v4_starts)}, ipv6_ranges={len(self._v6_starts)})"


class DenyLists:
    """The tenant's named deny lists (``[risk] deny_lists = {name = path}``), in config order."""

    __slots__ = ("_lists",)

    def __init__(self, lists: Iterable[tuple[str, IPRangeSet]]) -> None:
        self._lists = tuple(lists)

    @classmethod
    def load(cls, lists: Mapping[str, str], *, base_dir: Path) -> DenyLists:
        """Load every list; paths are relative to ``base_dir`` (the config's directory)."""
        return cls(
            (name, IPRangeSet.from_file(Path(base_dir) / path)) for name, path in lists.items()
        )

    @property
    def configured(self) -> bool:
        """True when at least one list is configured (even an empty one)."""
        return bool(self._lists)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self._lists)

    def match(self, ip: IPv4Address | IPv6Address) -> str | None:
        """The name of the first list, in config order, that contains ``ip``; None if none does."""
        for name, ranges in self._lists:
            if ip in ranges:
                return name
        return None

    def __repr__(self) -> str:
        return f"DenyLists({', '.join(f'{n}: {len(r)} ranges' for n, r in self._lists)})"

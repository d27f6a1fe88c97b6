"""Where an Action's ``fetch`` may go: the tenant's ``[sandbox] egress`` list and address checks.

An entry is ``scheme://host[:port][/path-prefix]``: ``https://minfraud.maxmind.com`` or
``http://127.0.0.1:8081/score``. A URL is allowed when its scheme, host and port equal an entry's
and its path is the entry's prefix or lies under it (``/score`` allows ``/score`` and
``/score/ip``, never ``/scoreboard``). Plain ``http`` is allowed only where an entry says so.

URLs are read by one strict parser (:func:`parse_url`), and the request is rebuilt from what it
read, so no second parser can see another host: no userinfo (``user@host``), no backslashes,
spaces or non-ASCII, host names of letters, digits, ``-`` and ``.`` only (so ``2130706433``,
``0x7f.1`` and ``0177.0.0.1`` are not hosts), IPv4 literals in dotted decimal, IPv6 literals in
brackets, no ``.``/``..`` path segments (also percent-encoded).

Addresses: a name is resolved once (:data:`resolve` can be replaced, for tests), and the
connection goes to the address checked here (http_client.py pins it). Loopback, private,
link-local, shared, multicast, reserved and unspecified addresses, and IPv6 forms that embed one
(IPv4-mapped, 6to4, NAT64, Teredo), are refused unless the matching entry names that very address
as its host; so is every address in an IANA special-purpose block that is not globally reachable
(special_addresses.py), whatever ``ipaddress`` says of it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from contextmfa.sandbox.egress_lookups import LookupSlots
from contextmfa.sandbox.special_addresses import special_purpose_block

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_CHARS = 4096
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
_DOTTED = re.compile(r"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$")
_ALL_NUMERIC = re.compile(r"^[0-9.]+$|^0x|\.0x|\.[0-9]+$")
_URL = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)$")
_PATH_CHARS = re.compile(r"^[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*$")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


class EgressRefused(Exception):
    """A URL or address the policy does not allow; the message names what and why."""


@dataclass(frozen=True, slots=True)
class Target:
    """A URL as the strict parser read it; ``request_url`` is rebuilt from these parts."""

    scheme: str
    host: str
    """Lower-case name, dotted IPv4, or IPv6 without brackets."""
    port: int
    path: str
    query: str

    @property
    def literal(self) -> Address | None:
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if DEFAULT_PORTS[self.scheme] == self.port else f"{host}:{self.port}"

    @property
    def request_url(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{self.authority}{self.path}{query}"

    @property
    def shown(self) -> str:
        """The URL without its query string (where API keys often travel), for messages."""
        return f"{self.scheme}://{self.authority}{self.path}"


def parse_url(url: str, *, entry: bool = False) -> Target:
    """``url`` read strictly (module docstring); EgressRefused says what is wrong."""
    if not isinstance(url, str):
        raise EgressRefused("the URL must be a string")
    if len(url) > MAX_URL_CHARS:
        raise EgressRefused(f"the URL is longer than {MAX_URL_CHARS} characters")
    if not url.isascii() or any(c <= " " or c in "\\\x7f" for c in url):
        raise EgressRefused("the URL has spaces, control characters, backslashes or non-ASCII")
    match = _URL.match(url)
    if match is None:
        raise EgressRefused("not an absolute http:// or https:// URL")
    scheme = match["scheme"].lower()
    if scheme not in DEFAULT_PORTS:
        raise EgressRefused(f"scheme {scheme!r} is not allowed (http or https only)")
    authority, rest = match["authority"], match["rest"]
    if "@" in authority:
        raise EgressRefused("user names and passwords in URLs are refused (userinfo)")
    host, port = _host_port(authority, scheme)
    if "#" in rest:
        if entry:
            raise EgressRefused("an egress entry has no fragment")
        rest = rest.split("#", 1)[0]
    path, _, query = rest.partition("?")
    if entry and (query or "?" in rest):
        raise EgressRefused("an egress entry has no query string")
    path = path or "/"
    if not _PATH_CHARS.match(path) or not _PATH_CHARS.match(query):
        raise EgressRefused("the URL has characters that must be percent-encoded")
    for segment in path.split("/"):
        if unquote(segment) in (".", "..") or "/" in unquote(segment) or "\\" in unquote(segment):
            raise EgressRefused("'.', '..' and encoded slashes are refused in URL paths")
    return Target(scheme, host, port, path, query)


def _host_port(authority: str, scheme: str) -> tuple[str, int]:
    port_text = ""
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise EgressRefused("unclosed '[' in the host")
        host_text, tail = authority[1:end], authority[end + 1 :]
        if tail and not tail.startswith(":"):
            raise EgressRefused("unexpected text after the IPv6 address")
        port_text = tail[1:] if tail else ""
        if "%" in host_text:
            raise EgressRefused("IPv6 zone identifiers are refused")
        try:
            host = str(ipaddress.IPv6Address(host_text))
        except ValueError:
            raise EgressRefused(f"{host_text!r} is not an IPv6 address") from None
    else:
        host_text, colon, port_text = authority.partition(":")
        if colon and not port_text:
            raise EgressRefused("a ':' with no port")
        host = host_text.lower()
        if host.endswith("."):
            host = host[:-1]
        if _DOTTED.match(host):
            try:
                host = str(ipaddress.IPv4Address(host))
            except ValueError:
                raise EgressRefused(f"{host_text!r} is not an IPv4 address") from None
        elif _ALL_NUMERIC.search(host) or not _NAME.match(host):
            raise EgressRefused(
                f"{host_text!r} is not a host name (letters, digits, '-' and '.'; "
                "IPv4 in dotted decimal; IPv6 in brackets)"
            )
    if not port_text:
        return host, DEFAULT_PORTS[scheme]
    if not port_text.isdigit() or len(port_text) > 5 or not 0 < int(port_text) < 65536:
        raise EgressRefused(f"{port_text!r} is not a port")
    return host, int(port_text)


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``[sandbox] egress`` destination."""

    target: Target

    def allows(self, target: Target) -> bool:
        mine = self.target
        if (mine.scheme, mine.host, mine.port) != (target.scheme, target.host, target.port):
            return False
        prefix = mine.path
        if prefix == "/" or target.path == prefix:
            return True
        return target.path.startswith(prefix if prefix.endswith("/") else prefix + "/")


def parse_entry(text: str) -> Entry:
    """One egress entry; EgressRefused says why it is not one (``check`` locates it)."""
    return Entry(parse_url(text, entry=True))


def forbidden_address(address: Address) -> str | None:
    """Why ``address`` is not a public unicast address (None when it is one)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_v4(address)
        if embedded is not None:
            inner = forbidden_address(embedded)
            if inner:
                return f"it embeds {embedded}, {inner}"
            if address.ipv4_mapped is not None:
                return None  # the connection goes to the IPv4 address, which passed
            block = special_purpose_block(address)  # Teredo, local-use NAT64
            return f"in the special-purpose block {block}" if block else None
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or not address.is_global:
        return "a private or non-public address"
    if address.is_reserved:
        return "a reserved address"
    block = special_purpose_block(address)
    if block is not None:
        return f"in the special-purpose block {block}, not globally reachable"
    return None


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


resolve: Callable[[str, int], list[str]] = _system_resolve
"""Name to addresses; tests replace it to see a name resolve to loopback or metadata."""

lookups = LookupSlots()
"""Where names are resolved: a thread per lookup, slots per tenant (egress_lookups.py)."""


class EgressPolicy:
    """A tenant's egress list: which URLs, and which address to connect to for each."""

    __slots__ = ("entries", "tenant")

    def __init__(self, entries: Iterable[str], tenant: str | None = None) -> None:
        self.entries = tuple(parse_entry(text) for text in entries)
        self.tenant: Hashable = tenant if tenant is not None else object()
        """Whose lookup slots this policy's names take; without a tenant id, its own."""

    def target(self, url: str) -> tuple[Target, Entry]:
        """The parsed URL and the entry allowing it; EgressRefused when none does."""
        target = parse_url(url)
        for entry in self.entries:
            if entry.allows(target):
                return target, entry
        if not self.entries:
            raise EgressRefused(f"{target.shown} is not allowed: [sandbox] egress is empty")
        raise EgressRefused(f"{target.shown} is not in [sandbox] egress")

    def address(self, target: Target, entry: Entry, timeout_s: float = 5.0) -> Address:
        """The one address to connect to, resolved once and checked (module docstring).
        A lookup that takes longer than ``timeout_s`` raises TimeoutError."""
        literal = target.literal
        if literal is not None:
            candidates = [literal]
        else:
            try:
                found = lookups.resolve(self.tenant, resolve, target.host, target.port, timeout_s)
            except TimeoutError:
                raise
            except (OSError, UnicodeError) as exc:
                raise LookupError(f"cannot resolve {target.host}") from exc
            candidates = [ipaddress.ip_address(text.split("%", 1)[0]) for text in found]
            if not candidates:
                raise LookupError(f"cannot resolve {target.host}")
        named = entry.target.literal
        for address in candidates:
            reason = None if address == named else forbidden_address(address)
            if reason is not None:
                raise EgressRefused(f"{target.host} is {address}: {reason}")
        return candidates[0]

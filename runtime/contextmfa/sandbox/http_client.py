"""The live side of ``fetch``: one call made by the host with httpx, to the checked address only.

Each call gets a client of its own whose network backend ignores the host name httpx asks for
and connects to the address :class:`~contextmfa.sandbox.egress.EgressPolicy` resolved and
checked, so a second DNS answer can never move the connection (no rebinding); TLS still sends
the name as SNI and verifies the certificate against it. Proxies from the environment are
ignored. Every socket read and write is bounded by the call's one deadline, so a server that
sends a byte at a time (slowloris) cannot stretch a call past it.

Redirects are followed by hand, at most :data:`MAX_REDIRECTS`, each target checked against the
egress list and resolved and checked again; a redirect elsewhere ends the Action (forbidden).
A redirect to another origin keeps only content-negotiation headers, never credentials, and
one that would send the request body there again (307, 308) is not followed: the call fails
as a network error naming why.
Bodies are decoded here (identity, gzip, deflate), counting decoded bytes, so a compressed bomb
stops at the response cap.
"""

from __future__ import annotations

import ssl
import time
import zlib
from typing import Any

import httpcore
import httpx

from contextmfa.sandbox.egress import Address, EgressPolicy, EgressRefused, Entry, Target
from contextmfa.sandbox.http_exchange import RESPONSE_HEADERS, HttpAnswer, HttpRequest, failed

MAX_REDIRECTS = 3
MAX_RESPONSE_HEADER_BYTES = 16_384
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CROSS_ORIGIN_HEADERS = frozenset({"accept", "accept-encoding", "content-type", "user-agent"})
"""What a redirect to another scheme, host or port keeps of the Action's headers."""
_SSL: ssl.SSLContext | None = None


class _TooLarge(Exception):
    pass


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the call's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _left(self, timeout: float | None) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("deadline")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._left(timeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to one address whatever host name it is given."""

    def __init__(self, address: Address, deadline: float) -> None:
        self._address = str(address)
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("deadline")
        stream = self._inner.connect_tcp(self._address, port, min(timeout or left, left))
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _PinnedTransport(httpx.HTTPTransport):
    def __init__(self, address: Address, deadline: float) -> None:
        # verify= the shared context: the default builds (and reads the CA bundle for) a new one
        super().__init__(verify=_ssl_context(), trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=1,
            network_backend=_PinnedBackend(address, deadline),
        )


def _ssl_context() -> ssl.SSLContext:
    global _SSL
    if _SSL is None:
        _SSL = httpx.create_ssl_context(trust_env=False)
    return _SSL


def call_live(
    request: HttpRequest,
    target: Target,
    entry: Entry,
    policy: EgressPolicy,
    timeout_s: float,
    max_response_bytes: int,
) -> HttpAnswer:
    """Make the call (module docstring); every failure is an answer, never an exception."""
    started = time.monotonic()
    deadline = started + timeout_s
    method, body = request.method, request.body
    headers = [*request.headers, ("accept-encoding", "gzip, deflate")]
    try:
        for _ in range(MAX_REDIRECTS + 1):
            address = policy.address(target, entry, deadline - time.monotonic())
            status, raw_headers, data = _send(
                address, deadline, method, target, headers, body, max_response_bytes
            )
            location = raw_headers.get("location")
            if status not in _REDIRECTS or location is None:
                shown = tuple((k, v) for k, v in raw_headers.items() if k in RESPONSE_HEADERS)
                elapsed = int((time.monotonic() - started) * 1000)
                return HttpAnswer(status, shown, data, elapsed_ms=elapsed)
            next_url = str(httpx.URL(target.request_url).join(location))
            origin = (target.scheme, target.host, target.port)
            try:
                target, entry = policy.target(next_url)
            except EgressRefused as exc:
                raise EgressRefused(f"redirected to a URL outside the list: {exc}") from None
            if status == 303 or (status in (301, 302) and method == "POST"):
                method, body = "GET", b""
                headers = [(n, v) for n, v in headers if n.lower() != "content-type"]
            if (target.scheme, target.host, target.port) != origin:
                # another listed service must not receive this one's credentials: not its
                # headers, and not the body a 307 or 308 would send it again
                if body:
                    return failed("network", _cross_origin_body(status, target))
                headers = [(n, v) for n, v in headers if n.lower() in _CROSS_ORIGIN_HEADERS]
        return failed("network", f"more than {MAX_REDIRECTS} redirects")
    except EgressRefused as exc:
        return failed("forbidden", str(exc))
    except _TooLarge:
        return failed("limit", f"response larger than {max_response_bytes} bytes")
    except LookupError as exc:
        return failed("network", str(exc))
    except (httpx.TimeoutException, httpcore.TimeoutException, TimeoutError):
        return failed("timeout", f"timed out after {int(timeout_s * 1000)} ms")
    except (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError, OSError) as exc:
        return failed("network", _network_message(exc))


def _cross_origin_body(status: int, target: Target) -> str:
    return (
        f"not following the {status} redirect to {target.shown}: it would send the request body "
        "to another origin (a body may carry credentials); call that URL yourself"
    )


def _send(
    address: Address,
    deadline: float,
    method: str,
    target: Target,
    headers: list[tuple[str, str]],
    body: bytes,
    cap: int,
) -> tuple[int, dict[str, str], bytes]:
    left = max(deadline - time.monotonic(), 0.001)
    transport = _PinnedTransport(address, deadline)
    with (
        httpx.Client(
            transport=transport, trust_env=False, follow_redirects=False, timeout=left
        ) as client,
        client.stream(method, target.request_url, headers=headers, content=body) as response,
    ):
        raw = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers.raw}
        size = sum(len(k) + len(v) for k, v in response.headers.raw)
        if size > MAX_RESPONSE_HEADER_BYTES:
            raise httpx.RemoteProtocolError("response headers too large")
        data = _read_body(response, raw.get("content-encoding", "identity"), cap, deadline)
        return response.status_code, raw, data


def _read_body(response: httpx.Response, encoding: str, cap: int, deadline: float) -> bytes:
    """The decoded body, stopping as soon as it passes ``cap`` bytes (decoded)."""
    coding = encoding.strip().lower()
    if coding in ("", "identity"):
        decoder = None
    elif coding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        decoder = zlib.decompressobj()
    else:
        raise httpx.DecodingError(f"unsupported content-encoding {coding!r}")
    chunks: list[bytes] = []
    size = 0
    for raw in response.iter_raw(16_384):
        if time.monotonic() > deadline:
            raise httpcore.ReadTimeout("deadline")
        pending = raw
        while pending:
            if decoder is None:
                piece, pending = pending, b""
            else:
                try:
                    piece = decoder.decompress(pending, cap + 1 - size)
                except zlib.error as exc:
                    raise httpx.DecodingError(str(exc)) from None
                pending = decoder.unconsumed_tail
            size += len(piece)
            if size > cap:
                raise _TooLarge
            chunks.append(piece)
            if decoder is not None and not piece and pending:
                break
    return b"".join(chunks)


def _network_message(exc: BaseException) -> str:
    kind = type(exc).__name__
    if isinstance(exc, httpx.DecodingError):
        return f"cannot decode the response: {exc}"
    if isinstance(exc, (httpx.RemoteProtocolError, httpcore.RemoteProtocolError)):
        return "the server broke the HTTP protocol"
    if "CERTIFICATE_VERIFY_FAILED" in str(exc) or isinstance(exc, ssl.SSLCertVerificationError):
        return "the TLS certificate is not valid for this host"
    if isinstance(exc, (httpx.ConnectError, httpcore.ConnectError, ConnectionError)):
        return "cannot connect"
    return f"network error ({kind})"

"""``api.cache`` across the process boundary: the worker asks, the parent's cache answers.

The cache object lives in the parent (in memory, or a store shared by every service process), so
a worker forwards each cache call as a frame and waits for the answer: one round trip per call,
paid only by Actions that use the cache. The parent does not trust the request: the tenant and
the clock are its own, the Action must be one of the flow's, and the spec's limits (key and
value sizes, TTL range) are checked again; the store itself holds each tenant to its capacity,
so even a worker whose code escaped the sandbox cannot reach another tenant's entries or flood
the store.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from contextmfa.sandbox.api_checks import (
    CACHE_MAX_KEY_BYTES,
    CACHE_MAX_TTL,
    CACHE_MAX_VALUE_BYTES,
)
from contextmfa.sandbox.cache import ActionCache
from contextmfa.sandbox.process.frames import FrameReader, send_frame

CACHE_REQUEST, CACHE_REPLY = b"C", b"c"


class CacheUnavailable(Exception):
    """The parent refused or could not serve a cache call (api.py reports it to the Action)."""


class ProxyCache:
    """The worker's :class:`ActionCache`: every call is a round trip to the parent."""

    def __init__(self, sock: socket.socket, reader: FrameReader, tag: Callable[[], bytes]):
        self._sock = sock
        self._reader = reader
        self._tag = tag

    def _call(self, *request: Any) -> Any:
        tag = self._tag()
        send_frame(self._sock, CACHE_REQUEST + tag + json.dumps(request).encode("utf-8"))
        reply = self._reader.read()
        if reply[:1] != CACHE_REPLY or reply[1:5] != tag:
            raise CacheUnavailable("unexpected reply")
        answer = json.loads(reply[5:])
        if "error" in answer:
            raise CacheUnavailable(answer["error"])
        return answer["ok"]

    def get(self, tenant_id: str, action: str, key: str, now: datetime) -> str | None:
        return self._call("get", action, key)

    def set(
        self, tenant_id: str, action: str, key: str, value: str, ttl_seconds: int, now: datetime
    ) -> None:
        self._call("set", action, key, value, ttl_seconds)

    def delete(self, tenant_id: str, action: str, key: str) -> None:
        self._call("delete", action, key)


def _key(value: Any) -> str:
    if type(value) is not str or not value:
        raise ValueError("bad key")
    if len(value.encode("utf-8", "surrogatepass")) > CACHE_MAX_KEY_BYTES:
        raise ValueError("key too long")
    return value


def serve_request(
    payload: bytes, cache: ActionCache, tenant_id: str, actions: frozenset[str], now: datetime
) -> bytes:
    """The parent's answer (JSON) to one cache request from a worker."""
    try:
        request = json.loads(payload)
        if type(request) is not list or len(request) < 2 or request[1] not in actions:
            raise ValueError("bad request")
        op, action, args = request[0], request[1], request[2:]
        result = _perform(op, action, args, cache, tenant_id, now)
    except (ValueError, TypeError, RecursionError):
        return b'{"error":"refused"}'
    except Exception:
        return b'{"error":"unavailable"}'
    return json.dumps({"ok": result}).encode("utf-8")


def _perform(
    op: Any, action: str, args: list[Any], cache: ActionCache, tenant_id: str, now: datetime
) -> Any:
    if op == "get" and len(args) == 1:
        return cache.get(tenant_id, action, _key(args[0]), now)
    if op == "delete" and len(args) == 1:
        cache.delete(tenant_id, action, _key(args[0]))
        return None
    if op == "set" and len(args) == 3:
        key, value, ttl = _key(args[0]), args[1], args[2]
        if type(value) is not str or len(value.encode("utf-8", "surrogatepass")) > (
            CACHE_MAX_VALUE_BYTES
        ):
            raise ValueError("bad value")
        if type(ttl) is not int or not 1 <= ttl <= CACHE_MAX_TTL:
            raise ValueError("bad ttl")
        cache.set(tenant_id, action, key, value, ttl, now)
        return None
    raise ValueError("bad operation")

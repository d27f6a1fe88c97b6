"""The Redis connection and key naming shared by the Redis ports."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from contextmfa.errors import ConfigError
from contextmfa.store.errors import StoreUnavailable

__all__ = ["call", "connect", "tenant_key"]

T = TypeVar("T")


def connect(url: str) -> redis.Redis:
    """A client for ``redis://`` / ``rediss://`` / ``unix://``; nothing is sent until first use."""
    try:
        return redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5
        )
    except ValueError:
        raise ConfigError("the Redis URL is not valid (use redis://host:port/db)") from None


def tenant_key(tenant_id: str, *parts: str) -> str:
    """``cmfa:{tenant}:part:part`` with every component percent-encoded (no ':' or braces)."""
    return ":".join(
        ["cmfa", "{" + quote(tenant_id, safe="") + "}"] + [quote(p, safe="") for p in parts]
    )


def call(operation: Callable[[], T]) -> T:
    """Run a Redis operation; an unreachable or timed-out Redis becomes StoreUnavailable."""
    try:
        return operation()
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise StoreUnavailable("the Redis store is unreachable") from exc

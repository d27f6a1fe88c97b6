"""The Actions' ``api.cache`` in Redis: per (tenant, Action), a hash of values and a sorted set of
expiry times (the login's clock, POSIX seconds), kept in step by Lua scripts.

Expiry follows ``now`` as passed in, like the other backends, so a replay sees the same expiries;
the Redis keys also get a real TTL as long as the longest entry, so abandoned spaces vanish.
"""

from __future__ import annotations

from datetime import datetime

import redis

from contextmfa.store.clock import posix
from contextmfa.store.redis.client import call, tenant_key

__all__ = ["RedisActionCache"]

_GET = """
local expires = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not expires then return false end
if tonumber(expires) <= tonumber(ARGV[2]) then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return false
end
return redis.call('HGET', KEYS[1], ARGV[1])
"""

_SET = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local ttl = tonumber(ARGV[4])
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
return 1
"""

_COUNT = """
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, field in ipairs(gone) do redis.call('HDEL', KEYS[1], field) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[2])
"""

_DELETE = """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


class RedisActionCache:
    def __init__(self, client: redis.Redis) -> None:
        self._get = client.register_script(_GET)
        self._set = client.register_script(_SET)
        self._count = client.register_script(_COUNT)
        self._delete = client.register_script(_DELETE)

    @staticmethod
    def _keys(tenant_id: str, action: str) -> list[str]:
        return [
            tenant_key(tenant_id, "cache", action, "v"),
            tenant_key(tenant_id, "cache", action, "x"),
        ]

    def get(self, tenant_id: str, action: str, key: str, now: datetime) -> str | None:
        keys = self._keys(tenant_id, action)
        value = call(lambda: self._get(keys=keys, args=[key, repr(posix(now))]))
        return None if value is None else str(value)

    def set(
        self, tenant_id: str, action: str, key: str, value: str, ttl_seconds: int, now: datetime
    ) -> None:
        keys = self._keys(tenant_id, action)
        expires = posix(now) + ttl_seconds
        args = [key, value, repr(expires), ttl_seconds * 1000 + 1000]
        call(lambda: self._set(keys=keys, args=args))

    def delete(self, tenant_id: str, action: str, key: str) -> None:
        keys = self._keys(tenant_id, action)
        call(lambda: self._delete(keys=keys, args=[key]))

    def entry_count(self, tenant_id: str, action: str, now: datetime) -> int:
        keys = self._keys(tenant_id, action)
        return int(call(lambda: self._count(keys=keys, args=[repr(posix(now))])))

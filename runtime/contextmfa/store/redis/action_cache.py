"""The Actions' ``api.cache`` in Redis: per tenant, a hash of values and a sorted set of expiry
times (the login's clock, POSIX seconds), kept in step by Lua scripts.

Both are keyed by ``action NUL key`` (an Action's name, a file name, holds no NUL), so entries
stay per Action while the tenant's capacity covers them all: a ``set`` that goes past it drops
the members with the lowest expiry, expired ones first, ties in byte order (by Action, then key,
as the other backends), never the member just written. Expiry follows ``now`` as passed in, like
the other backends, so a replay sees the same expiries; the Redis keys also get a real TTL as
long as the longest entry, so abandoned tenants vanish.
"""

from __future__ import annotations

from datetime import datetime

import redis

from contextmfa.sandbox.cache import TENANT_CAPACITY
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
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if excess > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess)) do
    if excess > 0 and member ~= ARGV[1] then
      redis.call('HDEL', KEYS[1], member)
      redis.call('ZREM', KEYS[2], member)
      excess = excess - 1
    end
  end
end
local ttl = tonumber(ARGV[4])
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
return 1
"""

_COUNT = """
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, member in ipairs(gone) do redis.call('HDEL', KEYS[1], member) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local count = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if string.sub(member, 1, #ARGV[2]) == ARGV[2] then count = count + 1 end
end
return count
"""

_DELETE = """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


def _member(action: str, key: str) -> str:
    return action + "\0" + key


class RedisActionCache:
    def __init__(self, client: redis.Redis, capacity: int = TENANT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._get = client.register_script(_GET)
        self._set = client.register_script(_SET)
        self._count = client.register_script(_COUNT)
        self._delete = client.register_script(_DELETE)

    @staticmethod
    def _keys(tenant_id: str) -> list[str]:
        return [tenant_key(tenant_id, "cache", "v"), tenant_key(tenant_id, "cache", "x")]

    def get(self, tenant_id: str, action: str, key: str, now: datetime) -> str | None:
        keys = self._keys(tenant_id)
        args = [_member(action, key), repr(posix(now))]
        value = call(lambda: self._get(keys=keys, args=args))
        return None if value is None else str(value)

    def set(
        self, tenant_id: str, action: str, key: str, value: str, ttl_seconds: int, now: datetime
    ) -> None:
        keys = self._keys(tenant_id)
        expires = posix(now) + ttl_seconds
        member = _member(action, key)
        args = [member, value, repr(expires), ttl_seconds * 1000 + 1000, self.capacity]
        call(lambda: self._set(keys=keys, args=args))

    def delete(self, tenant_id: str, action: str, key: str) -> None:
        keys = self._keys(tenant_id)
        call(lambda: self._delete(keys=keys, args=[_member(action, key)]))

    def entry_count(self, tenant_id: str, action: str, now: datetime) -> int:
        """Live entries of one Action (for tests and operators; ``api.cache`` does not count)."""
        keys = self._keys(tenant_id)
        args = [repr(posix(now)), _member(action, "")]
        return int(call(lambda: self._count(keys=keys, args=args)))

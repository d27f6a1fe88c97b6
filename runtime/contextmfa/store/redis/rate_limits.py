"""Token buckets in Redis: the TAT of ``limits.py`` under one key, updated by a Lua script.

An idle bucket's key expires when the bucket would be full again (a missing key is a full
bucket), so Redis holds only the buckets that are actually draining.
"""

from __future__ import annotations

from datetime import datetime

import redis

from contextmfa.store.clock import posix
from contextmfa.store.limits import (
    EPSILON,
    BucketLimit,
    RateVerdict,
    evaluate_take,
    verdict_after_take,
)
from contextmfa.store.redis.client import call, tenant_key

__all__ = ["RedisRateLimiter"]

_TAKE = """
local now = tonumber(ARGV[1])
local step = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]))
local base = now
if tat and tat > now then base = tat end
local new_tat = base + step
if new_tat - now > horizon + tonumber(ARGV[4]) then
  return {0, string.format('%.6f', base)}
end
redis.call('SET', KEYS[1], string.format('%.6f', new_tat), 'PX',
           math.ceil((new_tat - now) * 1000) + 1000)
return {1, string.format('%.6f', new_tat)}
"""

_GIVE_BACK = """
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
local now = tonumber(ARGV[1])
local new_tat = tat - tonumber(ARGV[2])
if new_tat <= now then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('SET', KEYS[1], string.format('%.6f', new_tat), 'PX',
           math.ceil((new_tat - now) * 1000) + 1000)
return 1
"""


class RedisRateLimiter:
    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._take = client.register_script(_TAKE)
        self._give_back = client.register_script(_GIVE_BACK)

    def take(
        self,
        tenant_id: str,
        bucket_key: str,
        limit: BucketLimit,
        *,
        now: datetime,
        cost: int = 1,
    ) -> RateVerdict:
        if cost < 1:
            raise ValueError("cost must be at least 1")
        seconds = posix(now)
        step = cost * limit.refill_seconds
        key = tenant_key(tenant_id, "rate", bucket_key)
        allowed, tat_text = call(
            lambda: self._take(
                keys=[key], args=[repr(seconds), repr(step), repr(limit.horizon), repr(EPSILON)]
            )
        )
        return verdict_after_take(float(tat_text), bool(int(allowed)), seconds, limit, step)

    def peek(
        self, tenant_id: str, bucket_key: str, limit: BucketLimit, *, now: datetime
    ) -> RateVerdict:
        key = tenant_key(tenant_id, "rate", bucket_key)
        text = call(lambda: self._client.get(key))
        return evaluate_take(None if text is None else float(text), posix(now), limit, 0)[0]

    def give_back(
        self, tenant_id: str, bucket_key: str, limit: BucketLimit, *, now: datetime, cost: int = 1
    ) -> None:
        key = tenant_key(tenant_id, "rate", bucket_key)
        step = max(cost, 1) * limit.refill_seconds
        call(lambda: self._give_back(keys=[key], args=[repr(posix(now)), repr(step)]))

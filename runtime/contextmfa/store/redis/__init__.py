"""Redis implementations of the ports that change on every login: rate buckets, the Actions
cache and challenge state. Every worker on every host that points at the same Redis shares them.

Each multi-step operation is one Lua script, which Redis runs without interleaving anything else,
so the once-only guarantees hold as in SQL. Keys are ``cmfa:{<tenant>}:...`` with the tenant
percent-encoded; the braces make a Redis Cluster keep one tenant's keys in one slot.
"""

from contextmfa.store.redis.action_cache import RedisActionCache
from contextmfa.store.redis.challenges import RedisChallenges
from contextmfa.store.redis.client import connect
from contextmfa.store.redis.rate_limits import RedisRateLimiter

__all__ = ["RedisActionCache", "RedisChallenges", "RedisRateLimiter", "connect"]

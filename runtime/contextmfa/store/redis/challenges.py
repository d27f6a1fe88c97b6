"""Challenge state in Redis: one hash per challenge, each once-only transition a Lua script.

The hash expires (real time) an hour after the challenge does: long enough for a late poll to be
told ``expired_token`` rather than "unknown", short enough that Redis does not fill up. Expiry
decisions themselves use ``now`` as passed in, like the SQL store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import redis

from contextmfa.store.clock import from_posix, posix
from contextmfa.store.ports import Challenge
from contextmfa.store.redis.client import call, tenant_key
from contextmfa.store.tokens import new_id

__all__ = ["RedisChallenges"]

GRACE_SECONDS = 3600

# ARGV[1] = now (POSIX seconds). Returns 1 if an attempt was taken.
_TAKE_ATTEMPT = """
local f = redis.call('HMGET', KEYS[1], 'finished', 'expires_at', 'attempts', 'max_attempts')
if not f[1] or f[1] == '1' then return 0 end
if tonumber(f[2]) <= tonumber(ARGV[1]) then return 0 end
if tonumber(f[3]) >= tonumber(f[4]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return 1
"""

# ARGV[1] = now. Returns 1 for the one caller that finished it.
_FINISH = """
local f = redis.call('HMGET', KEYS[1], 'finished', 'expires_at')
if not f[1] or f[1] == '1' then return 0 end
if tonumber(f[2]) <= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'finished', '1')
return 1
"""

# ARGV = state, expected ('' = any), has_data ('1'/'0'), data JSON.
_SET_STATE = """
local f = redis.call('HMGET', KEYS[1], 'finished', 'state')
if not f[1] or f[1] == '1' then return 0 end
if ARGV[2] ~= '' and f[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'data', ARGV[4]) end
return 1
"""


class RedisChallenges:
    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._take_attempt = client.register_script(_TAKE_ATTEMPT)
        self._finish = client.register_script(_FINISH)
        self._set_state = client.register_script(_SET_STATE)

    def create(
        self,
        tenant_id: str,
        user_id: str,
        factor: str,
        *,
        authenticator_id: str | None,
        data: Mapping[str, Any],
        code_hash: str | None,
        now: datetime,
        expires_at: datetime,
        max_attempts: int,
    ) -> Challenge:
        challenge_id = new_id()
        created, expires = posix(now), posix(expires_at)
        meta = {"user_id": user_id, "factor": factor, "authenticator_id": authenticator_id}
        fields = {
            "meta": json.dumps(meta),
            "created_at": repr(created),
            "expires_at": repr(expires),
            "max_attempts": str(max_attempts),
            "attempts": "0",
            "state": "pending",
            "finished": "0",
            "data": json.dumps(dict(data)),
            "code_hash": code_hash or "",
        }
        key = tenant_key(tenant_id, "challenge", challenge_id)
        lifetime = max(1, int(expires - created) + GRACE_SECONDS)
        pipe = self._client.pipeline(transaction=True)
        pipe.hset(key, mapping=fields)
        pipe.expire(key, lifetime)
        call(pipe.execute)
        record = self.get(tenant_id, challenge_id)
        assert record is not None
        return record

    def get(self, tenant_id: str, challenge_id: str) -> Challenge | None:
        key = tenant_key(tenant_id, "challenge", challenge_id)
        fields: dict[str, str] = call(lambda: self._client.hgetall(key))  # type: ignore[arg-type,return-value]
        if not fields:
            return None
        meta = json.loads(fields["meta"])
        return Challenge(
            id=challenge_id,
            tenant_id=tenant_id,
            user_id=meta["user_id"],
            factor=meta["factor"],
            authenticator_id=meta["authenticator_id"],
            created_at=from_posix(float(fields["created_at"])),
            expires_at=from_posix(float(fields["expires_at"])),
            max_attempts=int(fields["max_attempts"]),
            attempts=int(fields["attempts"]),
            state=fields["state"],
            finished=fields["finished"] == "1",
            data=json.loads(fields["data"]),
            code_hash=fields["code_hash"] or None,
        )

    def take_attempt(self, tenant_id: str, challenge_id: str, *, now: datetime) -> bool:
        key = tenant_key(tenant_id, "challenge", challenge_id)
        return bool(int(call(lambda: self._take_attempt(keys=[key], args=[repr(posix(now))]))))

    def set_state(
        self,
        tenant_id: str,
        challenge_id: str,
        state: str,
        *,
        data: Mapping[str, Any] | None = None,
        expected: str | None = None,
    ) -> bool:
        key = tenant_key(tenant_id, "challenge", challenge_id)
        args = [
            state,
            expected or "",
            "0" if data is None else "1",
            "" if data is None else json.dumps(dict(data)),
        ]
        return bool(int(call(lambda: self._set_state(keys=[key], args=args))))

    def finish(self, tenant_id: str, challenge_id: str, *, now: datetime) -> bool:
        key = tenant_key(tenant_id, "challenge", challenge_id)
        return bool(int(call(lambda: self._finish(keys=[key], args=[repr(posix(now))]))))

"""In-memory implementations of every store port: thread-safe, process-local, for tests and replay.

Each class guards its dict with one lock, so the atomic operations of the ports (claim, finish,
take_attempt, compare-and-set, take) are atomic across threads here too. Records are frozen and
hold copies of the dicts passed in, so a caller mutating its own dict changes nothing stored.
Nothing is persisted and nothing is shared between processes: a multi-worker deployment uses the
SQL store (and optionally Redis).
"""

from __future__ import annotations

import copy
import dataclasses
import hmac
import threading
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from contextmfa.enrich.history import InMemoryHistory
from contextmfa.sandbox.cache import InMemoryActionCache
from contextmfa.store.clock import posix, utc
from contextmfa.store.codes import CodeHasher
from contextmfa.store.keys import DEVELOPMENT_KEY, MasterKey
from contextmfa.store.limits import BucketLimit, RateVerdict, evaluate_take, returned_tat
from contextmfa.store.ports import (
    AuditEntry,
    Authenticator,
    Challenge,
    OutboxMessage,
    RecordedLogin,
)
from contextmfa.store.tokens import new_id, new_token, token_hash

__all__ = [
    "InMemoryAuditLog",
    "InMemoryAuthenticators",
    "InMemoryChallenges",
    "InMemoryLoginRecords",
    "InMemoryOutbox",
    "InMemoryRateLimiter",
    "InMemoryRememberTokens",
    "InMemorySingleUse",
    "InMemoryStore",
]


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(data))


class InMemoryAuthenticators:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], Authenticator] = {}

    def add(
        self,
        tenant_id: str,
        user_id: str,
        type: str,
        *,
        name: str,
        public: Mapping[str, Any],
        secret: bytes | None,
        confirmed: bool,
        now: datetime,
    ) -> Authenticator:
        record = Authenticator(
            id=new_id(),
            tenant_id=tenant_id,
            user_id=user_id,
            type=type,
            name=name,
            confirmed=confirmed,
            created_at=utc(now),
            public=_copy(public),
            secret=secret,
        )
        with self._lock:
            self._rows[(tenant_id, record.id)] = record
        return record

    def get(self, tenant_id: str, authenticator_id: str) -> Authenticator | None:
        with self._lock:
            return self._rows.get((tenant_id, authenticator_id))

    def for_user(
        self, tenant_id: str, user_id: str, *, confirmed_only: bool = True
    ) -> list[Authenticator]:
        with self._lock:
            rows = [
                r
                for (tenant, _), r in self._rows.items()
                if tenant == tenant_id
                and r.user_id == user_id
                and (r.confirmed or not confirmed_only)
            ]
        return sorted(rows, key=lambda r: r.created_at)

    def _change(self, tenant_id: str, authenticator_id: str, **changes: Any) -> bool:
        with self._lock:
            record = self._rows.get((tenant_id, authenticator_id))
            if record is None:
                return False
            self._rows[(tenant_id, authenticator_id)] = dataclasses.replace(record, **changes)
            return True

    def confirm(self, tenant_id: str, authenticator_id: str, *, now: datetime) -> bool:
        return self._change(tenant_id, authenticator_id, confirmed=True)

    def update_public(
        self, tenant_id: str, authenticator_id: str, public: Mapping[str, Any]
    ) -> bool:
        return self._change(tenant_id, authenticator_id, public=_copy(public))

    def touch(self, tenant_id: str, authenticator_id: str, *, now: datetime) -> bool:
        return self._change(tenant_id, authenticator_id, last_used_at=utc(now))

    def remove(self, tenant_id: str, authenticator_id: str) -> bool:
        with self._lock:
            return self._rows.pop((tenant_id, authenticator_id), None) is not None

    def remove_for_user(self, tenant_id: str, user_id: str) -> int:
        with self._lock:
            keys = [k for k, r in self._rows.items() if k[0] == tenant_id and r.user_id == user_id]
            for key in keys:
                del self._rows[key]
            return len(keys)

    def compare_and_set_sign_count(
        self, tenant_id: str, authenticator_id: str, old: int, new: int
    ) -> bool:
        with self._lock:
            record = self._rows.get((tenant_id, authenticator_id))
            if record is None or record.sign_count != old:
                return False
            self._rows[(tenant_id, authenticator_id)] = dataclasses.replace(record, sign_count=new)
            return True


class InMemoryChallenges:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], Challenge] = {}

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
        record = Challenge(
            id=new_id(),
            tenant_id=tenant_id,
            user_id=user_id,
            factor=factor,
            authenticator_id=authenticator_id,
            created_at=utc(now),
            expires_at=utc(expires_at),
            max_attempts=max_attempts,
            data=_copy(data),
            code_hash=code_hash,
        )
        with self._lock:
            self._rows[(tenant_id, record.id)] = record
        return record

    def get(self, tenant_id: str, challenge_id: str) -> Challenge | None:
        with self._lock:
            return self._rows.get((tenant_id, challenge_id))

    def take_attempt(self, tenant_id: str, challenge_id: str, *, now: datetime) -> bool:
        with self._lock:
            record = self._rows.get((tenant_id, challenge_id))
            if (
                record is None
                or record.finished
                or record.expired(utc(now))
                or record.attempts >= record.max_attempts
            ):
                return False
            self._rows[(tenant_id, challenge_id)] = dataclasses.replace(
                record, attempts=record.attempts + 1
            )
            return True

    def set_state(
        self,
        tenant_id: str,
        challenge_id: str,
        state: str,
        *,
        data: Mapping[str, Any] | None = None,
        expected: str | None = None,
    ) -> bool:
        with self._lock:
            record = self._rows.get((tenant_id, challenge_id))
            if record is None or record.finished:
                return False
            if expected is not None and record.state != expected:
                return False
            new_data = record.data if data is None else _copy(data)
            self._rows[(tenant_id, challenge_id)] = dataclasses.replace(
                record, state=state, data=new_data
            )
            return True

    def finish(self, tenant_id: str, challenge_id: str, *, now: datetime) -> bool:
        with self._lock:
            record = self._rows.get((tenant_id, challenge_id))
            if record is None or record.finished or record.expired(utc(now)):
                return False
            self._rows[(tenant_id, challenge_id)] = dataclasses.replace(record, finished=True)
            return True


class InMemorySingleUse:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[tuple[str, str, str], datetime | None] = {}

    def claim(
        self,
        tenant_id: str,
        scope: str,
        key: str,
        *,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> bool:
        moment = utc(now)
        with self._lock:
            slot = (tenant_id, scope, key)
            if slot in self._claims:
                previous = self._claims[slot]
                if previous is None or moment < previous:
                    return False
            self._claims[slot] = None if expires_at is None else utc(expires_at)
            return True

    def is_claimed(self, tenant_id: str, scope: str, key: str, *, now: datetime) -> bool:
        with self._lock:
            slot = (tenant_id, scope, key)
            if slot not in self._claims:
                return False
            until = self._claims[slot]
            return until is None or utc(now) < until

    def release(
        self, tenant_id: str, scope: str, key: str, *, held_until: datetime | None = None
    ) -> bool:
        with self._lock:
            slot = (tenant_id, scope, key)
            if not self._holds(slot, held_until):
                return False
            del self._claims[slot]
            return True

    def extend(
        self,
        tenant_id: str,
        scope: str,
        key: str,
        *,
        expires_at: datetime | None,
        held_until: datetime | None = None,
    ) -> bool:
        with self._lock:
            slot = (tenant_id, scope, key)
            if not self._holds(slot, held_until):
                return False
            self._claims[slot] = None if expires_at is None else utc(expires_at)
            return True

    def _holds(self, slot: tuple[str, str, str], held_until: datetime | None) -> bool:
        if slot not in self._claims:
            return False
        return held_until is None or self._claims[slot] == utc(held_until)


class InMemoryRateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tats: dict[tuple[str, str], float] = {}

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
        with self._lock:
            verdict, tat = evaluate_take(
                self._tats.get((tenant_id, bucket_key)), posix(now), limit, cost
            )
            if tat is not None:
                self._tats[(tenant_id, bucket_key)] = tat
            return verdict

    def peek(
        self, tenant_id: str, bucket_key: str, limit: BucketLimit, *, now: datetime
    ) -> RateVerdict:
        with self._lock:
            tat = self._tats.get((tenant_id, bucket_key))
        return evaluate_take(tat, posix(now), limit, 0)[0]

    def give_back(
        self, tenant_id: str, bucket_key: str, limit: BucketLimit, *, now: datetime, cost: int = 1
    ) -> None:
        with self._lock:
            tat = self._tats.get((tenant_id, bucket_key))
            if tat is not None:
                self._tats[(tenant_id, bucket_key)] = returned_tat(tat, posix(now), limit, cost)


class InMemoryRememberTokens:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str], dict[str, datetime]] = {}

    def issue(self, tenant_id: str, user_id: str, *, now: datetime, days: int) -> str:
        token = new_token()
        expires = utc(now) + timedelta(days=days)
        with self._lock:
            self._tokens.setdefault((tenant_id, user_id), {})[token_hash(token)] = expires
        return token

    def check(self, tenant_id: str, user_id: str, token: str, *, now: datetime) -> bool:
        candidate = token_hash(token)
        moment = utc(now)
        with self._lock:
            stored = dict(self._tokens.get((tenant_id, user_id), {}))
        found = False
        for digest, expires in stored.items():
            if hmac.compare_digest(digest, candidate) and moment < expires:
                found = True
        return found

    def invalidate_user(self, tenant_id: str, user_id: str) -> int:
        with self._lock:
            return len(self._tokens.pop((tenant_id, user_id), {}))


class InMemoryOutbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[OutboxMessage] = []

    def put(self, tenant_id: str, channel: str, to: str, body: str, *, now: datetime) -> str:
        message = OutboxMessage(new_id(), tenant_id, channel, to, utc(now), body)
        with self._lock:
            self._messages.append(message)
        return message.id

    def list(
        self, tenant_id: str, *, channel: str | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        with self._lock:
            found = [
                m
                for m in reversed(self._messages)
                if m.tenant_id == tenant_id and (channel is None or m.channel == channel)
            ]
        return found[:limit]


class InMemoryAuditLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[AuditEntry] = []

    def record(
        self,
        tenant_id: str,
        kind: str,
        *,
        user_id: str | None,
        detail: Mapping[str, Any],
        now: datetime,
    ) -> None:
        entry = AuditEntry(new_id(), tenant_id, kind, user_id, utc(now), _copy(detail))
        with self._lock:
            self._entries.append(entry)

    def list(
        self, tenant_id: str, *, user_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        with self._lock:
            found = [
                e
                for e in reversed(self._entries)
                if e.tenant_id == tenant_id and (user_id is None or e.user_id == user_id)
            ]
        return found[:limit]

    def purge(self, tenant_id: str, *, before: datetime) -> int:
        moment = utc(before)
        with self._lock:
            kept = [e for e in self._entries if e.tenant_id != tenant_id or e.created_at >= moment]
            removed = len(self._entries) - len(kept)
            self._entries = kept
        return removed


class InMemoryLoginRecords:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logins: list[RecordedLogin] = []

    def record(self, login: RecordedLogin) -> None:
        copied = dataclasses.replace(
            login, event=_copy(login.event), decision=_copy(login.decision)
        )
        with self._lock:
            self._logins.append(copied)

    def export(
        self,
        tenant_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        user_id: str | None = None,
    ) -> Iterator[RecordedLogin]:
        with self._lock:
            logins = list(self._logins)
        for login in logins:
            if login.tenant_id != tenant_id or (user_id is not None and login.user_id != user_id):
                continue
            if since is not None and login.occurred_at < utc(since):
                continue
            if until is not None and login.occurred_at >= utc(until):
                continue
            yield login

    def purge(self, tenant_id: str, *, before: datetime) -> int:
        moment = utc(before)
        with self._lock:
            kept = [x for x in self._logins if x.tenant_id != tenant_id or x.recorded_at >= moment]
            removed = len(self._logins) - len(kept)
            self._logins = kept
        return removed


class InMemoryStore:
    """Every port in memory, shaped like :class:`contextmfa.store.Store` (for tests).

    Codes are hashed with the fixed development key unless ``master`` is given. ``history`` is
    the engine's :class:`InMemoryHistory` (not thread-safe: one per test or replay worker).
    """

    def __init__(self, master: MasterKey | None = None) -> None:
        self.codes = CodeHasher(master or MasterKey(DEVELOPMENT_KEY, development=True))
        self.authenticators = InMemoryAuthenticators()
        self.challenges = InMemoryChallenges()
        self.single_use = InMemorySingleUse()
        self.rate_limits = InMemoryRateLimiter()
        self.attempt_limits = self.rate_limits
        self.remember = InMemoryRememberTokens()
        self.outbox = InMemoryOutbox()
        self.audit = InMemoryAuditLog()
        self.logins = InMemoryLoginRecords()
        self.history = InMemoryHistory()
        self.action_cache = InMemoryActionCache()

    def close(self) -> None:
        """Nothing to release; here so tests can treat both stores alike."""

"""A login as the parent sends it to a worker: only the parts of the event the worker lacks.

Consecutive logins of a flow share much of their event (the tenant, the client, the
connection; the whole event when a login is retried), and a worker is one process serving one
flow's logins in order. So the parent keeps, per worker, the ``marshal`` bytes of each
top-level part it last sent (:class:`RequestWriter`), and the worker keeps the value it decoded
from them (:class:`RequestReader`): a part whose bytes did not change is neither encoded again
into the frame nor decoded again in the worker. Bytes, not ``==``, decide: ``1``, ``1.0`` and
``True`` are equal but must reach the Action as they are, and equal bytes decode to equal values
of the same types.

The worker trusts the parent (the reverse direction never uses ``marshal`` or ``pickle``). What
a worker keeps is only what the next login's event holds as well, never a part of an earlier
login that this one lacks; it is read-only to Actions (event_view.py), and a replaced worker
starts with nothing, as does the parent's record of it. An event that ``marshal`` cannot carry
(the engine's never is) goes whole as ``pickle``, and both sides forget what they kept.
"""

from __future__ import annotations

import marshal
import pickle
from datetime import datetime
from typing import Any

PARTS, WHOLE = b"M", b"P"


class RequestWriter:
    """The parent's side, one per worker: what that worker was last sent."""

    __slots__ = ("_keys", "_now", "_now_text", "_sent")

    def __init__(self) -> None:
        self._sent: dict[str, bytes] = {}
        self._keys: tuple[str, ...] = ()
        self._now: datetime | None = None
        self._now_text = ""

    def encode(self, event: dict[str, Any], now: datetime, tenant_id: str, steps: int) -> bytes:
        """The request payload; what it leaves out, the worker already holds."""
        sent = self._sent
        changed: dict[str, bytes] = {}
        try:
            for key, value in event.items():
                data = marshal.dumps(value)
                if sent.get(key) != data:
                    changed[key] = data
        except ValueError:  # not plain data: everything goes, by pickle, and is forgotten
            self.forget()
            return WHOLE + pickle.dumps((event, now, tenant_id, steps), protocol=5)
        sent.update(changed)
        keys: tuple[str, ...] | None = tuple(event)
        if keys != self._keys:
            for gone in sent.keys() - keys:
                del sent[gone]
            self._keys = keys
        else:
            keys = None  # the worker's last event has these keys, in this order
        if now is not self._now:  # datetimes are immutable: the same object, the same text
            self._now, self._now_text = now, now.isoformat()
        return PARTS + marshal.dumps((keys, changed, self._now_text, tenant_id, steps))

    def forget(self) -> None:
        self._sent.clear()
        self._keys = ()
        self._now = None


class RequestReader:
    """The worker's side: the event parts and the instant of the last request."""

    __slots__ = ("_now", "_now_text", "_parts")

    def __init__(self) -> None:
        self._parts: dict[str, Any] = {}
        self._now_text = ""
        self._now = datetime.min

    def decode(self, payload: bytes) -> tuple[dict[str, Any], datetime, str, int]:
        if payload[:1] != PARTS:
            self._parts = {}
            return pickle.loads(payload[1:])  # type: ignore[no-any-return]
        keys, changed, now_text, tenant_id, steps = marshal.loads(payload[1:])
        parts = self._parts
        event = {
            key: marshal.loads(changed[key]) if key in changed else parts[key]
            for key in (parts if keys is None else keys)
        }
        self._parts = event  # a new dict: the last login's event is never written to
        if now_text != self._now_text:
            self._now, self._now_text = datetime.fromisoformat(now_text), now_text
        return event, self._now, tenant_id, steps

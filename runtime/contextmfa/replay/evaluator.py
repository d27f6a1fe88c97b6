"""Turn recorded logins into rows: the per-login work a replay does, in-process or in a worker.

An ``Evaluator`` owns one engine and its history, and in a diff a second engine (the candidate
config) with a history of its own: a login the candidate denies never enters the candidate's
history, exactly as it would not have in production under that config.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from contextmfa.config import load_config
from contextmfa.decision import Decision
from contextmfa.engine import Engine
from contextmfa.enrich.history import InMemoryHistory
from contextmfa.errors import InputError
from contextmfa.events import EventRecord, parse_event_json
from contextmfa.frozen import fill, slot_fillers
from contextmfa.replay.action_errors import action_errors_of
from contextmfa.replay.diff import responsible
from contextmfa.replay.order import OrderCheck
from contextmfa.replay.rows import Facts, Row, RowOptions, Verdict
from contextmfa.replay.run import evaluate_record, history_for
from contextmfa.sandbox.http_exchange import record_key

__all__ = ["Evaluator"]

DETAIL_KEYS = ("risk", "trace", "logs", "errors")
_ROW_FILLERS = slot_fillers(
    Row,
    "line login_id user_id error current candidate checked mismatches decision_json facts "
    "responsible timed_out detail errors candidate_errors out_of_order repeated new_calls",
)
"""A row per login: made by filling its slots (contextmfa/frozen.py), not through eighteen
keyword arguments and the frozen ``__init__``."""


class Evaluator:
    """Records in, rows out; not thread-safe (a worker process owns one)."""

    def __init__(
        self, engine: Engine, options: RowOptions, candidate: Engine | None = None
    ) -> None:
        self.engine, self.candidate, self.options = engine, candidate, options
        self.history = _history()
        self.candidate_history = _history()
        self.order = OrderCheck()
        self._changed_policy = None
        if candidate is not None and candidate.policy != engine.policy:
            self._changed_policy = f"policy:{candidate.policy.mfa}"

    @classmethod
    def open(cls, config: Path, candidate: Path | None, options: RowOptions) -> Evaluator:
        """Compile the config (and the candidate) from their files: a worker's start."""
        mode: Any = options.http_mode
        engine = Engine(load_config(config), http_mode=mode)
        try:
            other = (
                Engine(load_config(candidate), http_mode=mode) if candidate is not None else None
            )
        except BaseException:
            engine.close()
            raise
        return cls(engine, options, other)

    def close(self) -> None:
        self.engine.close()
        if self.candidate is not None:
            self.candidate.close()

    def evaluate_line(self, number: int, raw: bytes) -> Row:
        """One raw JSON Lines record, validated here (the parent only split the file)."""
        where = f"{self.options.source}:{number}"
        try:
            event = parse_event_json(raw.strip(), where=where)
        except InputError as exc:
            return Row(number, error=str(exc))
        return self.evaluate(EventRecord(line=number, event=event))

    def evaluate(self, record: EventRecord) -> Row:
        item = evaluate_record(self.engine, record, self.history, source=self.options.source)
        event = item.event
        login_id = event.id if event is not None else None
        user_id = event.user.user_id if event is not None else None
        if item.decision is None or event is None:
            return Row(record.line, login_id, user_id, error=str(item.error))
        out_of_order, repeated = self.order.see(event.user.user_id, event.id, event.now.timestamp())
        decision = item.decision
        current = Verdict.of(decision)
        other: Decision | None = None
        verdict: Verdict | None = None
        if self.candidate is not None:
            try:
                other = self.candidate.evaluate(event, history_for(event, self.candidate_history))
            except InputError as exc:
                message = f"{self.options.source}:{record.line}: error: candidate config: {exc}"
                return Row(record.line, login_id, user_id, error=message)
            verdict = Verdict.of(other)
        changed = verdict is not None and verdict != current
        blame = (
            responsible(current, verdict, changed_policy=self._changed_policy)
            if changed and verdict is not None
            else None
        )
        errors = action_errors_of(decision.errors)
        other_errors = action_errors_of(other.errors) if other is not None else ()
        detail = None
        if self.options.details and (item.mismatches or changed or errors or other_errors):
            detail = _detail(record.line, user_id, decision, current, other, verdict, blame)
            if item.mismatches:
                detail["mismatches"] = [str(m) for m in item.mismatches]
        new_calls = new_http_calls(decision, other) if other is not None else ()
        if detail is not None and new_calls:
            detail["new_http_calls"] = list(new_calls)
        values = (
            record.line,
            login_id,
            user_id,
            None,  # error
            current,
            verdict,
            item.checked,
            item.mismatches,
            self._decision_json(decision),
            Facts.of(decision, str(event.ip)) if self.options.facts else None,
            blame,
            _timed_out(decision) or (other is not None and _timed_out(other)),
            detail,
            errors,
            other_errors,
            out_of_order,
            repeated,
            new_calls,
        )
        return fill(Row, _ROW_FILLERS, values)

    def _decision_json(self, decision: Decision) -> str | None:
        if not self.options.decision_json:
            return None
        return (decision if self.options.record_http else decision.without_http()).to_json()


def new_http_calls(current: Decision, candidate: Decision) -> tuple[str, ...]:
    """The candidate's calls (method, URL, body hash) that the current decision did not make,
    as ``METHOD url`` in call order; each current call matches one candidate call."""
    made = Counter(record_key(record) for record in current.http)
    found = []
    for record in candidate.http:
        key = record_key(record)
        if made[key] > 0:
            made[key] -= 1
        else:
            found.append(f"{record.get('method')} {record.get('url')}")
    return tuple(found)


def _timed_out(decision: Decision) -> bool:
    return any(error.get("kind") == "timeout" for error in decision.errors)


def _history() -> InMemoryHistory:
    """Risk reads a user's last login and when a device or browser was last seen, never the
    list of logins, so a replay keeps one record a user: memory grows with users, not logins."""
    return InMemoryHistory(keep_logins=1)


def _side(decision: Decision, verdict: Verdict) -> dict[str, Any]:
    full = decision.to_dict()
    return verdict.to_dict() | {key: full[key] for key in DETAIL_KEYS}


def _detail(
    line: int,
    user_id: str | None,
    decision: Decision,
    current: Verdict,
    other: Decision | None,
    verdict: Verdict | None,
    blame: str | None,
) -> dict[str, Any]:
    """A login someone will read: its verdicts with their traces, JSON-ready."""
    detail: dict[str, Any] = {"line": line, "login_id": decision.login_id, "user_id": user_id}
    geo = decision.geoip or {}
    detail["location"] = {k: geo.get(k) for k in ("country_code", "city_name")}
    if other is not None and verdict is not None:
        detail["transition"] = f"{current.outcome} -> {verdict.outcome}"
        detail["changed"] = list(current.changed_fields(verdict))
        detail["responsible"] = blame
        detail["current"] = _side(decision, current)
        detail["candidate"] = _side(other, verdict)
    else:
        detail["current"] = _side(decision, current)
    return detail

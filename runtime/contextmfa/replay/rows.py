"""A replayed login reduced to what the CLI, the diff and the report read: a ``Row``.

A ``Row`` is built where the login is evaluated (in this process, or in a replay worker) and is
small and picklable, so worker processes send rows rather than decisions and events. What it
carries beyond the verdict is asked for by ``RowOptions``: the decision JSON only when decisions
are written out, location and risk facts only for a report, traces only for the logins someone
will read (an expectation mismatch or a diff).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contextmfa.decision import Decision
from contextmfa.frozen import fill, slot_fillers
from contextmfa.replay.action_errors import ActionError
from contextmfa.replay.items import Mismatch

__all__ = ["COMPARED_FIELDS", "Facts", "Row", "RowOptions", "Verdict"]

COMPARED_FIELDS = ("outcome", "factors", "steps", "allow_remember_browser", "deny_reason", "source")
"""What a diff compares; ``timing_us`` (and logs, claims, metadata) never count as a change."""


def _reduce(value: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle as the constructor's arguments: rows cross process boundaries by the million,
    and a slots dataclass's default pickling (``__setstate__`` over ``fields()``) costs about
    ten times more."""
    return (type(value), tuple(getattr(value, name) for name in value.__slots__))


@dataclass(frozen=True, slots=True)
class RowOptions:
    """What to compute for each login beyond its verdict (each costs time per login)."""

    source: str = "-"
    """Names the input in messages (``source:line: error: ...``)."""
    decision_json: bool = False
    facts: bool = False
    details: bool = False
    record_http: bool = False
    """Keep the decisions' ``http`` exchanges in the decision JSON written."""
    http_mode: str = "auto"
    """Who answers ``fetch`` (sandbox/http_modes.py): a worker builds its engines with it."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The comparable part of a decision: equal verdicts mean the decision did not change."""

    outcome: str
    factors: tuple[str, ...]
    steps: tuple[tuple[str, tuple[str, ...], str], ...]
    allow_remember_browser: bool
    deny_reason: str | None
    source: str

    @classmethod
    def of(cls, decision: Decision) -> Verdict:
        """Made once per login by filling its slots (contextmfa/frozen.py)."""
        values = (
            decision.outcome,
            tuple(decision.factors),
            tuple([(s.kind, tuple(s.factors), s.source) for s in decision.steps])
            if decision.steps
            else (),
            decision.allow_remember_browser,
            decision.deny_reason,
            decision.source,
        )
        return fill(cls, _VERDICT_FILLERS, values)

    __reduce__ = _reduce

    def changed_fields(self, other: Verdict) -> tuple[str, ...]:
        return tuple(f for f in COMPARED_FIELDS if getattr(self, f) != getattr(other, f))

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "factors": list(self.factors),
            "steps": [
                {"kind": kind, "factors": list(factors), "source": source}
                for kind, factors, source in self.steps
            ],
            "allow_remember_browser": self.allow_remember_browser,
            "deny_reason": self.deny_reason,
            "source": self.source,
        }


_VERDICT_FILLERS = slot_fillers(
    Verdict, "outcome factors steps allow_remember_browser deny_reason source"
)


@dataclass(frozen=True, slots=True)
class Facts:
    """Where a login came from and how risky it looked: what the report charts."""

    latitude: float | None
    longitude: float | None
    country_code: str | None
    country_name: str | None
    city: str | None
    confidence: str | None
    new_device: str | None
    impossible_travel: str | None
    untrusted_ip: str | None
    distance_km: float | None
    speed_kmh: float | None
    ip: str | None = None
    """The address, so a report can say which logins had no location and why."""

    __reduce__ = _reduce

    @classmethod
    def of(cls, decision: Decision, ip: str | None = None) -> Facts:
        geo: Mapping[str, Any] = decision.geoip or {}
        risk: Mapping[str, Any] = decision.risk or {}
        assessments = risk.get("assessments") or {}
        travel = assessments.get("impossible_travel") or {}
        details = travel.get("details") or {}
        return cls(
            latitude=geo.get("latitude"),
            longitude=geo.get("longitude"),
            country_code=geo.get("country_code"),
            country_name=geo.get("country_name"),
            city=geo.get("city_name"),
            confidence=risk.get("confidence"),
            new_device=(assessments.get("new_device") or {}).get("code"),
            impossible_travel=travel.get("code"),
            untrusted_ip=(assessments.get("untrusted_ip") or {}).get("code"),
            distance_km=details.get("distance_km"),
            speed_kmh=details.get("speed_kmh"),
            ip=ip,
        )


@dataclass(frozen=True, slots=True)
class Row:
    """One record of the input, evaluated (``current``, and ``candidate`` in a diff) or not."""

    line: int
    login_id: str | None = None
    user_id: str | None = None
    error: str | None = None
    current: Verdict | None = None
    candidate: Verdict | None = None
    checked: bool = False
    mismatches: tuple[Mismatch, ...] = ()
    decision_json: str | None = None
    facts: Facts | None = None
    responsible: str | None = None
    """In a diff, for a changed login: the rule, Action or setting the change is put down to."""
    timed_out: bool = False
    """An Action hit its wall-clock limit (either side): the one result that can differ from
    run to run, so a diff says how many changes involve one."""
    detail: dict[str, Any] | None = None
    """JSON-ready: the decision's trace (both decisions' in a diff), for mismatches, changes and
    Action errors."""
    errors: tuple[ActionError, ...] = ()
    """The Actions that failed for this login under the current config."""
    candidate_errors: tuple[ActionError, ...] = ()
    out_of_order: bool = False
    """Earlier than the same user's previous login in the file (see ``replay.order``)."""
    repeated: bool = False
    """The id of one of the same user's recent logins, again."""
    new_calls: tuple[str, ...] = ()
    """In a diff: the candidate's ``fetch`` calls the current config never made for this login
    (``METHOD url``), which no recorded exchange can answer."""

    __reduce__ = _reduce

    @property
    def changed(self) -> bool:
        return self.candidate is not None and self.candidate != self.current

"""What a chaos run counts: answers by fault window, and violations of each rule.

The rules (issue "the service under faults"), each counted separately, each expected at 0:

* ``fail_closed``: no 5xx but 503, every 503 has ``Retry-After``, no traceback in a body, no
  ``allow`` for a login that must pass MFA, no step passed with a wrong or replayed answer;
* ``nothing_lost``: every enrollment confirmed with a 200 is in the store afterwards, every login
  answered 200 is in the store's recorded logins, an ``mfa_token`` issued by a worker that was
  then killed completes on the other;
* ``nothing_twice``: no OTP, recovery code or completed step accepted twice, on either worker,
  across kills and restarts; no login gets two assertions;
* ``limits_survive_redis``: a budget spent before Redis was emptied is still spent after;
* ``recovery``: once a dependency is back, every worker answers normally within
  :data:`RECOVERY_BOUND_SECONDS`, without being restarted.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["RECOVERY_BOUND_SECONDS", "RULES", "Tally"]

RULES = ("fail_closed", "nothing_lost", "nothing_twice", "limits_survive_redis", "recovery")
RECOVERY_BOUND_SECONDS = 30.0
_EXAMPLES = 5


@dataclass
class Tally:
    """Thread-safe counters of one run."""

    window: str = "steady"
    answers: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    violations: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    checks: Counter[str] = field(default_factory=Counter)
    journeys: Counter[str] = field(default_factory=Counter)
    recovery: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, window: str) -> None:
        with self._lock:
            self.window = window

    def count(self, what: str, window: str | None = None) -> None:
        with self._lock:
            self.answers[window or self.window][what] += 1

    def journey(self, what: str) -> None:
        with self._lock:
            self.journeys[what] += 1

    def checked(self, rule: str, ok: bool, example: str = "") -> bool:
        """One check of ``rule``; a failure is a violation, with up to 5 examples kept."""
        assert rule in RULES, rule
        with self._lock:
            self.checks[rule] += 1
            if not ok:
                self.violations[rule] += 1
                if len(self.examples[rule]) < _EXAMPLES:
                    self.examples[rule].append(f"[{self.window}] {example}")
        return ok

    def note(self, text: str) -> None:
        with self._lock:
            self.notes.append(text)

    def answer(self, response: httpx.Response, where: str) -> None:
        """Count one answer in the current window and check the fail-closed rule on it."""
        status = response.status_code
        self.count("503" if status == 503 else f"{status // 100}xx")
        body = response.text
        self.checked(
            "fail_closed",
            status < 500 or status == 503,
            f"{where}: {status} {body[:160]}",
        )
        if status == 503:
            self.checked(
                "fail_closed", "retry-after" in response.headers, f"{where}: 503 no Retry-After"
            )
        self.checked("fail_closed", "Traceback" not in body, f"{where}: traceback in the body")

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {
                "journeys": dict(self.journeys),
                "answers_by_window": {w: dict(c) for w, c in self.answers.items()},
                "checks": {rule: self.checks[rule] for rule in RULES},
                "violations": {rule: self.violations[rule] for rule in RULES},
                "examples": {
                    rule: list(self.examples[rule]) for rule in RULES if rule in self.examples
                },
                "recovery_seconds": dict(self.recovery),
                "notes": list(self.notes),
            }

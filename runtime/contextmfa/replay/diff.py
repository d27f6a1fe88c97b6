"""Diff: what a candidate config changes, login by login, counted and grouped by what caused it.

Every login is evaluated under the current config and the candidate, each with its own history
(a login one config denies is not in that config's history), and their verdicts compared
(``rows.COMPARED_FIELDS``: never timing). A change is put down to one *responsible* source:

- the candidate's source when a rule, Action, ``on_error`` or acr decides there (a rule added,
  an Action now skipping);
- the current source when the candidate falls back (to the dashboard policy, ``session-mfa`` or
  ``remembered-browser``) and the current did not: the rule or Action removed or no longer
  matching;
- the candidate's dashboard policy when both sides fall back and the ``[policy]`` section changed
  (mode, factors, remember-browser days); otherwise the candidate's fallback.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from contextmfa.replay.items import OUTCOMES
from contextmfa.replay.rows import Row, Verdict

__all__ = ["DiffSummary", "Transition", "responsible"]

EXAMPLES_PER_GROUP = 3
MAX_NEW_CALL_URLS = 100
FALLBACK_SOURCES = frozenset({"session-mfa", "remembered-browser"})


def _is_fallback(source: str) -> bool:
    return source.startswith("policy:") or source in FALLBACK_SOURCES


def responsible(current: Verdict, candidate: Verdict, *, changed_policy: str | None) -> str:
    """The source a change is put down to (module docstring); ``changed_policy`` is the
    candidate's ``policy:<mode>`` when its ``[policy]`` section differs, else None."""
    if not _is_fallback(candidate.source):
        return candidate.source
    if not _is_fallback(current.source):
        return current.source
    return changed_policy or candidate.source


@dataclass(frozen=True, slots=True, order=True)
class Transition:
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.before} -> {self.after}"


@dataclass
class Group:
    """Changes with the same transition and the same responsible source."""

    count: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DiffSummary:
    """Counts of a diff, bounded in memory whatever the number of logins."""

    compared: int = 0
    changed: int = 0
    timed_out: int = 0
    """Changes where an Action hit its wall-clock limit: they may not repeat on another run."""
    current: Counter[str] = field(default_factory=Counter)
    candidate: Counter[str] = field(default_factory=Counter)
    transitions: Counter[Transition] = field(default_factory=Counter)
    groups: dict[tuple[Transition, str], Group] = field(default_factory=dict)
    new_calls: int = 0
    """Logins where the candidate made a ``fetch`` call the current config never made."""
    new_call_urls: Counter[str] = field(default_factory=Counter)

    def add(self, row: Row) -> None:
        if row.current is None or row.candidate is None:
            return
        self.compared += 1
        if row.new_calls:
            self.new_calls += 1
            for call in row.new_calls:
                self._keep_call(call, 1)
        self.current[row.current.outcome] += 1
        self.candidate[row.candidate.outcome] += 1
        if not row.changed:
            return
        self.changed += 1
        self.timed_out += row.timed_out
        transition = Transition(row.current.outcome, row.candidate.outcome)
        self.transitions[transition] += 1
        key = (transition, row.responsible or row.candidate.source)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group()
        group.count += 1
        group.fields.update(row.current.changed_fields(row.candidate))
        group.sources[f"{row.current.source} -> {row.candidate.source}"] += 1
        if len(group.examples) < EXAMPLES_PER_GROUP:
            group.examples.append(
                {"line": row.line, "login_id": row.login_id, "user_id": row.user_id}
            )

    def merge(self, other: DiffSummary) -> None:
        """Add the diff of another part of the input (a cluster partition). Each group keeps
        its first examples by line, and groups stay in the order they first occur in the
        input, so ties in ``ordered_groups`` read as they would from one process."""
        self.compared += other.compared
        self.changed += other.changed
        self.timed_out += other.timed_out
        self.current.update(other.current)
        self.candidate.update(other.candidate)
        self.transitions.update(other.transitions)
        self.new_calls += other.new_calls
        for call, n in other.new_call_urls.items():
            self._keep_call(call, n)
        for key, theirs in other.groups.items():
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = Group()
            group.count += theirs.count
            group.fields.update(theirs.fields)
            group.sources.update(theirs.sources)
            examples = sorted([*group.examples, *theirs.examples], key=lambda e: e["line"])
            group.examples = examples[:EXAMPLES_PER_GROUP]
        self.groups = dict(sorted(self.groups.items(), key=lambda kv: kv[1].examples[0]["line"]))

    def _keep_call(self, call: str, count: int) -> None:
        """Count a new call's URL; past MAX_NEW_CALL_URLS distinct ones, only the logins count."""
        if call in self.new_call_urls or len(self.new_call_urls) < MAX_NEW_CALL_URLS:
            self.new_call_urls[call] += count

    def ordered_groups(self) -> list[tuple[Transition, str, Group]]:
        """Largest transitions first, and within one the largest groups first."""
        rank = {t: -n for t, n in self.transitions.items()}
        keyed = sorted(self.groups.items(), key=lambda kv: (rank[kv[0][0]], kv[0][0], -kv[1].count))
        return [(transition, source, group) for (transition, source), group in keyed]

    def to_dict(self) -> dict[str, Any]:
        """The diff as JSON: what ``--format json`` prints and the report reads."""
        return {
            "compared": self.compared,
            "changed": self.changed,
            "changed_with_action_timeout": self.timed_out,
            "outcomes": {
                "current": {o: self.current[o] for o in OUTCOMES},
                "candidate": {o: self.candidate[o] for o in OUTCOMES},
            },
            "transitions": [
                {"from": t.before, "to": t.after, "count": n}
                for t, n in sorted(self.transitions.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "groups": [
                {
                    "from": t.before,
                    "to": t.after,
                    "responsible": source,
                    "count": group.count,
                    "changed_fields": dict(group.fields.most_common()),
                    "sources": dict(group.sources.most_common()),
                    "examples": group.examples,
                }
                for t, source, group in self.ordered_groups()
            ],
            "new_http_calls": {
                "logins": self.new_calls,
                "calls": dict(self.new_call_urls.most_common()),
            },
        }

    def line(self, *, candidate_errors: int = 0) -> str:
        text = f"compared {self.compared} logins: {self.changed} changed"
        if self.transitions:
            top = sorted(self.transitions.items(), key=lambda kv: (-kv[1], kv[0]))
            text += " (" + ", ".join(f"{n} {t}" for t, n in top) + ")"
        if self.timed_out:
            text += (
                f"; {self.timed_out} involve an Action timeout (a wall-clock limit: they may not"
                " repeat; raise [sandbox] timeout_ms to tell)"
            )
        if candidate_errors:
            plural = "s" if candidate_errors != 1 else ""
            text += f"; the candidate had {candidate_errors} Action error{plural}"
        if self.new_calls:
            top = ", ".join(call for call, _ in self.new_call_urls.most_common(3))
            plural = "s" if self.new_calls != 1 else ""
            text += (
                f"; in {self.new_calls} login{plural} the candidate made HTTP calls the current "
                f"config never made ({top})"
            )
        return text

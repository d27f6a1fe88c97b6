"""What the report shows, gathered row by row in bounded memory.

Counts are kept per outcome everywhere, so every chart can be coloured by outcome. Locations are
bucketed to 0.1° (GeoIP places logins at city centroids, so a bucket is in practice a city); the
number of buckets is bounded by the places in the GeoIP database, not by the number of logins.
The logins someone will read (expectation mismatches, changed decisions) go to a temporary file
as they arrive, so even a diff that changes a million logins does not grow memory.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from contextmfa.replay.action_errors import ActionErrors
from contextmfa.replay.diff import DiffSummary
from contextmfa.replay.order import OrderWarnings
from contextmfa.replay.rows import Row

__all__ = ["DISTANCE_BUCKETS", "SPEED_BUCKETS", "ReportData"]

SPEED_BUCKETS = (0, 10, 100, 500, 1000, 5000)
"""Lower bounds, km/h, of the travel speed histogram (the last bucket is open)."""
DISTANCE_BUCKETS = (0, 10, 100, 500, 2000, 5000)
"""Lower bounds, km, of the travel distance histogram."""
ERRORS_KEPT = 50
UNLOCATED_KEPT = 50
"""Logins without a location listed by name (all are counted)."""


def _bucket(value: float, bounds: tuple[int, ...]) -> str:
    index = max(i for i, low in enumerate(bounds) if value >= low)
    if index == len(bounds) - 1:
        return f"≥ {bounds[index]:,}"
    return f"{bounds[index]:,}–{bounds[index + 1]:,}"


def bucket_labels(bounds: tuple[int, ...]) -> list[str]:
    return [_bucket(low, bounds) for low in bounds]


@dataclass
class Place:
    latitude: float
    longitude: float
    label: str
    outcomes: Counter[str] = field(default_factory=Counter)
    changed: int = 0


@dataclass
class ReportData:
    """Everything the HTML report renders; ``add`` every row, then render."""

    title: str
    inputs: dict[str, str]
    diff: DiffSummary | None = None
    limit: int = 5000
    action_errors: ActionErrors = field(default_factory=ActionErrors)
    """Counted by the replay command, shared here (like ``diff``)."""
    candidate_errors: ActionErrors | None = None
    order: OrderWarnings = field(default_factory=OrderWarnings)
    replayed: int = 0
    checked: int = 0
    failed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    sources: dict[str, Counter[str]] = field(default_factory=dict)
    candidate_sources: dict[str, Counter[str]] = field(default_factory=dict)
    places: dict[tuple[float, float], Place] = field(default_factory=dict)
    countries: dict[str, Place] = field(default_factory=dict)
    unlocated: Counter[str] = field(default_factory=Counter)
    unlocated_logins: list[dict[str, Any]] = field(default_factory=list)
    risk: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    input_errors: int = 0
    mismatched: int = 0
    changed: int = 0
    errored: int = 0
    """Logins with an Action error (either config) among the logins to read."""
    detailed: int = 0
    _spill: IO[str] | None = None

    def add(self, row: Row) -> None:
        if row.error is not None or row.current is None:
            self.input_errors += 1
            if len(self.errors) < ERRORS_KEPT and row.error:
                self.errors.append(row.error)
            return
        self.replayed += 1
        current = row.current
        self.outcomes[current.outcome] += 1
        self.sources.setdefault(current.source, Counter())[current.outcome] += 1
        shown = current.outcome
        if row.candidate is not None:
            shown = row.candidate.outcome
            bucket = self.candidate_sources.setdefault(row.candidate.source, Counter())
            bucket[shown] += 1
        if row.checked:
            self.checked += 1
            self.failed += bool(row.mismatches)
        self._add_facts(row, shown)
        if row.detail is not None:
            self.mismatched += bool(row.mismatches)
            self.changed += row.changed
            self.errored += bool(row.errors or row.candidate_errors)
            self.detailed += 1
            if not self.limit or self.detailed <= self.limit:
                self._keep(row)

    def _add_facts(self, row: Row, outcome: str) -> None:
        facts = row.facts
        if facts is None:
            return
        if facts.latitude is not None and facts.longitude is not None:
            key = (round(facts.latitude, 1), round(facts.longitude, 1))
            place = self.places.get(key)
            if place is None:
                label = ", ".join(p for p in (facts.city, facts.country_code) if p) or "?"
                place = self.places[key] = Place(key[0], key[1], label)
            place.outcomes[outcome] += 1
            place.changed += row.changed
        else:
            self.unlocated[outcome] += 1
            if len(self.unlocated_logins) < UNLOCATED_KEPT:
                self.unlocated_logins.append(
                    {
                        "line": row.line,
                        "login_id": row.login_id,
                        "user_id": row.user_id,
                        "ip": facts.ip,
                        "outcome": outcome,
                    }
                )
        if facts.country_code:
            country = self.countries.get(facts.country_code)
            if country is None:
                name = facts.country_name or facts.country_code
                country = self.countries[facts.country_code] = Place(0.0, 0.0, name)
            country.outcomes[outcome] += 1
            country.changed += row.changed
        for name, code in (
            ("confidence", facts.confidence),
            ("new_device", facts.new_device),
            ("impossible_travel", facts.impossible_travel),
            ("untrusted_ip", facts.untrusted_ip),
        ):
            self._count("risk:" + name, code or "none", outcome)
        if facts.speed_kmh is not None:
            self._count("travel:speed_kmh", _bucket(facts.speed_kmh, SPEED_BUCKETS), outcome)
        if facts.distance_km is not None:
            label = _bucket(facts.distance_km, DISTANCE_BUCKETS)
            self._count("travel:distance_km", label, outcome)

    def _count(self, chart: str, category: str, outcome: str) -> None:
        self.risk.setdefault(chart, {}).setdefault(category, Counter())[outcome] += 1

    def _keep(self, row: Row) -> None:
        kind = "mismatch" if row.mismatches else "change" if row.changed else "error"
        self.keep_detail(dict(row.detail or {}, kind=kind, changed_decision=row.changed))

    def keep_detail(self, detail: dict[str, Any]) -> None:
        """List one login (as ``details`` yields it) without counting it: a cluster replay
        counts in its partitions and lists the first ``limit`` logins of the whole input."""
        if self._spill is None:  # closed by close(), after the page is written
            self._spill = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._spill.write(json.dumps(detail, ensure_ascii=False) + "\n")

    def merge(self, other: ReportData) -> None:
        """Add the counts of another part of the input (a cluster partition). Not merged here:
        ``diff``, ``action_errors`` and ``order`` (shared with the replay, which merges them),
        and the listed logins and error messages, which the caller picks in input order."""
        for name in ("replayed", "checked", "failed", "input_errors", "mismatched", "changed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errored += other.errored
        self.detailed += other.detailed
        self.outcomes.update(other.outcomes)
        self.unlocated.update(other.unlocated)
        for mine, theirs in (
            (self.sources, other.sources),
            (self.candidate_sources, other.candidate_sources),
        ):
            for source, counts in theirs.items():
                mine.setdefault(source, Counter()).update(counts)
        for places, more in ((self.places, other.places), (self.countries, other.countries)):
            for key, place in more.items():
                known = places.setdefault(key, Place(place.latitude, place.longitude, place.label))
                known.outcomes.update(place.outcomes)
                known.changed += place.changed
        for chart, categories in other.risk.items():
            for category, counts in categories.items():
                self.risk.setdefault(chart, {}).setdefault(category, Counter()).update(counts)
        both = sorted([*self.unlocated_logins, *other.unlocated_logins], key=lambda u: u["line"])
        self.unlocated_logins = both[:UNLOCATED_KEPT]

    def details(self) -> Iterator[dict[str, Any]]:
        """The kept logins, in input order (read back from the temporary file)."""
        if self._spill is None:
            return
        self._spill.seek(0)
        for line in self._spill:
            yield json.loads(line)

    @property
    def kept(self) -> int:
        return min(self.detailed, self.limit) if self.limit else self.detailed

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None

"""The Decision: one login's full answer, and its JSON (decisions.md, "Decision JSON").

The engine builds one per login, thousands a second, so this is a frozen slots dataclass that keeps
what it is given by reference (no deep copies, no validation models); the work of turning it into
plain JSON values happens only when it is written out. Key order is the spec's, sets become sorted
lists, mappings keep their insertion order (every producer fills them deterministically), so the
same login gives byte-identical JSON from run to run and decisions diff cleanly.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contextmfa.decision.model import Outcome, Resolution, ResolvedStep, TraceEntry
from contextmfa.frozen import fill, slot_fillers

TIMING_KEYS = ("enrich", "rules", "actions", "total")
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain_or_refuse(value: Any) -> Any:
    """The encoder's fallback: what ``plain`` makes of a set, a non-dict mapping or a step, and
    ``json``'s own ``TypeError`` for a value that is no JSON at all."""
    converted = plain(value)
    if converted is value:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return converted


_COMPACT = json.JSONEncoder(
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    check_circular=False,
    default=_plain_or_refuse,
)
"""Built once: ``json.dumps`` with options builds a new encoder per call. Without the circular
check, as ``plain`` never had one: a cycle is a ``RecursionError`` either way."""


@dataclass(frozen=True, slots=True)
class Decision:
    """Every field of the Decision JSON, in the spec's order."""

    login_id: str
    outcome: Outcome
    factors: tuple[str, ...]
    steps: tuple[ResolvedStep, ...]
    allow_remember_browser: bool
    deny_reason: str | None
    source: str
    risk: Mapping[str, Any] | None
    geoip: Mapping[str, Any] | None
    trace: tuple[TraceEntry, ...]
    logs: Sequence[Mapping[str, Any]]
    errors: Sequence[Mapping[str, Any]]
    metadata_updates: Mapping[str, Any]
    custom_claims: Mapping[str, Any]
    transaction_metadata: Mapping[str, Any]
    timing_us: Mapping[str, int]
    http: Sequence[Mapping[str, Any]] = ()
    """The login's ``fetch`` exchanges (sandbox/http_exchange.py); written only when there are
    any, so a login whose Actions call out nowhere keeps the spec's exact document."""

    @classmethod
    def build(
        cls,
        *,
        login_id: str,
        resolution: Resolution,
        risk: Mapping[str, Any] | None = None,
        geoip: Mapping[str, Any] | None = None,
        logs: Sequence[Mapping[str, Any]] = (),
        errors: Sequence[Mapping[str, Any]] = (),
        metadata_updates: Mapping[str, Any] | None = None,
        custom_claims: Mapping[str, Any] | None = None,
        transaction_metadata: Mapping[str, Any] | None = None,
        timing_us: Mapping[str, int] | None = None,
        http: Sequence[Mapping[str, Any]] = (),
    ) -> Decision:
        """A decision from a resolution plus what the rest of the pipeline gathered.

        Omitted collections get the spec's empty shapes, so every decision has every key. Made
        by filling its slots (contextmfa/frozen.py): the frozen ``__init__`` of seventeen fields
        cost more than the rest of this.
        """
        values = (
            login_id,
            resolution.outcome,
            resolution.factors,
            resolution.steps,
            resolution.allow_remember_browser,
            resolution.deny_reason,
            resolution.source,
            risk,
            geoip,
            resolution.trace,
            logs,
            errors,
            (
                {"app_metadata": {}, "user_metadata": {}}
                if metadata_updates is None
                else metadata_updates
            ),
            {"id_token": {}, "access_token": {}} if custom_claims is None else custom_claims,
            {} if transaction_metadata is None else transaction_metadata,
            dict.fromkeys(TIMING_KEYS, 0) if timing_us is None else timing_us,
            http,
        )
        return fill(cls, _FILLERS, values)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (dict, list, str, int, float, bool, None) in the spec's key order."""
        document = {
            "login_id": self.login_id,
            "outcome": self.outcome,
            "factors": list(self.factors),
            "steps": [
                {"kind": step.kind, "factors": list(step.factors), "source": step.source}
                for step in self.steps
            ],
            "allow_remember_browser": self.allow_remember_browser,
            "deny_reason": self.deny_reason,
            "source": self.source,
            "risk": plain(self.risk),
            "geoip": plain(self.geoip),
            "trace": [  # TraceEntry.to_dict inline: a call less per entry of every decision
                {
                    "source": entry.source,
                    "directive": entry.directive,
                    "detail": {
                        key: list(item) if type(item) is tuple else item
                        for key, item in entry.detail.items()
                    },
                }
                for entry in self.trace
            ],
            "logs": plain(self.logs),
            "errors": plain(self.errors),
            "metadata_updates": plain(self.metadata_updates),
            "custom_claims": plain(self.custom_claims),
            "transaction_metadata": plain(self.transaction_metadata),
            "timing_us": plain(self.timing_us),
        }
        if self.http:
            document["http"] = plain(self.http)
        return document

    def without_http(self) -> Decision:
        """The decision without its ``http`` exchanges (a command not asked to write them)."""
        return self if not self.http else dataclasses.replace(self, http=())

    def to_json(self, indent: int | None = None) -> str:
        """The decision as JSON: compact (one line, for JSON Lines) unless ``indent`` is given.

        Non-ASCII text stays as UTF-8 ("Zürich", not "Z\\u00fcrich"); NaN or infinity anywhere
        raises ``ValueError`` rather than writing JSON other tools would reject.
        """
        if indent is None:
            return _COMPACT.encode(self._encodable())
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def _encodable(self) -> dict[str, Any]:
        """``to_dict()`` without its copies, for the compact encoder: the same text.

        The encoder writes dicts, lists and tuples as they are; anything else goes through
        ``plain`` (``_plain_or_refuse``), as in ``to_dict``. Copying every nested mapping first
        cost more than encoding it: this runs once for every decision a replay writes.
        """
        document = {
            "login_id": self.login_id,
            "outcome": self.outcome,
            "factors": self.factors,
            "steps": [
                {"kind": step.kind, "factors": step.factors, "source": step.source}
                for step in self.steps
            ],
            "allow_remember_browser": self.allow_remember_browser,
            "deny_reason": self.deny_reason,
            "source": self.source,
            "risk": self.risk,
            "geoip": self.geoip,
            "trace": [
                {"source": entry.source, "directive": entry.directive, "detail": entry.detail}
                for entry in self.trace
            ],
            "logs": self.logs,
            "errors": self.errors,
            "metadata_updates": self.metadata_updates,
            "custom_claims": self.custom_claims,
            "transaction_metadata": self.transaction_metadata,
            "timing_us": self.timing_us,
        }
        if self.http:
            document["http"] = self.http
        return document


_FILLERS = slot_fillers(
    Decision,
    "login_id outcome factors steps allow_remember_browser deny_reason source risk geoip trace "
    "logs errors metadata_updates custom_claims transaction_metadata timing_us http",
)


def plain(value: Any) -> Any:
    """``value`` as plain JSON values: tuples to lists, sets to sorted lists, mappings to dicts.

    Objects with ``to_dict()`` (steps, trace entries) use it. Anything else is returned as is and
    ``json`` rejects it, so an unexpected type fails loudly instead of being written as its repr.
    Exact-type checks come first: this runs over every nested value of every decision written.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    # scalars inline, not through a call each: most values of a decision are scalars
    if kind is dict:
        if not value:  # most details, metadata and claims: no comprehension to run
            return {}
        return {key: item if type(item) in _SCALARS else plain(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [item if type(item) in _SCALARS else plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return _sorted([plain(item) for item in value])
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return plain(to_dict())
    return value


def _sorted(items: list[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:  # mixed types: order by type, then by canonical JSON text
        return sorted(items, key=lambda i: (type(i).__name__, json.dumps(i, sort_keys=True)))

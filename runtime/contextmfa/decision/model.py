"""The values resolution reads and returns: tenant policy, what is known of the user, the result.

All are frozen slots dataclasses: the engine builds one of each per login at thousands of logins a
second, so they must be cheap to make and impossible to change by accident once made. Resolution
builds its results with the ``new_*`` functions below, which fill the slots directly
(contextmfa/frozen.py) and give the very same objects as the constructors. Factor
collections are ``frozenset`` going in and sorted ``tuple`` coming out, so output never depends on
set iteration order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from contextmfa.frozen import slot_fillers

Outcome = Literal["allow", "challenge", "enroll", "deny"]
PolicyMode = Literal["never", "adaptive", "always"]

ACR_SOURCE = "acr"
SESSION_MFA = "session-mfa"
REMEMBERED_BROWSER = "remembered-browser"

MFA_FACTOR_UNAVAILABLE = "mfa_factor_unavailable"
CONFLICTING_FACTOR_REQUIREMENTS = "conflicting_factor_requirements"
ADAPTIVE_MFA_UNENROLLED = "adaptive_mfa_unenrolled"

NOT_ENROLLABLE: frozenset[str] = frozenset({"email", "recovery-code"})
"""Never offered for enrollment: email is implied by a verified address, recovery codes are issued
with the first enrollment."""


def policy_source(mode: str) -> str:
    return f"policy:{mode}"


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """The tenant's dashboard policy (``[policy]`` of tenant.toml)."""

    mfa: PolicyMode
    factors: frozenset[str]
    """The factors the tenant has enabled; nothing outside this set is ever offered."""
    remember_browser_days: int
    """0 turns remember-browser off for every requirement, whatever a rule or Action asks."""


class UserContext(NamedTuple):
    """What resolution needs to know of the user and this session, taken from the enriched event.

    A named tuple rather than a frozen dataclass: as immutable, and made once per login at a
    third of the cost (a frozen dataclass sets each field through ``object.__setattr__``).
    """

    enrolled: frozenset[str]
    """Types from ``user.enrolled_factors``."""
    email_verified: bool
    mfa_methods: frozenset[str]
    """Types of the ``authentication.methods`` entries named ``mfa``."""
    has_mfa_method: bool
    """Any ``mfa`` method at all, typed or not: it meets a generic requirement."""
    device_remembered: bool
    confidence: str
    """``risk_assessment.confidence``: ``low``, ``medium`` or ``high``."""


@dataclass(frozen=True, slots=True)
class ResolvedStep:
    """One remaining step with the factors actually offered (enabled, and enrolled or not)."""

    kind: Literal["challenge", "enroll"]
    factors: tuple[str, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "factors": list(self.factors), "source": self.source}


@dataclass(frozen=True, slots=True)
class TraceEntry(Mapping[str, Any]):
    """One line of the decision's ``trace``: a directive received, or something resolution did.

    Entries for received directives have ``directive`` = ``deny``, ``require``, ``challenge``,
    ``enroll`` or ``skip``; entries for resolution's own work have ``directive`` = ``resolve`` and
    ``detail.resolution`` naming what was done. It reads as a mapping too (``entry["source"]``),
    the shape it has in the JSON. ``detail`` holds only str, bool, int, None and tuples of str.
    """

    source: str
    directive: str
    detail: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        if key == "source":
            return self.source
        if key == "directive":
            return self.directive
        if key == "detail":
            return self.detail
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(("source", "directive", "detail"))

    def __len__(self) -> int:
        return 3

    def to_dict(self) -> dict[str, Any]:
        detail = {k: list(v) if isinstance(v, tuple) else v for k, v in self.detail.items()}
        return {"source": self.source, "directive": self.directive, "detail": detail}


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving one login's directives (decisions.md, "Resolution")."""

    outcome: Outcome
    factors: tuple[str, ...]
    """The first remaining step's offered factors, sorted; empty for allow and deny."""
    steps: tuple[ResolvedStep, ...]
    allow_remember_browser: bool
    deny_reason: str | None
    source: str
    trace: tuple[TraceEntry, ...]


_new = object.__new__

_STEP_SLOTS = slot_fillers(ResolvedStep, "kind factors source")
_ENTRY_SLOTS = slot_fillers(TraceEntry, "source directive detail")
_RESOLUTION_SLOTS = slot_fillers(
    Resolution, "outcome factors steps allow_remember_browser deny_reason source trace"
)


def new_step(
    kind: Literal["challenge", "enroll"], factors: tuple[str, ...], source: str
) -> ResolvedStep:
    """``ResolvedStep(kind, factors, source)``, made without the frozen ``__init__``."""
    step = _new(ResolvedStep)
    set_kind, set_factors, set_source = _STEP_SLOTS
    set_kind(step, kind)
    set_factors(step, factors)
    set_source(step, source)
    return step


def new_entry(source: str, directive: str, detail: Mapping[str, Any]) -> TraceEntry:
    """``TraceEntry(source, directive, detail)``, made without the frozen ``__init__``."""
    entry = _new(TraceEntry)
    set_source, set_directive, set_detail = _ENTRY_SLOTS
    set_source(entry, source)
    set_directive(entry, directive)
    set_detail(entry, detail)
    return entry


def new_resolution(
    outcome: Outcome,
    factors: tuple[str, ...],
    steps: tuple[ResolvedStep, ...],
    allow_remember_browser: bool,
    deny_reason: str | None,
    source: str,
    trace: tuple[TraceEntry, ...],
) -> Resolution:
    """``Resolution(...)`` with its fields in order, made without the frozen ``__init__``."""
    resolution = _new(Resolution)
    set_outcome, set_factors, set_steps, set_remember, set_reason, set_source, set_trace = (
        _RESOLUTION_SLOTS
    )
    set_outcome(resolution, outcome)
    set_factors(resolution, factors)
    set_steps(resolution, steps)
    set_remember(resolution, allow_remember_browser)
    set_reason(resolution, deny_reason)
    set_source(resolution, source)
    set_trace(resolution, trace)
    return resolution

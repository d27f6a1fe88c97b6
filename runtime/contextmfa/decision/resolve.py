"""Resolution: one login's directives, the tenant policy and the user, into one outcome.

Each private function below is one numbered rule of decisions.md ("Resolution"), applied in that
order; the package docstring lists what the spec leaves open and what was chosen. Every choice
fails closed: when a requirement cannot be met, the login is denied, never allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contextmfa.decision.model import (
    ACR_SOURCE,
    ADAPTIVE_MFA_UNENROLLED,
    CONFLICTING_FACTOR_REQUIREMENTS,
    MFA_FACTOR_UNAVAILABLE,
    NOT_ENROLLABLE,
    REMEMBERED_BROWSER,
    SESSION_MFA,
    PolicySettings,
    Resolution,
    ResolvedStep,
    TraceEntry,
    UserContext,
    new_entry,
    new_resolution,
    new_step,
    policy_source,
)
from contextmfa.directives import Deny, Directive, Require, Skip, Step

ADAPTIVE_SOURCE = policy_source("adaptive")
NO_REMEMBER_SOURCES = frozenset({ACR_SOURCE, ADAPTIVE_SOURCE})
"""Requirements a remembered browser never satisfies (rule 6)."""
CONFIDENT = frozenset({"medium", "high"})
"""Adaptive policy allows only these; any other confidence, unknown included, requires MFA."""


@dataclass(slots=True)
class _Generic:
    """The merged generic requirement: factors already within the enabled ones."""

    factors: frozenset[str]
    remember: bool
    source: str


@dataclass(slots=True)
class _Pending:
    """A step before it is checked against the user (rule 3's list)."""

    kind: str
    factors: frozenset[str]
    source: str
    generic: bool


class _Trace:
    """Collects trace entries; ``note`` records what resolution itself did."""

    __slots__ = ("entries",)

    def __init__(self, directives: Sequence[Directive]) -> None:
        self.entries = [_received(d) for d in directives]

    def note(self, source: str, resolution: str, **detail: Any) -> None:
        self.entries.append(new_entry(source, "resolve", {"resolution": resolution, **detail}))


def resolve(
    directives: Sequence[Directive], policy: PolicySettings, user: UserContext
) -> Resolution:
    """Resolve directives given in pipeline order (acr, rules, Actions) into one outcome."""
    trace = _Trace(directives)
    requires: list[Require] = []
    skip: Skip | None = None
    has_steps = False
    for directive in directives:  # one pass: the first deny, the requirements, the first skip
        if isinstance(directive, Deny):
            trace.note(directive.source, "first_deny", reason=directive.reason)
            return _deny(directive.reason, directive.source, trace)
        if isinstance(directive, Require):
            requires.append(directive)
        elif isinstance(directive, Step):
            has_steps = True
        elif skip is None and isinstance(directive, Skip):
            skip = directive
    explicit = _without_done_enrollments(directives, policy, user, trace) if has_steps else []

    generic: _Generic | None = None
    if requires:
        generic = _merge(requires, policy, trace)
        if generic is None:
            return _deny(CONFLICTING_FACTOR_REQUIREMENTS, requires[0].source, trace)
    if skip is not None and (requires or explicit):
        trace.note(skip.source, "skip_ignored", because="requirement" if requires else "steps")
    elif not requires and not explicit:
        if skip is not None:
            trace.note(skip.source, "skip_applied")
            return _allow(skip.source, trace)
        generic = _apply_policy(policy, user, trace)
        if generic is None:
            return _allow(policy_source(policy.mfa), trace)

    pending = _order(generic, explicit, policy.factors, trace)
    checked = _check(pending, policy, user, trace)
    if isinstance(checked, Resolution):
        return checked
    steps, generic_first = checked
    if not explicit and generic is not None and generic.remember and user.device_remembered:
        trace.note(generic.source, "remembered_browser")
        return _allow(REMEMBERED_BROWSER, trace)
    if not steps:
        trace.note(SESSION_MFA, "nothing_left")
        return _allow(SESSION_MFA, trace)
    proven = _challenge_before_enroll(steps, policy, user, trace)
    if isinstance(proven, Resolution):
        return proven
    if proven is not steps:
        steps, generic_first = proven, False
    first = steps[0]
    return new_resolution(
        first.kind,  # type: ignore[arg-type]
        first.factors,
        tuple(steps),
        generic_first and generic is not None and generic.remember,
        None,
        first.source,
        tuple(trace.entries),
    )


def _merge(requires: list[Require], policy: PolicySettings, trace: _Trace) -> _Generic | None:
    """Rule 2: one generic requirement from all, or None (denied) when no factor is left."""
    factors = policy.factors
    for require in requires:
        if require.factors is not None:
            factors = factors & require.factors
        if not factors:
            trace.note(
                requires[0].source,
                "conflicting_requirements",
                reason=CONFLICTING_FACTOR_REQUIREMENTS,
                emptied_by=require.source,
            )
            return None
    asked = all(r.remember for r in requires)
    remember = (
        asked
        and policy.remember_browser_days > 0
        and not any(r.source in NO_REMEMBER_SOURCES for r in requires)
    )
    trace.note(
        requires[0].source,
        "merged",
        factors=tuple(sorted(factors)),
        remember=remember,
        remember_asked=asked,
        requirements=tuple(r.source for r in requires),
    )
    return _Generic(factors, remember, requires[0].source)


def _apply_policy(policy: PolicySettings, user: UserContext, trace: _Trace) -> _Generic | None:
    """Rule 4: the dashboard policy when no directive asked anything; None means allow."""
    mode = policy.mfa
    source = policy_source(mode)
    risk = {"confidence": user.confidence} if mode == "adaptive" else {}
    if mode == "never" or (mode == "adaptive" and user.confidence in CONFIDENT):
        trace.note(source, "policy_applied", **risk, requires=False)
        return None
    # "always", adaptive at low (or unknown) confidence, and any unknown mode: fail closed.
    remember = mode == "always" and policy.remember_browser_days > 0
    factors = tuple(sorted(policy.factors))
    trace.note(source, "policy_applied", **risk, requires=True, factors=factors, remember=remember)
    return _Generic(policy.factors, remember, source)


def _order(
    generic: _Generic | None, explicit: list[Step], enabled: frozenset[str], trace: _Trace
) -> list[_Pending]:
    """Rule 3: the explicit steps in order, the generic requirement first unless subsumed.

    An explicit challenge step subsumes the generic requirement when the factors it can actually
    be passed with (its set within the enabled factors, not empty) all meet the requirement.
    """
    steps = [_Pending(s.kind, s.factors, s.source, False) for s in explicit]
    if generic is None:
        return steps
    for step in explicit:
        usable = step.factors & enabled
        if step.kind == "challenge" and usable and usable <= generic.factors:
            trace.note(generic.source, "generic_subsumed", by=step.source)
            return steps
    return [_Pending("challenge", generic.factors, generic.source, True), *steps]


def _check(
    pending: list[_Pending], policy: PolicySettings, user: UserContext, trace: _Trace
) -> tuple[list[ResolvedStep], bool] | Resolution:
    """Rule 5: drop met steps, compute offered factors; a deny Resolution when one cannot pass.

    Returns the remaining steps and whether the first of them is the generic requirement.
    """
    enabled = policy.factors
    enrolled = _enrolled(policy, user)
    steps: list[ResolvedStep] = []
    generic_first = False
    for step in pending:
        if _met(step, user):
            trace.note(step.source, "step_met", kind=step.kind, generic=step.generic)
            continue
        kind, factors = step.kind, step.factors
        if kind == "challenge":
            offered = factors & enabled & enrolled
            if not offered:
                if not step.generic or step.source == ADAPTIVE_SOURCE:
                    reason = ADAPTIVE_MFA_UNENROLLED if step.generic else MFA_FACTOR_UNAVAILABLE
                    trace.note(step.source, "no_usable_factor", kind=kind, reason=reason)
                    return _deny(reason, step.source, trace)
                kind, factors = "enroll", factors - NOT_ENROLLABLE
                trace.note(step.source, "generic_to_enroll", factors=tuple(sorted(factors)))
        if kind == "enroll":
            offered = (factors & enabled) - enrolled - NOT_ENROLLABLE
            if not offered:
                if step.generic:
                    # Dropping it would let a login through that was required to pass MFA.
                    reason = MFA_FACTOR_UNAVAILABLE
                    trace.note(step.source, "no_usable_factor", kind=kind, reason=reason)
                    return _deny(reason, step.source, trace)
                trace.note(step.source, "enroll_step_dropped", factors=tuple(sorted(factors)))
                continue
        if not steps:
            generic_first = step.generic
        steps.append(new_step(kind, tuple(sorted(offered)), step.source))  # type: ignore[arg-type]
    return steps, generic_first


def _challenge_before_enroll(
    steps: list[ResolvedStep], policy: PolicySettings, user: UserContext, trace: _Trace
) -> list[ResolvedStep] | Resolution:
    """A user who has a factor proves it before adding another, whatever a rule or Action asked.

    Otherwise a password alone would add an attacker's authenticator to the account. The first
    enroll step that no challenge step comes before gets a challenge with the user's usable
    factors (enabled and enrolled, a verified email and a recovery code included) in front of
    it, from the same source. A user whose factors are all disabled cannot prove any: denied.
    Returns ``steps`` itself when nothing changes.
    """
    for index, step in enumerate(steps):
        if step.kind == "challenge":
            return steps
        existing = _enrolled(policy, user)
        if not existing:
            return steps
        usable = existing & policy.factors
        if not usable:
            reason = MFA_FACTOR_UNAVAILABLE
            trace.note(
                step.source,
                "no_usable_factor",
                kind="challenge",
                reason=reason,
                enrolled=tuple(sorted(existing)),
            )
            return _deny(reason, step.source, trace)
        factors = tuple(sorted(usable))
        trace.note(step.source, "challenge_before_enroll", factors=factors)
        guard = new_step("challenge", factors, step.source)
        return [*steps[:index], guard, *steps[index:]]
    return steps


def _enrolled(policy: PolicySettings, user: UserContext) -> frozenset[str]:
    """Rule 5's enrolled set: a verified email counts as an enrolled email factor."""
    if user.email_verified and "email" in policy.factors:
        return user.enrolled | {"email"}
    return user.enrolled


def _without_done_enrollments(
    directives: Sequence[Directive], policy: PolicySettings, user: UserContext, trace: _Trace
) -> list[Step]:
    """The explicit steps, less enroll steps with nothing left to enroll (rule 5, applied early).

    Dropping them before rules 3 and 4 means an "enroll if not yet enrolled" directive for a user
    who is enrolled leaves the dashboard policy in charge, instead of allowing without MFA.
    """
    enrolled = _enrolled(policy, user)
    steps = []
    for step in directives:
        if not isinstance(step, Step):
            continue
        if (
            step.kind == "enroll"
            and not (step.factors & policy.factors) - enrolled - NOT_ENROLLABLE
        ):
            trace.note(step.source, "enroll_step_dropped", factors=tuple(sorted(step.factors)))
            continue
        steps.append(step)
    return steps


def _met(step: _Pending, user: UserContext) -> bool:
    """Passed earlier in this session: any ``mfa`` method for the generic step, else a type in
    the step's own set (before intersecting with enabled factors)."""
    return user.has_mfa_method if step.generic else not step.factors.isdisjoint(user.mfa_methods)


def _received(directive: Directive) -> TraceEntry:
    """The trace entry of one directive as it arrived."""
    if isinstance(directive, Deny):
        return new_entry(directive.source, "deny", {"reason": directive.reason})
    if isinstance(directive, Require):
        factors = "any" if directive.factors is None else tuple(sorted(directive.factors))
        detail = {"factors": factors, "remember": directive.remember}
        return new_entry(directive.source, "require", detail)
    if isinstance(directive, Step):
        names = tuple(sorted(directive.factors))
        return new_entry(directive.source, directive.kind, {"factors": names})
    if isinstance(directive, Skip):
        return new_entry(directive.source, "skip", {})
    raise TypeError(f"not a directive: {type(directive).__name__}")


def _deny(reason: str, source: str, trace: _Trace) -> Resolution:
    return new_resolution("deny", (), (), False, reason, source, tuple(trace.entries))


def _allow(source: str, trace: _Trace) -> Resolution:
    return new_resolution("allow", (), (), False, None, source, tuple(trace.entries))

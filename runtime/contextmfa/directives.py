"""Directives: what rules, Actions, acr_values and the dashboard policy ask of a login.

Every source speaks this one vocabulary; ``decision.resolve`` turns an ordered list of them into a
decision (spec/decisions.md). ``source`` strings use the decision's spelling: ``rule:<name>``,
``action:<stem>``, ``on_error:<stem>``, ``acr``, ``policy:<mode>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FACTORS: tuple[str, ...] = (
    "otp",
    "sms",
    "voice",
    "email",
    "push-notification",
    "webauthn-roaming",
    "webauthn-platform",
    "duo",
    "recovery-code",
)
"""The only spellings of factor names, in the spec's order."""

StepKind = Literal["challenge", "enroll"]


@dataclass(frozen=True, slots=True)
class Deny:
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class Require:
    """A generic MFA requirement; ``factors`` None means "any enabled factor"."""

    factors: frozenset[str] | None
    remember: bool
    source: str


@dataclass(frozen=True, slots=True)
class Step:
    """An explicit challenge or enrollment step met by any one of ``factors``."""

    kind: StepKind
    factors: frozenset[str]
    source: str


@dataclass(frozen=True, slots=True)
class Skip:
    source: str


Directive = Deny | Require | Step | Skip

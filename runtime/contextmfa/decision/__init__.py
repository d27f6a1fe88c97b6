"""Decisions: directives, dashboard policy and user resolved into allow/challenge/enroll/deny.

``resolve`` applies spec/decisions.md ("Resolution") rule by rule and returns a ``Resolution``; the
engine wraps it with the login's risk, GeoIP, logs and Action output into a ``Decision``, whose
``to_json`` is the spec's "Decision JSON".

    model.py     PolicySettings, UserContext (inputs); ResolvedStep, TraceEntry, Resolution (output)
    resolve.py   resolve(): rules 1-7
    document.py  Decision, its to_dict()/to_json()

Where the spec is silent or open, the choices, each what an Auth0/Okta user would expect and each
failing closed:

- Rule 2: a single generic requirement whose factors are all disabled leaves an empty set and so
  denies with ``conflicting_factor_requirements``, as the spec's wording says. The deny's source is
  the merged requirement's (its first requirement); the trace names the requirement that emptied
  the set (``emptied_by``).
- Remember browser is off for every requirement when ``remember_browser_days`` is 0 (tenant.toml:
  "0 turns remember-browser off"), not only for the ``always`` policy; also off whenever acr or the
  adaptive policy is among the requirements.
- Rule 3: an explicit challenge step subsumes the generic requirement when its factors *that are
  enabled* form a non-empty subset of it: a disabled factor can never be used to pass the step, so
  it must not keep the user from a single prompt.
- Rule 4: the policy applies only when no directive asked for steps or MFA. A skip beside steps or
  a requirement is ignored (noted in the trace). Adaptive allows only at ``medium``/``high``
  confidence; any other value requires MFA. A policy requirement with no enabled factor at all goes
  through rule 5 like any other (``adaptive_mfa_unenrolled`` / ``mfa_factor_unavailable``).
- Rule 5: "already met" applies to enroll steps too (a factor passed this session is enrolled).
  A generic step turned into an enroll step is then checked as an enroll step; if nothing is left
  to enroll (say ``require mfa with [email]`` and no verified email) it denies with
  ``mfa_factor_unavailable`` (source: that requirement) instead of being dropped, since dropping it
  would let through a login that was required to pass MFA. Steps are checked in order; the first
  that cannot pass denies, whatever its position.
- Rule 5 runs before rule 6: a remembered browser does not undo a deny. It does override the
  remaining generic step, including when that step was already met this session (the source is then
  ``remembered-browser``, not ``session-mfa``), and only when there were no explicit steps at all.
- Explicit enroll steps with nothing left to enroll are dropped *before* rules 3 and 4, as if
  never asked: "enroll a security key" for an admin who has one leaves the dashboard policy (or a
  generic requirement, or a remembered browser) in charge, rather than allowing without MFA. Only
  steps met earlier in the session end in ``allow`` with source ``session-mfa``.
- Enrollment needs proof (factors-and-service.md, invariant 2): when the first enroll step has
  no challenge step before it and the user already has a factor (a verified email and a recovery
  code count), a challenge step with the user's enabled, enrolled factors is put in front of it,
  from the enroll step's source, and the outcome is ``challenge``. Only a user with no factor at
  all gets ``enroll`` first. A challenge met earlier in the session (``authentication.methods``)
  does not count: the service can only check what this login passed. A user whose factors are
  all disabled is denied with ``mfa_factor_unavailable``: nothing could prove the account holder.
- ``allow_remember_browser`` is true only when the first remaining step is the merged generic
  requirement (as a challenge, or turned into an enroll step) and its remember holds; so false for a
  first explicit step, adaptive, acr, remember off, and for allow and deny.
- Trace: one entry per directive received (``directive``: deny, require, challenge, enroll, skip),
  then one per thing resolution did (``directive: "resolve"``, ``detail.resolution``: first_deny,
  merged, conflicting_requirements, skip_applied, skip_ignored, policy_applied, generic_subsumed,
  step_met, generic_to_enroll, no_usable_factor, enroll_step_dropped, remembered_browser,
  nothing_left, challenge_before_enroll).
- JSON: the spec's top-level key order; nested mappings keep insertion order; sets become sorted
  lists; UTF-8 text unescaped; NaN is refused.
"""

from __future__ import annotations

from contextmfa.decision.document import Decision
from contextmfa.decision.model import (
    PolicySettings,
    Resolution,
    ResolvedStep,
    TraceEntry,
    UserContext,
)
from contextmfa.decision.resolve import resolve

__all__ = [
    "Decision",
    "PolicySettings",
    "Resolution",
    "ResolvedStep",
    "TraceEntry",
    "UserContext",
    "resolve",
]

"""Properties of resolution that must hold for every input, checked with hypothesis."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from contextmfa.decision import Decision, PolicySettings, UserContext, resolve
from contextmfa.directives import FACTORS, Deny, Require, Skip, Step

NOT_ENROLLABLE = {"email", "recovery-code"}

factor_sets = st.frozensets(st.sampled_from(FACTORS))
sources = st.sampled_from(["acr", "rule:a", "rule:b", "action:x", "action:y", "on_error:z"])
denies = st.builds(Deny, st.sampled_from(["embargo", "action_error", "blocked"]), sources)
requires = st.builds(Require, st.none() | factor_sets, st.booleans(), sources)
steps = st.builds(Step, st.sampled_from(["challenge", "enroll"]), factor_sets, sources)
skips = st.builds(Skip, sources)
allowing = st.lists(st.one_of(requires, steps, skips), max_size=7)
anything = st.lists(st.one_of(denies, requires, steps, skips), max_size=7)
policies = st.builds(
    PolicySettings,
    mfa=st.sampled_from(["never", "adaptive", "always"]),
    factors=factor_sets,
    remember_browser_days=st.sampled_from([0, 1, 30]),
)


@st.composite
def users(draw: st.DrawFn) -> UserContext:
    mfa_methods = draw(factor_sets)
    return UserContext(
        enrolled=draw(factor_sets),
        email_verified=draw(st.booleans()),
        mfa_methods=mfa_methods,
        has_mfa_method=bool(mfa_methods) or draw(st.booleans()),
        device_remembered=draw(st.booleans()),
        confidence=draw(st.sampled_from(["low", "medium", "high"])),
    )


def enrolled_of(policy: PolicySettings, user: UserContext) -> frozenset[str]:
    email = {"email"} if user.email_verified and "email" in policy.factors else set()
    return user.enrolled | email


@settings(max_examples=300)
@given(before=anything, deny=denies, after=anything, policy=policies, user=users())
def test_a_deny_always_wins_and_the_first_deny_decides(before, deny, after, policy, user):
    directives = [*before, deny, *after]
    first = next(d for d in directives if isinstance(d, Deny))
    r = resolve(directives, policy, user)
    assert (r.outcome, r.deny_reason, r.source) == ("deny", first.reason, first.source)
    assert (r.factors, r.steps, r.allow_remember_browser) == ((), (), False)


def _rebuilt(directives, rnd: random.Random):
    """Equal directives whose sets were built in another insertion order."""

    def shuffled(factors):
        items = list(factors)
        rnd.shuffle(items)
        return frozenset(items)

    out = []
    for d in directives:
        if isinstance(d, Step):
            d = Step(d.kind, shuffled(d.factors), d.source)
        elif isinstance(d, Require) and d.factors is not None:
            d = Require(shuffled(d.factors), d.remember, d.source)
        out.append(d)
    return out


@given(directives=anything, policy=policies, user=users(), rnd=st.randoms(use_true_random=False))
def test_resolution_is_deterministic(directives, policy, user, rnd):
    first = Decision.build(login_id="l", resolution=resolve(directives, policy, user))
    again = resolve(_rebuilt(directives, rnd), policy, user)
    assert first.to_json() == Decision.build(login_id="l", resolution=again).to_json()


@settings(max_examples=300)
@given(directives=allowing, policy=policies, user=users())
def test_offered_factors_are_usable(directives, policy, user):
    """Challenge: enabled and enrolled. Enroll: enabled, not enrolled, not email/recovery-code."""
    r = resolve(directives, policy, user)
    enrolled = enrolled_of(policy, user)
    for step in r.steps:
        assert step.factors, step
        assert list(step.factors) == sorted(set(step.factors))
        offered = set(step.factors)
        assert offered <= policy.factors
        if step.kind == "challenge":
            assert offered <= enrolled
        else:
            assert offered.isdisjoint(enrolled | NOT_ENROLLABLE)


@settings(max_examples=300)
@given(directives=anything, policy=policies, user=users())
def test_factors_and_outcome_come_from_the_first_step(directives, policy, user):
    r = resolve(directives, policy, user)
    if r.steps:
        assert (r.outcome, r.factors, r.source) == (
            r.steps[0].kind,
            r.steps[0].factors,
            r.steps[0].source,
        )
    else:
        assert r.outcome in ("allow", "deny")
        assert (r.factors, r.allow_remember_browser) == ((), False)
    assert (r.deny_reason is not None) == (r.outcome == "deny")


@settings(max_examples=300)
@given(directives=allowing, policy=policies, user=users())
def test_a_requirement_never_allows_silently(directives, policy, user):
    """Fail closed: a generic requirement allows only through a remembered browser or MFA
    already passed this session."""
    r = resolve(directives, policy, user)
    if r.outcome != "allow" or not any(isinstance(d, Require) for d in directives):
        return
    enrolled = user.enrolled | ({"email"} if user.email_verified else set())
    explicit = any(
        isinstance(d, Step)
        and (d.kind == "challenge" or (d.factors & policy.factors) - enrolled - NOT_ENROLLABLE)
        for d in directives
    )
    assert r.source in ("remembered-browser", "session-mfa")
    if r.source == "remembered-browser":
        assert user.device_remembered and not explicit and policy.remember_browser_days > 0
    if r.source == "session-mfa" and not explicit:
        assert user.has_mfa_method


@settings(max_examples=300)
@given(directives=allowing, policy=policies, user=users())
def test_remember_browser_is_never_offered_where_it_is_off(directives, policy, user):
    r = resolve(directives, policy, user)
    if r.allow_remember_browser:
        assert r.outcome in ("challenge", "enroll")
        assert policy.remember_browser_days > 0
        assert not any(isinstance(d, Require) and d.source == "acr" for d in directives)
        assert r.source != "policy:adaptive"


@given(directives=anything, policy=policies, user=users())
def test_the_json_is_the_dict(directives, policy, user):
    decision = Decision.build(login_id="l", resolution=resolve(directives, policy, user))
    assert json.loads(decision.to_json()) == decision.to_dict()
    assert len(decision.trace) >= len(directives)

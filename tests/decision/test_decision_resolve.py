"""One test per rule and sub-rule of spec/decisions.md "Resolution", named after the rule."""

from __future__ import annotations

import pytest

from contextmfa.decision import Resolution, resolve
from contextmfa.directives import Deny, Require, Skip, Step

ANY = None
GUARDIAN = frozenset({"push-notification", "sms", "otp", "email"})


def require(factors=ANY, remember=False, source="rule:r"):
    return Require(None if factors is None else frozenset(factors), remember, source)


def challenge(*factors, source="action:a"):
    return Step("challenge", frozenset(factors), source)


def enroll(*factors, source="action:a"):
    return Step("enroll", frozenset(factors), source)


def notes(resolution: Resolution) -> list[str]:
    """What resolution did, in order (the trace's ``resolve`` entries)."""
    return [e.detail["resolution"] for e in resolution.trace if e.directive == "resolve"]


def steps(resolution: Resolution) -> list[tuple[str, tuple[str, ...], str]]:
    return [(s.kind, s.factors, s.source) for s in resolution.steps]


# Rule 1: any deny -> deny, first deny wins.


def test_rule1_a_deny_denies_with_its_reason_and_source(policy, user):
    r = resolve([Deny("embargoed country", "rule:geofence")], policy("always"), user())
    assert (r.outcome, r.deny_reason, r.source) == ("deny", "embargoed country", "rule:geofence")
    assert (r.factors, r.steps, r.allow_remember_browser) == ((), (), False)


def test_rule1_first_deny_wins(policy, user):
    directives = [
        require(),
        Deny("first", "rule:one"),
        challenge("otp"),
        Deny("second", "action:two"),
    ]
    r = resolve(directives, policy(), user())
    assert (r.deny_reason, r.source) == ("first", "rule:one")


def test_rule1_deny_beats_steps_requirements_skip_and_session_mfa(policy, user):
    directives = [Skip("rule:s"), require(), challenge("otp"), Deny("action_error", "on_error:x")]
    r = resolve(directives, policy(), user(mfa=["otp"], remembered=True))
    assert (r.outcome, r.deny_reason, r.source) == ("deny", "action_error", "on_error:x")


# Rule 2: generic requirements merge.


def test_rule2_generic_requirements_merge_by_intersection(policy, user):
    directives = [
        require(["webauthn-roaming", "otp"], source="rule:admins"),
        require(GUARDIAN, source="action:guardian"),
    ]
    r = resolve(directives, policy(), user(["otp", "sms", "webauthn-roaming"]))
    assert steps(r) == [("challenge", ("otp",), "rule:admins")]


def test_rule2_any_means_every_enabled_factor(policy, user):
    enrolled = ["otp", "sms", "duo", "webauthn-platform"]
    r = resolve([require(ANY)], policy(), user(enrolled))
    assert r.factors == ("otp", "sms", "webauthn-platform")  # duo is not enabled


def test_rule2_merged_set_is_intersected_with_enabled_factors(policy, user):
    r = resolve([require(["duo", "otp"])], policy(), user(["duo", "otp"]))
    assert r.factors == ("otp",)


def test_rule2_remember_is_the_and_of_all_requirements(policy, user):
    both = [require(remember=True, source="rule:a"), require(remember=True, source="rule:b")]
    one = [require(remember=True, source="rule:a"), require(remember=False, source="rule:b")]
    assert resolve(both, policy(), user()).allow_remember_browser is True
    assert resolve(one, policy(), user()).allow_remember_browser is False


def test_rule2_merged_source_is_the_first_requirement(policy, user):
    directives = [require(source="acr"), require(["otp"], source="action:second")]
    assert resolve(directives, policy(), user()).source == "acr"


def test_rule2_empty_intersection_denies_conflicting_factor_requirements(policy, user):
    directives = [
        require(["webauthn-roaming"], source="rule:keys"),
        require(GUARDIAN, source="action:guardian"),
    ]
    r = resolve(directives, policy(), user(["webauthn-roaming", "otp"]))
    assert (r.outcome, r.deny_reason) == ("deny", "conflicting_factor_requirements")
    assert r.source == "rule:keys"
    conflict = [e for e in r.trace if e.detail.get("resolution") == "conflicting_requirements"]
    assert conflict[0].detail["emptied_by"] == "action:guardian"


def test_rule2_requirement_of_disabled_factors_only_is_an_empty_intersection(policy, user):
    r = resolve([require(["duo"], source="action:duo")], policy(), user(["duo"]))
    assert (r.deny_reason, r.source) == ("conflicting_factor_requirements", "action:duo")


# Rule 3: steps in order, the merged generic requirement first unless subsumed.


def test_rule3_generic_requirement_is_put_first(policy, user):
    directives = [enroll("webauthn-roaming", source="rule:keys"), require(source="rule:far")]
    r = resolve(directives, policy(), user(["otp"]))
    assert steps(r) == [
        ("challenge", ("otp",), "rule:far"),
        ("enroll", ("webauthn-roaming",), "rule:keys"),
    ]


def test_rule3_explicit_steps_keep_their_order(policy, user):
    directives = [
        challenge("otp", source="action:one"),
        enroll("webauthn-roaming", source="action:two"),
        challenge("sms", source="action:three"),
    ]
    r = resolve(directives, policy(), user(["otp", "sms"]))
    assert [s.source for s in r.steps] == ["action:one", "action:two", "action:three"]


def test_rule3_generic_subsumed_by_a_challenge_step_that_is_a_subset(policy, user):
    directives = [require(["otp", "sms"], source="rule:r"), challenge("otp", source="action:a")]
    r = resolve(directives, policy(), user(["otp", "sms"]))
    assert steps(r) == [("challenge", ("otp",), "action:a")]
    assert "generic_subsumed" in notes(r)


def test_rule3_any_later_challenge_step_can_subsume(policy, user):
    directives = [
        require(["otp", "sms"]),
        challenge("webauthn-roaming", source="action:one"),
        challenge("sms", source="action:two"),
    ]
    r = resolve(directives, policy(), user(["otp", "sms", "webauthn-roaming"]))
    assert [s.source for s in r.steps] == ["action:one", "action:two"]


def test_rule3_generic_kept_when_the_challenge_step_is_not_a_subset(policy, user):
    directives = [require(["otp"], source="rule:r"), challenge("otp", "sms", source="action:a")]
    r = resolve(directives, policy(), user(["otp", "sms"]))
    assert steps(r) == [
        ("challenge", ("otp",), "rule:r"),
        ("challenge", ("otp", "sms"), "action:a"),
    ]


def test_rule3_an_enroll_step_never_subsumes_the_generic_requirement(policy, user):
    directives = [require(["otp", "sms"], source="rule:r"), enroll("sms", source="action:a")]
    r = resolve(directives, policy(), user(["otp"]))
    assert steps(r) == [("challenge", ("otp",), "rule:r"), ("enroll", ("sms",), "action:a")]


def test_rule3_disabled_factors_of_a_step_do_not_prevent_subsumption(policy, user):
    directives = [require(source="rule:r"), challenge("otp", "duo", source="action:a")]
    r = resolve(directives, policy(), user(["otp"]))
    assert steps(r) == [("challenge", ("otp",), "action:a")]


# Rule 4: skip, or the dashboard policy, when nothing asked for MFA.


def test_rule4_skip_allows_with_its_source(policy, user):
    r = resolve([Skip("rule:corp"), Skip("action:later")], policy("always"), user())
    assert (r.outcome, r.source) == ("allow", "rule:corp")


@pytest.mark.parametrize("mode", ["always", "adaptive"])
def test_rule4_skip_overrides_the_dashboard_policy(policy, user, mode):
    r = resolve([Skip("rule:corp")], policy(mode), user(confidence="low"))
    assert (r.outcome, r.source) == ("allow", "rule:corp")


def test_rule4_skip_never_overrides_a_requirement(policy, user):
    r = resolve([require(source="rule:far"), Skip("action:corp")], policy(), user())
    assert (r.outcome, r.source) == ("challenge", "rule:far")
    assert "skip_ignored" in notes(r)


def test_rule4_skip_never_overrides_an_explicit_step(policy, user):
    r = resolve([Skip("rule:corp"), challenge("otp", source="action:a")], policy(), user())
    assert (r.outcome, r.source) == ("challenge", "action:a")


def test_rule4_policy_never_allows(policy, user):
    r = resolve([], policy("never"), user(confidence="low"))
    assert (r.outcome, r.source) == ("allow", "policy:never")


@pytest.mark.parametrize(("days", "remember"), [(30, True), (0, False)])
def test_rule4_policy_always_requires_any_enabled_factor(policy, user, days, remember):
    r = resolve([], policy("always", days=days), user(["otp", "duo", "sms"]))
    assert (r.outcome, r.factors, r.source) == ("challenge", ("otp", "sms"), "policy:always")
    assert r.allow_remember_browser is remember


@pytest.mark.parametrize(
    ("confidence", "outcome"),
    [("low", "challenge"), ("medium", "allow"), ("high", "allow"), ("", "challenge")],
)
def test_rule4_policy_adaptive_requires_only_at_low_confidence(policy, user, confidence, outcome):
    r = resolve([], policy("adaptive"), user(confidence=confidence))
    assert (r.outcome, r.source) == (outcome, "policy:adaptive")
    assert r.allow_remember_browser is False
    applied = r.trace[0].detail
    assert (applied["resolution"], applied["confidence"]) == ("policy_applied", confidence)
    assert applied["requires"] is (outcome == "challenge")


def test_rule4_an_unknown_policy_mode_fails_closed(policy, user):
    r = resolve([], policy("sometimes"), user())
    assert (r.outcome, r.source) == ("challenge", "policy:sometimes")


def test_rule4_policy_does_not_apply_when_a_directive_asked(policy, user):
    assert resolve([require()], policy("never"), user()).source == "rule:r"
    r = resolve([challenge("sms")], policy("always"), user(["otp", "sms"]))
    assert steps(r) == [("challenge", ("sms",), "action:a")]


# Rule 5: each step against the user.


def test_rule5_verified_email_counts_as_enrolled_when_email_is_enabled(policy, user):
    r = resolve([require()], policy(), user([], email_verified=True))
    assert (r.outcome, r.factors) == ("challenge", ("email",))


def test_rule5_verified_email_not_enrolled_when_email_is_disabled(policy, user):
    enabled = ["otp", "sms"]
    r = resolve([require()], policy(factors=enabled), user([], email_verified=True))
    assert (r.outcome, r.factors) == ("enroll", ("otp", "sms"))


def test_rule5_unverified_email_is_not_enrolled(policy, user):
    r = resolve([challenge("email")], policy(), user([], email_verified=False))
    assert r.deny_reason == "mfa_factor_unavailable"


def test_rule5_explicit_step_met_by_session_mfa_of_its_set_is_dropped(policy, user):
    directives = [challenge("webauthn-roaming", "otp"), challenge("sms", source="action:b")]
    r = resolve(directives, policy(), user(["otp", "sms"], mfa=["otp"]))
    assert steps(r) == [("challenge", ("sms",), "action:b")]
    assert "step_met" in notes(r)


def test_rule5_explicit_step_not_met_by_another_mfa_type(policy, user):
    r = resolve([challenge("webauthn-roaming")], policy(), user(["webauthn-roaming"], mfa=["sms"]))
    assert (r.outcome, r.factors) == ("challenge", ("webauthn-roaming",))


@pytest.mark.parametrize("session", [{"mfa": ["sms"]}, {"untyped_mfa": True}])
def test_rule5_generic_step_met_by_any_mfa_method(policy, user, session):
    r = resolve([require(["otp"])], policy(), user(["otp"], **session))
    assert (r.outcome, r.source) == ("allow", "session-mfa")


def test_rule5_challenge_offers_its_set_within_enabled_and_enrolled(policy, user):
    enabled = ["otp", "sms", "voice"]
    r = resolve([challenge("otp", "sms", "duo")], policy(factors=enabled), user(["sms", "duo"]))
    assert r.factors == ("sms",)


def test_rule5_generic_without_enrolled_factor_becomes_enroll(policy, user):
    r = resolve([require(source="rule:far")], policy(), user([]))
    assert r.outcome == "enroll"
    assert r.factors == (
        "otp",
        "push-notification",
        "sms",
        "voice",
        "webauthn-platform",
        "webauthn-roaming",
    )
    assert (r.source, notes(r)[-1]) == ("rule:far", "generic_to_enroll")


def test_rule5_adaptive_generic_without_enrolled_factor_denies_adaptive_mfa_unenrolled(
    policy, user
):
    r = resolve([], policy("adaptive"), user([], confidence="low"))
    assert (r.outcome, r.deny_reason, r.source) == (
        "deny",
        "adaptive_mfa_unenrolled",
        "policy:adaptive",
    )


def test_rule5_explicit_challenge_without_usable_factor_denies_mfa_factor_unavailable(policy, user):
    r = resolve([challenge("webauthn-roaming", source="action:keys")], policy(), user(["otp"]))
    assert (r.outcome, r.deny_reason, r.source) == (
        "deny",
        "mfa_factor_unavailable",
        "action:keys",
    )


def test_rule5_an_unusable_later_step_denies_with_its_own_source(policy, user):
    directives = [require(source="rule:far"), challenge("duo", source="action:duo")]
    r = resolve(directives, policy(), user(["otp", "duo"]))
    assert (r.deny_reason, r.source) == ("mfa_factor_unavailable", "action:duo")


def test_rule5_enroll_offers_enabled_unenrolled_factors_but_email_and_recovery_code(policy, user):
    directives = [enroll("otp", "sms", "email", "recovery-code", "duo", "webauthn-roaming")]
    r = resolve(directives, policy(), user([]))
    assert (r.outcome, r.factors) == ("enroll", ("otp", "sms", "webauthn-roaming"))
    r = resolve(directives, policy(), user(["otp"]))
    assert steps(r)[1] == ("enroll", ("sms", "webauthn-roaming"), "action:a")


def test_rule5_enroll_step_with_nothing_to_enroll_is_dropped(policy, user):
    directives = [enroll("otp", "email", source="rule:enroll"), challenge("otp", source="action:b")]
    r = resolve(directives, policy(), user(["otp"]))
    assert steps(r) == [("challenge", ("otp",), "action:b")]
    assert "enroll_step_dropped" in notes(r)


def test_rule5_enroll_step_met_by_session_mfa_is_dropped(policy, user):
    r = resolve([enroll("webauthn-roaming")], policy(), user([], mfa=["webauthn-roaming"]))
    assert (r.outcome, r.source, notes(r)) == ("allow", "session-mfa", ["step_met", "nothing_left"])


def test_rule5_generic_turned_enroll_with_nothing_to_enroll_denies_mfa_factor_unavailable(
    policy, user
):
    directives = [require(["email", "recovery-code"], source="rule:email-only")]
    r = resolve(directives, policy(), user(["otp"], email_verified=False))
    assert (r.outcome, r.deny_reason, r.source) == (
        "deny",
        "mfa_factor_unavailable",
        "rule:email-only",
    )


def test_rule5_policy_always_with_no_enabled_factor_denies(policy, user):
    r = resolve([], policy("always", factors=[]), user(["otp"]))
    assert (r.deny_reason, r.source) == ("mfa_factor_unavailable", "policy:always")


# Rule 6: remembered browser.


def test_rule6_remembered_browser_allows_a_generic_requirement_that_allows_remember(policy, user):
    r = resolve([require(remember=True)], policy(), user(remembered=True))
    assert (r.outcome, r.source, r.steps) == ("allow", "remembered-browser", ())


def test_rule6_remembered_browser_satisfies_policy_always(policy, user):
    r = resolve([], policy("always"), user(remembered=True))
    assert (r.outcome, r.source) == ("allow", "remembered-browser")


def test_rule6_remembered_browser_also_stands_in_for_an_enroll_turned_generic(policy, user):
    r = resolve([require(remember=True)], policy(), user([], remembered=True))
    assert (r.outcome, r.source) == ("allow", "remembered-browser")


def test_rule6_not_for_the_adaptive_policy(policy, user):
    r = resolve([], policy("adaptive"), user(remembered=True, confidence="low"))
    assert (r.outcome, r.source) == ("challenge", "policy:adaptive")


def test_rule6_not_for_acr_values(policy, user):
    acr = require(source="acr")
    directives = [acr, require(remember=True, source="rule:far")]
    for given in ([acr], directives):
        r = resolve(given, policy(), user(remembered=True))
        assert (r.outcome, r.source, r.allow_remember_browser) == ("challenge", "acr", False)


def test_rule6_not_with_explicit_steps(policy, user):
    r = resolve([require(remember=True), enroll("sms")], policy(), user(remembered=True))
    assert r.outcome == "challenge"


def test_rule6_applies_when_the_only_explicit_step_had_nothing_to_enroll(policy, user):
    directives = [require(remember=True), enroll("otp")]
    r = resolve(directives, policy(), user(["otp"], remembered=True))
    assert (r.outcome, r.source) == ("allow", "remembered-browser")


def test_rule6_not_with_a_remaining_explicit_step(policy, user):
    directives = [require(remember=True), enroll("otp")]
    r = resolve(directives, policy(), user(["sms"], remembered=True))
    assert (r.outcome, r.source) == ("challenge", "rule:r")


@pytest.mark.parametrize(("asked", "days"), [(False, 30), (True, 0)])
def test_rule6_not_when_remember_is_off(policy, user, asked, days):
    r = resolve([require(remember=asked)], policy(days=days), user(remembered=True))
    assert (r.outcome, r.allow_remember_browser) == ("challenge", False)


def test_rule6_not_when_the_browser_is_not_remembered(policy, user):
    r = resolve([require(remember=True)], policy(), user(remembered=False))
    assert (r.outcome, r.allow_remember_browser) == ("challenge", True)


def test_rule6_wins_over_session_mfa_when_both_hold(policy, user):
    r = resolve([require(remember=True)], policy(), user(mfa=["otp"], remembered=True))
    assert r.source == "remembered-browser"


def test_rule6_does_not_undo_a_deny_of_rule5(policy, user):
    directives = [require(["email"], remember=True, source="rule:email")]
    r = resolve(directives, policy(), user([], remembered=True))
    assert (r.outcome, r.deny_reason) == ("deny", "mfa_factor_unavailable")


# Rule 7: outcome from the first remaining step.


def test_rule7_outcome_is_the_first_remaining_steps_kind(policy, user):
    directives = [enroll("webauthn-roaming", source="rule:keys"), enroll("otp")]
    r = resolve(directives, policy(), user([]))
    assert (r.outcome, r.factors, r.source) == ("enroll", ("webauthn-roaming",), "rule:keys")
    directives = [challenge("otp", source="action:a"), enroll("webauthn-roaming")]
    r = resolve(directives, policy(), user(["otp"]))
    assert (r.outcome, r.factors, r.source) == ("challenge", ("otp",), "action:a")


def test_rule7_no_step_left_allows_with_session_mfa(policy, user):
    r = resolve([challenge("otp"), require()], policy(), user(["otp"], mfa=["otp"]))
    assert (r.outcome, r.source, r.factors, r.steps) == ("allow", "session-mfa", (), ())


def test_rule5_enroll_steps_with_nothing_to_enroll_leave_the_policy_in_charge(policy, user):
    r = resolve([enroll("otp")], policy("always"), user(["otp"]))
    assert (r.outcome, r.source, r.factors) == ("challenge", "policy:always", ("otp",))
    assert "enroll_step_dropped" in notes(r)


def test_rule5_done_enrollment_then_policy_never_allows(policy, user):
    r = resolve([enroll("otp")], policy("never"), user(["otp"]))
    assert (r.outcome, r.source) == ("allow", "policy:never")


# allow_remember_browser in the output.


def test_allow_remember_browser_when_the_generic_step_comes_first(policy, user):
    directives = [require(remember=True), enroll("sms")]
    assert resolve(directives, policy(), user()).allow_remember_browser is True


def test_allow_remember_browser_for_a_generic_step_turned_enroll(policy, user):
    r = resolve([require(remember=True)], policy(), user([]))
    assert (r.outcome, r.allow_remember_browser) == ("enroll", True)


def test_allow_remember_browser_false_when_an_explicit_step_comes_first(policy, user):
    directives = [require(["otp", "sms"], remember=True), challenge("otp")]
    r = resolve(directives, policy(), user(["otp"]))
    assert (r.source, r.allow_remember_browser) == ("action:a", False)


def test_allow_remember_browser_false_when_the_generic_step_was_met(policy, user):
    directives = [require(["otp"], remember=True), challenge("sms", "otp")]
    r = resolve(directives, policy(), user(["otp", "sms"], untyped_mfa=True))
    assert (r.source, r.allow_remember_browser) == ("action:a", False)
    assert notes(r) == ["merged", "step_met"]


# Trace.


def test_trace_has_one_entry_per_directive_then_what_resolution_did(policy, user):
    directives = [
        require(source="acr"),
        require(["otp", "sms"], remember=True, source="rule:r"),
        challenge("otp", source="action:a"),
        enroll("webauthn-roaming", source="action:b"),
        Skip("action:c"),
    ]
    r = resolve(directives, policy(), user(["otp", "webauthn-roaming"]))
    received = [(e.source, e.directive, dict(e.detail)) for e in r.trace[:5]]
    assert received == [
        ("acr", "require", {"factors": "any", "remember": False}),
        ("rule:r", "require", {"factors": ("otp", "sms"), "remember": True}),
        ("action:a", "challenge", {"factors": ("otp",)}),
        ("action:b", "enroll", {"factors": ("webauthn-roaming",)}),
        ("action:c", "skip", {}),
    ]
    assert notes(r) == ["enroll_step_dropped", "merged", "skip_ignored", "generic_subsumed"]
    merged = r.trace[6].detail
    assert (merged["factors"], merged["remember"], merged["requirements"]) == (
        ("otp", "sms"),
        False,
        ("acr", "rule:r"),
    )


def test_trace_entries_read_as_mappings(policy, user):
    entry = resolve([Deny("no", "rule:x")], policy(), user()).trace[0]
    assert (entry["source"], entry["directive"], entry.get("detail")) == (
        "rule:x",
        "deny",
        {"reason": "no"},
    )
    assert dict(entry) == {"source": "rule:x", "directive": "deny", "detail": {"reason": "no"}}


def test_an_unknown_directive_type_is_refused(policy, user):
    with pytest.raises(TypeError):
        resolve(["require mfa"], policy(), user())  # type: ignore[list-item]


# Enrollment needs proof (factors-and-service.md, invariant 2): a user with a factor proves it
# before adding another, whatever a rule or Action asked.


def test_an_enroll_step_for_a_user_with_a_factor_becomes_challenge_then_enroll(policy, user):
    r = resolve([enroll("webauthn-roaming", source="rule:keys")], policy(), user(["otp"]))
    assert steps(r) == [
        ("challenge", ("otp",), "rule:keys"),
        ("enroll", ("webauthn-roaming",), "rule:keys"),
    ]
    assert (r.outcome, r.factors, r.source) == ("challenge", ("otp",), "rule:keys")
    assert notes(r)[-1] == "challenge_before_enroll"


def test_a_verified_email_alone_is_a_factor_to_prove_first(policy, user):
    """The reproduction: force_enrollment for a user whose only factor is a verified email."""
    r = resolve(
        [enroll("otp", "webauthn-roaming")], policy("always"), user([], email_verified=True)
    )
    assert steps(r) == [
        ("challenge", ("email",), "action:a"),
        ("enroll", ("otp", "webauthn-roaming"), "action:a"),
    ]


def test_a_recovery_code_alone_is_a_factor_to_prove_first(policy, user):
    r = resolve([enroll("otp")], policy(), user(["recovery-code"]))
    assert steps(r)[0] == ("challenge", ("recovery-code",), "action:a")


def test_the_guard_offers_every_usable_factor_of_the_user(policy, user):
    r = resolve([enroll("webauthn-roaming")], policy(), user(["otp", "sms", "recovery-code"]))
    assert r.factors == ("otp", "recovery-code", "sms")


def test_a_generic_step_turned_enroll_is_guarded_too(policy, user):
    """``require mfa with [webauthn-roaming]`` for a user with only an app: prove the app."""
    r = resolve([require(["webauthn-roaming"])], policy(), user(["otp"]))
    assert steps(r) == [
        ("challenge", ("otp",), "rule:r"),
        ("enroll", ("webauthn-roaming",), "rule:r"),
    ]
    assert r.allow_remember_browser is False


def test_a_challenge_before_the_enroll_step_already_proves(policy, user):
    r = resolve([challenge("otp"), enroll("webauthn-roaming")], policy(), user(["otp"]))
    assert [s[0] for s in steps(r)] == ["challenge", "enroll"]
    assert "challenge_before_enroll" not in notes(r)


def test_a_user_with_no_factor_enrolls_first(policy, user):
    r = resolve([enroll("otp")], policy(), user([]))
    assert steps(r) == [("enroll", ("otp",), "action:a")]


def test_a_verified_email_of_a_tenant_without_email_is_no_factor(policy, user):
    enabled = ("otp", "webauthn-roaming")
    r = resolve([enroll("otp")], policy(factors=enabled), user([], email_verified=True))
    assert steps(r) == [("enroll", ("otp",), "action:a")]


def test_a_user_whose_factors_are_all_disabled_is_denied(policy, user):
    """Nothing could prove the account holder: fail closed (an admin resets the factors)."""
    r = resolve([enroll("webauthn-roaming")], policy(factors=("webauthn-roaming",)), user(["sms"]))
    assert (r.outcome, r.deny_reason) == ("deny", "mfa_factor_unavailable")


def test_a_challenge_met_earlier_in_the_session_does_not_prove_for_an_enrollment(policy, user):
    """The service can check only what this login passed: the guard is put back."""
    directives = [challenge("otp"), enroll("webauthn-roaming")]
    r = resolve(directives, policy(), user(["otp"], mfa=["otp"]))
    assert [s[0] for s in steps(r)] == ["challenge", "enroll"]
    assert notes(r)[-1] == "challenge_before_enroll"

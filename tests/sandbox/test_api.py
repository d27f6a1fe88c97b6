"""Every ``api`` call of spec/actions-api.md and the directive or record it produces."""

from __future__ import annotations

import pytest

from contextmfa.directives import Deny, Require, Skip, Step

SOURCE = "action:step_up"
GUARDIAN = frozenset({"push-notification", "sms", "otp", "email"})


def test_deny_records_the_reason_and_keeps_running(sb):
    result = sb.succeeded(sb.run('api.access.deny("blocked country")\nprint("after")'))
    assert result.directives == (Deny("blocked country", SOURCE),)
    assert result.denied is True
    assert sb.logs(result) == ["after"]


@pytest.mark.parametrize(
    ("call", "directive"),
    [
        ('api.multifactor.enable("any")', Require(None, False, SOURCE)),
        ('api.multifactor.enable("none")', Skip(SOURCE)),
        ('api.multifactor.enable("duo")', Require(frozenset({"duo"}), False, SOURCE)),
        ('api.multifactor.enable("guardian")', Require(GUARDIAN, False, SOURCE)),
        (
            'api.multifactor.enable("google-authenticator", allow_remember_browser=True)',
            Require(frozenset({"otp"}), True, SOURCE),
        ),
    ],
)
def test_multifactor_enable_providers(sb, call, directive):
    result = sb.succeeded(sb.run(call))
    assert result.directives == (directive,)
    assert result.denied is False


def test_unknown_provider_is_an_error(sb):
    message = sb.failed(sb.run('api.multifactor.enable("sms")'), "exception")
    assert "unknown provider 'sms'" in message


def test_remember_browser_must_be_a_bool(sb):
    sb.failed(sb.run('api.multifactor.enable("any", allow_remember_browser="yes")'), "exception")


@pytest.mark.parametrize(
    ("call", "kind", "factors"),
    [
        ('challenge_with("otp")', "challenge", {"otp"}),
        (
            'challenge_with("otp", additional_factors=["webauthn-roaming", {"type": "email"}])',
            "challenge",
            {"otp", "webauthn-roaming", "email"},
        ),
        (
            'challenge_with_any([{"type": "duo"}, "recovery-code"])',
            "challenge",
            {"duo", "recovery-code"},
        ),
        ('enroll_with("webauthn-platform")', "enroll", {"webauthn-platform"}),
        ('enroll_with("otp", additional_factors=["sms"])', "enroll", {"otp", "sms"}),
        ('enroll_with_any(["push-notification", "otp"])', "enroll", {"push-notification", "otp"}),
    ],
)
def test_challenge_and_enroll_steps(sb, call, kind, factors):
    result = sb.succeeded(sb.run(f"api.authentication.{call}"))
    assert result.directives == (Step(kind, frozenset(factors), SOURCE),)


@pytest.mark.parametrize(
    ("selector", "factors"),
    [
        ('"otp"', {"otp"}),
        ('{"type": "otp"}', {"otp"}),
        ('"phone"', {"sms", "voice"}),
        ('{"type": "phone"}', {"sms", "voice"}),
        ('{"type": "phone", "options": {"preferred_method": "sms"}}', {"sms"}),
        ('{"type": "phone", "options": {"preferred_method": "voice"}}', {"voice"}),
        ('{"type": "phone", "options": {"preferred_method": "both"}}', {"sms", "voice"}),
        ("event.user.enrolled_factors[1]", {"sms"}),
    ],
)
def test_factor_selector_forms(sb, selector, factors):
    result = sb.succeeded(sb.run(f"api.authentication.challenge_with({selector})"))
    assert result.directives[0].factors == frozenset(factors)


@pytest.mark.parametrize(
    "selector",
    [
        '"fingerprint"',
        '{"type": "totp"}',
        '{"type": "phone", "options": {"preferred_method": "fax"}}',
        "42",
        '{"kind": "otp"}',
    ],
)
def test_unknown_or_malformed_factor_is_an_error(sb, selector):
    result = sb.run(f"api.authentication.challenge_with({selector})")
    sb.failed(result, "exception")
    assert result.directives == ()


def test_unknown_factor_among_additional_factors(sb):
    result = sb.run('api.authentication.enroll_with("otp", additional_factors=["otp", "pigeon"])')
    assert "unknown factor 'pigeon'" in sb.failed(result, "exception")


def test_empty_factor_list_is_an_error(sb):
    sb.failed(sb.run("api.authentication.challenge_with_any([])"), "exception")


def test_fifth_step_is_a_limit_error(sb):
    result = sb.run(
        """
        for _ in range(4):
            api.authentication.challenge_with("otp")
        print("four ok")
        api.authentication.enroll_with("sms")
        """
    )
    assert "at most 4" in sb.failed(result, "limit")
    assert sb.logs(result) == ["four ok"]
    assert result.error.line == 5


def test_step_limit_counts_steps_of_earlier_actions(sb):
    action = sb.compile('api.authentication.challenge_with("otp")')
    sb.succeeded(sb.execute(action, steps_so_far=3))
    sb.failed(sb.execute(action, steps_so_far=4), "limit")


def test_metadata_claims_and_transaction_are_recorded(sb):
    result = sb.succeeded(
        sb.run(
            """
            api.user.set_app_metadata("risk", {"score": 3, "tags": ("a", "b")})
            api.user.set_app_metadata("stale", None)
            api.user.set_user_metadata("theme", "dark")
            api.id_token.set_custom_claim("https://acme.test/roles", event.authorization.roles)
            api.access_token.set_custom_claim("https://x/plan", event.user.app_metadata.plan)
            api.transaction.set_metadata("ticket", 1.5)
            """
        )
    )
    assert result.app_metadata == {"risk": {"score": 3, "tags": ["a", "b"]}, "stale": None}
    assert result.user_metadata == {"theme": "dark"}
    assert result.id_token_claims == {"https://acme.test/roles": ["admin", "billing"]}
    assert result.access_token_claims == {"https://x/plan": "pro"}
    assert result.transaction_metadata == {"ticket": 1.5}
    assert result.directives == ()


def test_recorded_values_are_copies(sb):
    event = sb.event_copy()
    result = sb.succeeded(
        sb.execute(
            sb.compile(
                """
                tags = event.user.app_metadata.tags
                api.user.set_app_metadata("tags", tags)
                """
            ),
            event=event,
        )
    )
    result.app_metadata["tags"].append("mutated")
    assert event["user"]["app_metadata"]["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        ('api.user.set_app_metadata("k", {1: "int key"})', "exception"),
        ('api.user.set_app_metadata("k", float("nan"))', "exception"),
        ('api.user.set_user_metadata("k", api)', "exception"),
        ('api.user.set_user_metadata("", 1)', "exception"),
        ("api.user.set_user_metadata(5, 1)", "exception"),
        ('api.id_token.set_custom_claim("sub", "someone-else")', "exception"),
        ('api.access_token.set_custom_claim("aud", "x")', "exception"),
        ('api.transaction.set_metadata("k", "x" * 20000)', "limit"),
        ('api.user.set_app_metadata("k" * 300, 1)', "limit"),
        ("api.access.deny(42)", "exception"),
    ],
)
def test_invalid_api_arguments(sb, call, kind):
    sb.failed(sb.run(call), kind)


def test_api_errors_are_sticky_even_when_caught(sb):
    result = sb.run(
        """
        try:
            api.authentication.challenge_with("nonsense")
        except Exception:
            pass
        api.multifactor.enable("none")
        """
    )
    sb.failed(result, "exception")
    assert result.directives == ()


def test_failed_run_keeps_an_earlier_deny_but_drops_the_rest(sb):
    result = sb.run(
        """
        api.user.set_app_metadata("seen", True)
        api.access.deny("nope")
        api.multifactor.enable("any")
        raise ValueError("boom")
        """
    )
    sb.failed(result, "exception")
    assert result.directives == (Deny("nope", SOURCE),)
    assert result.denied is True
    assert result.app_metadata == {}


def test_api_objects_cannot_be_modified(sb):
    sb.failed(sb.run("api.access = None"), "forbidden")
    sb.failed(sb.run("api.cache.get = None"), "forbidden")


def test_recorded_data_is_bounded_per_run(sb):
    result = sb.run(
        """
        for i in range(100):
            api.user.set_app_metadata("k", "x" * 10000)
        """
    )
    assert "recorded by one run" in sb.failed(result, "limit")
    assert result.app_metadata == {}


def test_decisive_calls_are_bounded_per_run(sb):
    result = sb.run('for i in range(100):\n    api.multifactor.enable("any")')
    sb.failed(result, "limit")

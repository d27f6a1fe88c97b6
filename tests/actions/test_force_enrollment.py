"""actions/force_enrollment.py run in the sandbox."""

from contextmfa.directives import Step

STEM = "force_enrollment"
SOURCE = f"action:{STEM}"
DEFAULT_FACTORS = frozenset({"otp", "webauthn-platform", "webauthn-roaming"})


def with_factors(make_event, *types, logins=42):
    factors = [{"type": name, "options": None} for name in types]
    return make_event(user={"enrolled_factors": factors}, stats={"logins_count": logins})


def test_user_with_a_factor_is_left_alone(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()


def test_user_without_factors_must_enroll(run, make_event):
    result = run(STEM, with_factors(make_event))
    assert result.error is None
    assert result.directives == (Step("enroll", DEFAULT_FACTORS, SOURCE),)


def test_email_and_recovery_codes_do_not_count(run, make_event):
    event = with_factors(make_event, "email", "recovery-code")
    assert run(STEM, event).directives == (Step("enroll", DEFAULT_FACTORS, SOURCE),)


def test_sms_counts_as_a_factor(run, make_event):
    result = run(STEM, with_factors(make_event, "sms"))
    assert result.error is None
    assert result.directives == ()


def test_enroll_factors_secret(run, make_event):
    secrets = {"ENROLL_FACTORS": "otp, Push-Notification"}
    result = run(STEM, with_factors(make_event), secrets)
    assert result.directives == (Step("enroll", frozenset({"otp", "push-notification"}), SOURCE),)


def test_grace_logins(run, make_event):
    secrets = {"GRACE_LOGINS": "3"}
    third = run(STEM, with_factors(make_event, logins=3), secrets)
    assert third.error is None
    assert third.directives == ()
    assert any("grace period" in log.line for log in third.logs)
    fourth = run(STEM, with_factors(make_event, logins=4), secrets)
    assert fourth.directives == (Step("enroll", DEFAULT_FACTORS, SOURCE),)


def test_unknown_login_count_gets_no_grace(run, make_event):
    event = with_factors(make_event)
    event["stats"] = None
    result = run(STEM, event, {"GRACE_LOGINS": "10"})
    assert result.directives == (Step("enroll", DEFAULT_FACTORS, SOURCE),)


def test_bad_secrets_fail_with_their_name(run, make_event):
    for name, value in (
        ("ENROLL_FACTORS", "otp,yubikey"),
        ("ENROLL_FACTORS", "email"),
        ("ENROLL_FACTORS", ""),
        ("GRACE_LOGINS", "-1"),
        ("GRACE_LOGINS", "three"),
    ):
        result = run(STEM, with_factors(make_event), {name: value})
        assert result.error is not None, (name, value)
        assert name in result.error.message

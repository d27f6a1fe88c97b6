"""actions/sensitive_app_step_up.py run in the sandbox."""

from contextmfa.directives import Step

STEM = "sensitive_app_step_up"
SOURCE = f"action:{STEM}"
STRONG = frozenset({"otp", "webauthn-roaming", "webauthn-platform"})
PAYROLL_ID = "p3XrVxvxZ8Kf2lMSX9DsxZrYcB0pOTw8"


def app(make_event, sensitivity=None, client_id=PAYROLL_ID, factors=("otp",)):
    metadata = {} if sensitivity is None else {"sensitivity": sensitivity}
    return make_event(
        client={"client_id": client_id, "name": "Acme Payroll", "metadata": metadata},
        user={"enrolled_factors": [{"type": name, "options": None} for name in factors]},
    )


def test_ordinary_application_needs_nothing(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()


def test_high_sensitivity_app_challenges_with_strong_factors(run, make_event):
    result = run(STEM, app(make_event, "High"))
    assert result.error is None
    assert result.directives == (Step("challenge", STRONG, SOURCE),)
    assert any("Acme Payroll" in log.line for log in result.logs)


def test_other_sensitivity_levels_are_ignored_by_default(run, make_event):
    assert run(STEM, app(make_event, "medium")).directives == ()
    assert run(STEM, app(make_event, 3)).directives == ()


def test_sensitive_levels_secret(run, make_event):
    secrets = {"SENSITIVE_LEVELS": "high, Critical"}
    assert run(STEM, app(make_event, "critical"), secrets).directives == (
        Step("challenge", STRONG, SOURCE),
    )


def test_sensitive_clients_secret_lists_client_ids(run, make_event):
    secrets = {"SENSITIVE_CLIENTS": f"someotherclient,{PAYROLL_ID}"}
    assert run(STEM, app(make_event), secrets).directives == (Step("challenge", STRONG, SOURCE),)
    assert run(STEM, app(make_event), {}).directives == ()


def test_step_up_factors_secret(run, make_event):
    secrets = {"STEP_UP_FACTORS": "webauthn-roaming,push-notification"}
    event = app(make_event, "high", factors=("push-notification",))
    expected = frozenset({"webauthn-roaming", "push-notification"})
    assert run(STEM, event, secrets).directives == (Step("challenge", expected, SOURCE),)


def test_user_with_only_weak_factors_proves_them_then_enrolls(run, make_event):
    result = run(STEM, app(make_event, "high", factors=("sms", "email")))
    assert result.error is None
    assert result.directives == (
        Step("challenge", frozenset({"sms", "email"}), SOURCE),
        Step("enroll", STRONG, SOURCE),
    )


def test_user_without_factors_enrolls_a_strong_one(run, make_event):
    result = run(STEM, app(make_event, "high", factors=()))
    assert result.directives == (Step("enroll", STRONG, SOURCE),)


def test_login_without_a_client_is_not_sensitive(run, make_event):
    event = make_event()
    event["client"] = None
    result = run(STEM, event, {"SENSITIVE_CLIENTS": PAYROLL_ID})
    assert result.error is None
    assert result.directives == ()


def test_bad_step_up_factors_fail(run, make_event):
    result = run(STEM, app(make_event, "high"), {"STEP_UP_FACTORS": "otp,totp"})
    assert result.error is not None
    assert "STEP_UP_FACTORS" in result.error.message

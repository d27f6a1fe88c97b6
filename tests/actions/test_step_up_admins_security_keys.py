"""actions/step_up_admins_security_keys.py run in the sandbox."""

from contextmfa.directives import Step

STEM = "step_up_admins_security_keys"
SOURCE = f"action:{STEM}"
KEYS = frozenset({"webauthn-roaming", "webauthn-platform"})


def admin(make_event, *factor_types, roles=("admin",)):
    factors = [{"type": name, "options": None} for name in factor_types]
    return make_event(authorization={"roles": list(roles)}, user={"enrolled_factors": factors})


def test_non_admins_are_left_alone(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()


def test_admin_with_a_security_key_is_challenged_with_webauthn(run, make_event):
    result = run(STEM, admin(make_event, "otp", "webauthn-roaming"))
    assert result.error is None
    assert result.directives == (Step("challenge", KEYS, SOURCE),)


def test_admin_with_only_a_platform_authenticator_is_challenged(run, make_event):
    result = run(STEM, admin(make_event, "webauthn-platform"))
    assert result.directives == (Step("challenge", KEYS, SOURCE),)


def test_admin_without_a_key_proves_an_existing_factor_then_enrolls(run, make_event):
    result = run(STEM, admin(make_event, "otp", "sms", "otp"))
    assert result.error is None
    assert result.directives == (
        Step("challenge", frozenset({"otp", "sms"}), SOURCE),
        Step("enroll", frozenset({"webauthn-roaming"}), SOURCE),
    )


def test_admin_without_any_factor_enrolls_a_key(run, make_event):
    result = run(STEM, admin(make_event))
    assert result.directives == (Step("enroll", frozenset({"webauthn-roaming"}), SOURCE),)


def test_admin_roles_secret_is_a_case_insensitive_list(run, make_event):
    secrets = {"ADMIN_ROLES": "Billing-Admin, support-lead"}
    event = admin(make_event, "webauthn-roaming", roles=("employee", "billing-admin"))
    assert run(STEM, event, secrets).directives == (Step("challenge", KEYS, SOURCE),)
    plain_admin = admin(make_event, "webauthn-roaming", roles=("admin",))
    assert run(STEM, plain_admin, secrets).directives == ()


def test_default_role_matches_case_insensitively(run, make_event):
    event = admin(make_event, "webauthn-roaming", roles=("Admin",))
    assert run(STEM, event).directives == (Step("challenge", KEYS, SOURCE),)


def test_platform_authenticators_can_be_refused(run, make_event):
    secrets = {"ALLOW_PLATFORM": "false"}
    with_key = run(STEM, admin(make_event, "webauthn-roaming"), secrets)
    assert with_key.directives == (Step("challenge", frozenset({"webauthn-roaming"}), SOURCE),)
    platform_only = run(STEM, admin(make_event, "webauthn-platform"), secrets)
    assert platform_only.directives == (
        Step("challenge", frozenset({"webauthn-platform"}), SOURCE),
        Step("enroll", frozenset({"webauthn-roaming"}), SOURCE),
    )


def test_bad_allow_platform_fails(run, make_event):
    result = run(STEM, admin(make_event, "webauthn-roaming"), {"ALLOW_PLATFORM": "maybe"})
    assert result.error is not None
    assert "ALLOW_PLATFORM" in result.error.message

"""Make every user enroll a second factor.

What it does
    A user with no second factor of their own in `event.user.enrolled_factors` is sent to
    enrollment and may pick any of ENROLL_FACTORS (those the tenant has enabled). Email and
    recovery codes are not what this Action asks for: they are fallbacks, not a factor a user set
    up. They still are factors of the account, so a user who has one must prove it first:
    resolution turns the enroll step into "challenge with email (or the recovery code), then
    enroll", and the decision's `outcome` is `challenge`. Only a user with nothing at all (no
    factor, no verified email) gets `outcome: enroll` straight away. An optional grace period
    lets the first GRACE_LOGINS logins (as counted by `event.stats.logins_count`, which includes
    this login) through without enrolling; when the login count is unknown the grace period does
    not apply (fail closed).

When to use it
    Rolling MFA out to an existing user base: everyone ends up with a factor, with no support
    ticket. Users who already have one are left to the other Actions and the dashboard policy.

Secrets ([secrets.force_enrollment] in tenant.toml, all optional)
    ENROLL_FACTORS  comma list of factor names offered for enrollment (otp, sms, voice,
                    push-notification, webauthn-roaming, webauthn-platform, duo).
                    Default "otp,webauthn-platform,webauthn-roaming".
    GRACE_LOGINS    whole number of logins a new user may make before enrolling. Default "0".

Contributes
    enroll with any of ENROLL_FACTORS   user without a factor of their own, past the grace period
                                        (after a challenge when they have email or a recovery code)
    nothing                             user with a factor, or still in the grace period

Example
    [secrets.force_enrollment]
    ENROLL_FACTORS = "otp,webauthn-platform,webauthn-roaming,push-notification"
    GRACE_LOGINS = "3"
"""

import re

DEFAULT_FACTORS = "otp,webauthn-platform,webauthn-roaming"
ENROLLABLE = (
    "otp",
    "sms",
    "voice",
    "push-notification",
    "webauthn-roaming",
    "webauthn-platform",
    "duo",
)
NOT_COUNTED = ("email", "recovery-code")


def factor_list(raw):
    """Parse ENROLL_FACTORS; every entry must be an enrollable factor name."""
    text = DEFAULT_FACTORS if raw is None else str(raw)
    factors = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not factors or not all(factor in ENROLLABLE for factor in factors):
        raise ValueError(f"ENROLL_FACTORS must be a comma list of: {', '.join(ENROLLABLE)}")
    return factors


def grace_logins(raw):
    """Parse GRACE_LOGINS, a whole number >= 0."""
    text = "0" if raw is None else str(raw).strip()
    if not re.fullmatch(r"\d{1,6}", text):
        raise ValueError("GRACE_LOGINS must be a whole number such as 3")
    return int(text)


def on_execute_post_login(event, api):
    factors = factor_list(event.secrets.get("ENROLL_FACTORS"))
    grace = grace_logins(event.secrets.get("GRACE_LOGINS"))

    counted = [f.type for f in event.user.enrolled_factors if f.type not in NOT_COUNTED]
    if counted:
        return

    stats = event.stats
    logins = stats.logins_count if stats is not None else None
    if grace > 0 and logins is not None and logins <= grace:
        print(f"no factor enrolled yet; login {logins} is within the grace period")
        return
    print("no factor enrolled: enrollment required")
    api.authentication.enroll_with_any(factors)

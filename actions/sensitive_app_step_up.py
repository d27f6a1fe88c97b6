"""Step up to strong MFA, every time, for sensitive applications.

What it does
    A login to a sensitive application must pass a strong factor: by default OTP or WebAuthn,
    never email or SMS (both can be intercepted or SIM-swapped). An application is sensitive when
    its client metadata says so (`event.client.metadata["sensitivity"]`, e.g. "high") or its
    client_id is listed in SENSITIVE_CLIENTS. The step is an explicit challenge, which the
    runtime never lets a remembered browser skip: the user is asked on every login.
    A user with none of the strong factors must first pass a factor they have (if any), then
    enroll a strong one; a stolen password alone can never register an attacker's factor.
    A login without a client (`event.client` null) is not treated as sensitive: there is no
    application to protect. Only factors enabled in `[policy] factors` are offered; a step left
    with nothing to offer denies the login (`mfa_factor_unavailable`), as a step-up should.

When to use it
    Finance, HR, admin consoles, production access: applications where a session is worth more
    than the friction of a prompt.

Secrets ([secrets.sensitive_app_step_up] in tenant.toml, all optional)
    SENSITIVE_CLIENTS  comma list of client_ids always treated as sensitive. Default "".
    SENSITIVE_LEVELS   comma list of client.metadata.sensitivity values that are sensitive,
                       case-insensitive. Default "high".
    STEP_UP_FACTORS    comma list of factor names accepted for the step-up.
                       Default "otp,webauthn-roaming,webauthn-platform".

Contributes
    challenge with any of STEP_UP_FACTORS        sensitive app, user has one of them
    challenge <their factors>, then enroll with  sensitive app, user has none of them
      any of STEP_UP_FACTORS                     (no challenge when they have no factor)
    nothing                                      other applications

Example
    [secrets.sensitive_app_step_up]
    SENSITIVE_CLIENTS = "y5Ut7cLYtOjSmSEW8gB1dAqOyKeQO2Rk,p3XrVxvxZ8Kf2lMSX9DsxZrYcB0pOTw8"
    SENSITIVE_LEVELS = "high,critical"
    STEP_UP_FACTORS = "otp,webauthn-roaming,webauthn-platform,push-notification"
"""

FACTORS = (
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


def comma_list(raw, default):
    """Split a comma-list secret, trimming blanks."""
    text = default if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def step_up_factors(raw):
    """Parse STEP_UP_FACTORS; every entry must be a factor name."""
    factors = [f.lower() for f in comma_list(raw, "otp,webauthn-roaming,webauthn-platform")]
    if not factors or not all(factor in FACTORS for factor in factors):
        raise ValueError(f"STEP_UP_FACTORS must be a comma list of: {', '.join(FACTORS)}")
    return factors


def is_sensitive(client, clients, levels):
    """True when the client is listed or its metadata sensitivity is one of `levels`."""
    if client is None:
        return False
    if client.client_id in clients:
        return True
    level = client.metadata.get("sensitivity")
    return isinstance(level, str) and level.strip().lower() in levels


def on_execute_post_login(event, api):
    clients = comma_list(event.secrets.get("SENSITIVE_CLIENTS"), "")
    levels = [level.lower() for level in comma_list(event.secrets.get("SENSITIVE_LEVELS"), "high")]
    factors = step_up_factors(event.secrets.get("STEP_UP_FACTORS"))

    if not is_sensitive(event.client, clients, levels):
        return

    enrolled = []
    for factor in event.user.enrolled_factors:
        if factor.type not in enrolled:
            enrolled.append(factor.type)
    if any(factor in enrolled for factor in factors):
        print(f"sensitive application {event.client.name}: strong MFA required")
        api.authentication.challenge_with_any(factors)
        return

    print(f"sensitive application {event.client.name}: enroll a strong factor first")
    if enrolled:
        api.authentication.challenge_with_any(enrolled)
    api.authentication.enroll_with_any(factors)

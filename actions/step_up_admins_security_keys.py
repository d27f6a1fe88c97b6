"""Administrators must sign in with a security key (phishing-resistant MFA).

What it does
    Users holding an administrator role (`event.authorization.roles`) must pass a WebAuthn
    challenge: a roaming security key (YubiKey, Titan) or, unless disabled, a platform
    authenticator (Touch ID, Windows Hello, passkeys). An administrator with no such factor
    enrolled is asked to enroll a security key; when they have other factors, they must first
    pass one of those, so a stolen password alone can never register an attacker's key.
    Explicit challenge steps never honour remember-browser: admins are asked every login.
    Enable webauthn-roaming (and webauthn-platform) in `[policy] factors`: a factor the tenant
    has not enabled is never offered, and an explicit step left with nothing to offer denies
    the login (`mfa_factor_unavailable`).

When to use it
    Any tenant with privileged users: phishing kits relay OTP and push codes, not WebAuthn.

Secrets ([secrets.step_up_admins_security_keys] in tenant.toml, all optional)
    ADMIN_ROLES     comma list of role names that count as administrator, compared
                    case-insensitively. Default "admin".
    ALLOW_PLATFORM  "true" (default) also accepts webauthn-platform; "false" accepts
                    only webauthn-roaming security keys.

Contributes
    challenge webauthn-roaming (+ webauthn-platform)   admin with such a factor enrolled
    challenge <their other factors>, then              admin without one: prove an existing
      enroll webauthn-roaming                          factor, then register a key
    enroll webauthn-roaming                            admin with no factor at all
    nothing                                            everyone else

Example
    [secrets.step_up_admins_security_keys]
    ADMIN_ROLES = "admin,billing-admin,support-lead"
    ALLOW_PLATFORM = "true"
"""

DEFAULT_ROLES = "admin"
TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


def role_list(raw):
    """Parse ADMIN_ROLES into lower-case role names."""
    text = DEFAULT_ROLES if raw is None else str(raw)
    return [part.strip().lower() for part in text.split(",") if part.strip()]


def flag(raw, name, default):
    """Parse a true/false secret."""
    if raw is None:
        return default
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be true or false")


def enrolled_types(event):
    """The user's enrolled factor types, in order, without duplicates."""
    types = []
    for factor in event.user.enrolled_factors:
        if factor.type not in types:
            types.append(factor.type)
    return types


def on_execute_post_login(event, api):
    admin_roles = role_list(event.secrets.get("ADMIN_ROLES"))
    allow_platform = flag(event.secrets.get("ALLOW_PLATFORM"), "ALLOW_PLATFORM", True)

    roles = [str(role).lower() for role in event.authorization.roles]
    if not any(role in admin_roles for role in roles):
        return

    keys = ["webauthn-roaming", "webauthn-platform"] if allow_platform else ["webauthn-roaming"]
    enrolled = enrolled_types(event)
    if any(key in enrolled for key in keys):
        api.authentication.challenge_with(keys[0], additional_factors=keys[1:])
        return

    others = [factor for factor in enrolled if factor not in keys]
    if others:
        print("administrator without a security key: verify an existing factor, then enroll one")
        api.authentication.challenge_with_any(others)
    else:
        print("administrator without any factor: enroll a security key")
    api.authentication.enroll_with("webauthn-roaming")

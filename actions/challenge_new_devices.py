"""Require MFA on devices the user has not signed in from before.

What it does
    Reads the runtime's device assessment
    (`event.authentication.risk_assessment.assessments.new_device`), which compares the login's
    device id cookie and user agent with the user's recent logins:
    - `match` (device id seen within device_trust_days): nothing;
    - `partial_match` (same browser user agent, no known device id, e.g. cleared cookies): MFA,
      which a browser that recently passed MFA with "remember this browser" may skip;
    - `no_match` / `unknown_device` (new device, or no device id and no user agent at all): MFA
      with remember-browser off;
    - `initial_login` (the user's first login): MFA by default, so a brand-new account proves
      (or enrolls) a second factor at once.
    A missing assessment or an unknown code is treated as a new device (fail closed).

When to use it
    Account-takeover protection in the style of Auth0's "new device" signal: most logins come from
    known devices and see no prompt, a password replayed from an attacker's machine does.

Secrets ([secrets.challenge_new_devices] in tenant.toml, all optional)
    CHALLENGE_INITIAL_LOGIN  "true" (default) requires MFA on a user's first login;
                             "false" lets it through (other Actions, e.g. force_enrollment,
                             may still act).

Contributes
    require MFA (any factor, remember off)   no_match, unknown_device, missing assessment,
                                             initial_login (by default)
    require MFA (any factor, remember on)    partial_match
    nothing                                  match

Example
    [secrets.challenge_new_devices]
    CHALLENGE_INITIAL_LOGIN = "false"
"""

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


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


def device_code(event):
    """The new_device assessment code, or None when the runtime gave none."""
    risk = event.authentication.risk_assessment
    if risk is None or risk.assessments is None or risk.assessments.new_device is None:
        return None
    return risk.assessments.new_device.code


def on_execute_post_login(event, api):
    challenge_first = flag(
        event.secrets.get("CHALLENGE_INITIAL_LOGIN"), "CHALLENGE_INITIAL_LOGIN", True
    )

    code = device_code(event)
    if code == "match":
        return
    if code == "partial_match":
        print("known browser without its device id: MFA unless the browser is remembered")
        api.multifactor.enable("any", allow_remember_browser=True)
    elif code == "initial_login":
        if challenge_first:
            print("first login of this user: MFA required")
            api.multifactor.enable("any")
    elif code in ("no_match", "unknown_device"):
        print(f"new device ({code}): MFA required")
        api.multifactor.enable("any")
    else:
        print(f"device assessment unavailable ({code}): MFA required")
        api.multifactor.enable("any")

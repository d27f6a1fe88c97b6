"""Challenge or deny logins after impossible or substantial travel.

What it does
    Reads the runtime's travel assessment
    (`event.authentication.risk_assessment.assessments.impossible_travel`), which compares this
    login's GeoIP coordinates with the user's last login:
    - `impossible_travel_from_last_login` (farther than 100 km, faster than the tenant's
      `impossible_speed_kmh`): MFA, or a deny when MODE = "deny";
    - `substantial_travel_from_last_login` (more than 2000 km, at a possible speed): MFA;
    - `missing_geoip` (this or the last login has no coordinates): MFA, since travel cannot be
      ruled out;
    - `minimal_travel_from_last_login`, `travel_from_last_login`, `initial_login`: nothing.
    A missing assessment or a code this Action does not know is treated like missing data (MFA).
    Remember-browser is off: a remembered browser does not excuse a jump across the globe.

When to use it
    To stop session hijacking and credential stuffing from far away, à la Auth0's Impossible
    Travel detection. Pick MODE = "deny" only when your users never use VPNs that exit far away.

Secrets ([secrets.impossible_travel] in tenant.toml, all optional)
    MODE                "challenge" (default) or "deny" for impossible travel.
    SUBSTANTIAL_TRAVEL  "challenge" (default) or "ignore" for substantial (possible) travel.
    MISSING_GEOIP       "challenge" (default) or "ignore" when coordinates are missing, e.g.
                        for tenants whose users sign in from private intranet addresses.

Contributes
    deny "impossible_travel"    impossible travel and MODE = "deny"
    require MFA (any factor)    impossible travel (MODE = "challenge"), substantial travel,
                                missing coordinates, missing or unknown assessment
    nothing                     otherwise

Example
    [secrets.impossible_travel]
    MODE = "deny"
    SUBSTANTIAL_TRAVEL = "challenge"
    MISSING_GEOIP = "ignore"
"""

QUIET_CODES = (
    "minimal_travel_from_last_login",
    "travel_from_last_login",
    "initial_login",
)


def choice(raw, name, choices, default):
    """Parse a secret that must be one of `choices`."""
    value = default if raw is None else str(raw).strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of: {', '.join(choices)}")
    return value


def travel_assessment(event):
    """Return (code, details) of the impossible_travel assessment, or (None, None)."""
    risk = event.authentication.risk_assessment
    if risk is None or risk.assessments is None:
        return None, None
    travel = risk.assessments.impossible_travel
    if travel is None:
        return None, None
    return travel.code, travel.details


def describe(details):
    """A short log text with the distance and speed the runtime measured."""
    if details is None:
        return ""
    distance = details.get("distance_km")
    speed = details.get("speed_kmh")
    last = details.get("country_code")
    return f" ({distance} km at {speed} km/h from last login in {last})"


def on_execute_post_login(event, api):
    mode = choice(event.secrets.get("MODE"), "MODE", ("challenge", "deny"), "challenge")
    substantial = choice(
        event.secrets.get("SUBSTANTIAL_TRAVEL"),
        "SUBSTANTIAL_TRAVEL",
        ("challenge", "ignore"),
        "challenge",
    )
    missing = choice(
        event.secrets.get("MISSING_GEOIP"), "MISSING_GEOIP", ("challenge", "ignore"), "challenge"
    )

    code, details = travel_assessment(event)
    if code in QUIET_CODES:
        return
    if code == "impossible_travel_from_last_login":
        print("impossible travel" + describe(details))
        if mode == "deny":
            api.access.deny("impossible_travel")
        else:
            api.multifactor.enable("any")
    elif code == "substantial_travel_from_last_login":
        if substantial == "challenge":
            print("substantial travel" + describe(details))
            api.multifactor.enable("any")
    elif code == "missing_geoip":
        if missing == "challenge":
            print("no coordinates for this or the last login: MFA required")
            api.multifactor.enable("any")
    else:
        print(f"travel assessment unavailable ({code}): MFA required")
        api.multifactor.enable("any")

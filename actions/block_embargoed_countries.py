"""Deny logins that come from an embargoed country.

What it does
    Looks up the login's country (`event.request.geoip.country_code`, ISO 3166-1 alpha-2) and
    denies the login when it is on the embargo list. When the IP address has no GeoIP entry
    (private, reserved or unknown addresses) the country cannot be checked: by default the login
    is then challenged with MFA rather than let through unchecked (fail closed).

When to use it
    Export-control or sanctions compliance (OFAC, EU): no sign-in from comprehensively sanctioned
    countries. Regional embargoes (for example Crimea) need the subdivision, which the rule
    language exposes as `geo.subdivision`; write those as a rule.

Secrets ([secrets.block_embargoed_countries] in tenant.toml, all optional)
    EMBARGOED_COUNTRIES  comma list of ISO 3166-1 alpha-2 codes, case-insensitive.
                         Default "CU,IR,KP,SY". An empty string embargoes nothing.
    UNKNOWN_COUNTRY      what to do when the country is unknown: "challenge" (default),
                         "deny" (reason "unknown_country") or "allow".

Contributes
    deny "embargoed_country"       the country is on the list (no later Action runs)
    deny "unknown_country"         no country and UNKNOWN_COUNTRY = "deny"
    require MFA (any factor)       no country and UNKNOWN_COUNTRY = "challenge" (remember off)
    nothing                        every other login

Example
    [secrets.block_embargoed_countries]
    EMBARGOED_COUNTRIES = "CU,IR,KP,SY,BY"
    UNKNOWN_COUNTRY = "challenge"
"""

import re

DEFAULT_COUNTRIES = "CU,IR,KP,SY"
UNKNOWN_CHOICES = ("challenge", "deny", "allow")


def country_list(raw):
    """Parse the EMBARGOED_COUNTRIES secret into upper-case alpha-2 codes."""
    text = DEFAULT_COUNTRIES if raw is None else str(raw)
    codes = [part.strip().upper() for part in text.split(",") if part.strip()]
    for code in codes:
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError("EMBARGOED_COUNTRIES must be a comma list of 2-letter country codes")
    return codes


def choice(raw, name, choices, default):
    """Parse a secret that must be one of `choices`."""
    value = default if raw is None else str(raw).strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of: {', '.join(choices)}")
    return value


def on_execute_post_login(event, api):
    embargoed = country_list(event.secrets.get("EMBARGOED_COUNTRIES"))
    unknown = choice(
        event.secrets.get("UNKNOWN_COUNTRY"), "UNKNOWN_COUNTRY", UNKNOWN_CHOICES, "challenge"
    )

    geoip = event.request.geoip
    country = geoip.country_code if geoip is not None else None
    if not country:
        if unknown == "deny":
            print("country unknown for this IP address: denied")
            api.access.deny("unknown_country")
        elif unknown == "challenge":
            print("country unknown for this IP address: MFA required")
            api.multifactor.enable("any")
        return

    if str(country).upper() in embargoed:
        print(f"login from embargoed country {country}")
        api.access.deny("embargoed_country")

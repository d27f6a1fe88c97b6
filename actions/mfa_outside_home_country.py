"""Require MFA when a user signs in from outside their home country.

What it does
    Compares the login's country (`event.request.geoip.country_code`) with the user's home
    country. The home country is `user.app_metadata["home_country"]` (a code such as "NL", or a
    list of codes for users who live in several countries); when the user has none, the tenant's
    HOME_COUNTRY secret applies. A login from elsewhere must pass MFA with any enabled factor.
    It fails closed: an IP address without a GeoIP country, or a user with no home country at
    all, is challenged too. Every login with a known country is recorded in
    `app_metadata["last_country"]`, for support staff and for other Actions.

When to use it
    Workforce tenants whose staff mostly work from one country: a stolen password used from
    abroad meets a second factor, while logins at home follow the dashboard policy. app_metadata
    is set by administrators (or a provisioning job), never by the user, so a user cannot move
    their own home country.

Secrets ([secrets.mfa_outside_home_country] in tenant.toml, all optional)
    HOME_COUNTRY            comma list of ISO 3166-1 alpha-2 codes used for users without
                            app_metadata.home_country. Default: none (such users are challenged).
    ALLOW_REMEMBER_BROWSER  "true" lets a browser that passed MFA in the last
                            remember_browser_days skip the prompt abroad. Default "false".

Contributes
    require MFA (any factor)   country differs from home, or country / home unknown
    nothing                    the login comes from a home country
    app_metadata.last_country  the login's country, when known

Example
    [secrets.mfa_outside_home_country]
    HOME_COUNTRY = "NL,BE"
    ALLOW_REMEMBER_BROWSER = "false"
"""

import re

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


def country_codes(value, name):
    """Normalise a code, a comma list or a list of codes; raise on anything else."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    else:
        try:
            items = list(value)
        except TypeError:
            raise ValueError(f"{name} must hold 2-letter country codes") from None
    codes = [str(item).strip().upper() for item in items if str(item).strip()]
    for code in codes:
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError(f"{name} must hold 2-letter country codes")
    return codes


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


def home_countries(event):
    """The user's home countries: app_metadata first, then the HOME_COUNTRY secret."""
    own = event.user.app_metadata.get("home_country")
    if own is not None:
        try:
            return country_codes(own, "app_metadata.home_country")
        except ValueError:
            print("app_metadata.home_country is not a country code; treating home as unknown")
            return []
    return country_codes(event.secrets.get("HOME_COUNTRY"), "HOME_COUNTRY")


def on_execute_post_login(event, api):
    remember = flag(event.secrets.get("ALLOW_REMEMBER_BROWSER"), "ALLOW_REMEMBER_BROWSER", False)
    home = home_countries(event)

    geoip = event.request.geoip
    country = geoip.country_code if geoip is not None else None
    if not country:
        print("country unknown for this IP address: MFA required")
        api.multifactor.enable("any", allow_remember_browser=remember)
        return

    country = str(country).upper()
    api.user.set_app_metadata("last_country", country)
    if not home:
        print(f"no home country known for this user; login from {country}: MFA required")
        api.multifactor.enable("any", allow_remember_browser=remember)
    elif country not in home:
        print(f"login from {country}, outside the home country: MFA required")
        api.multifactor.enable("any", allow_remember_browser=remember)

"""Prompt for MFA once per session, then stay out of the way.

What it does
    When the session already holds a recent MFA (an `event.authentication.methods` entry named
    "mfa" whose timestamp is at most SESSION_HOURS before the login), the Action does nothing,
    so silent re-authentication and single sign-on to more applications see no prompt. Without
    one it requires MFA with any enabled factor and lets a remembered browser skip the prompt
    (remember_browser_days in tenant.toml). A method timestamp that is missing, malformed,
    without a UTC offset or more than 5 minutes in the future does not count (fail closed).

Note on older MFA
    The runtime counts any "mfa" method in the session as meeting a requirement, whatever its
    age (decisions.md, resolution step 5), so this Action cannot force a new prompt in a session
    whose MFA is older than SESSION_HOURS. Shorten the session lifetime at your identity
    provider for that; SESSION_HOURS decides only whether this Action asks and what it logs.

When to use it
    The classic Auth0 "MFA once per session" Action: the baseline for tenants that want MFA on
    every new session but not on every token refresh.

Secrets ([secrets.mfa_once_per_session] in tenant.toml, all optional)
    SESSION_HOURS  how recent, in hours, an MFA in this session must be (a number > 0,
                   fractions allowed: "0.5"). Default "12".

Contributes
    require MFA (any factor, remember on)   no MFA in the session within SESSION_HOURS
    nothing                                 the session passed MFA recently

Example
    [secrets.mfa_once_per_session]
    SESSION_HOURS = "8"
"""

import datetime
import re

FUTURE_SKEW = datetime.timedelta(minutes=5)


def session_hours(raw):
    """Parse SESSION_HOURS, a positive number of hours."""
    text = "12" if raw is None else str(raw).strip()
    if not re.fullmatch(r"\d{1,4}(\.\d+)?", text) or float(text) <= 0:
        raise ValueError("SESSION_HOURS must be a positive number of hours such as 12")
    return float(text)


def parse_time(text):
    """An aware datetime from an RFC 3339 string, or None."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def recent_mfa(event, window):
    """The age of the newest MFA method within `window` before the login, or None."""
    login = datetime.datetime.fromisoformat(event.timestamp)
    best = None
    for method in event.authentication.methods:
        if method.name != "mfa":
            continue
        moment = parse_time(method.timestamp)
        if moment is None:
            continue
        age = login - moment
        if -FUTURE_SKEW <= age <= window and (best is None or age < best):
            best = age
    return best


def on_execute_post_login(event, api):
    hours = session_hours(event.secrets.get("SESSION_HOURS"))
    age = recent_mfa(event, datetime.timedelta(hours=hours))
    if age is not None:
        print(f"MFA already passed in this session {round(age.total_seconds() / 60)} min ago")
        return
    api.multifactor.enable("any", allow_remember_browser=True)

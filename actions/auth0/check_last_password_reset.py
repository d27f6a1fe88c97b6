"""Deny users whose password is older than 30 days: a port of the Auth0 rule "Check last
password reset".

Source
    auth0/rules, src/rules/check-last-password-reset.js (commit 3ec9c92).

What it does
    Takes the time of the user's last password change (`app_metadata["last_password_reset"]`,
    or `created_at` when the password was never reset) and denies the login with "please change
    your password" when it lies more than MAX_DAYS days before the login. "Now" is the login's
    timestamp.

Port
    user.last_password_reset                   -> event.user.app_metadata["last_password_reset"]
    user.created_at                            -> event.user.created_at
    new Date(text)                             -> datetime.fromisoformat(text), UTC when no
                                                  offset is written (Auth0's servers run UTC)
    daydiff(first, second): (second - first)   -> (second - first) / timedelta(days=1)
      / (1000 * 60 * 60 * 24)
    new Date() (the server's clock)            -> datetime.now(timezone.utc) (the login's time)
    > 30                                       -> > MAX_DAYS (a secret, default 30)
    return callback(new UnauthorizedError(m)) -> api.access.deny(m); return

Differences from the original
    - `last_password_reset` is not part of the login event here (the README's "Coming from
      Auth0"): have the identity provider pass it in app_metadata, as an RFC 3339 string.
    - A date that cannot be read (or no date at all) made the original compare NaN, which lets
      the user in; the port denies, with a log line saying which date was unreadable (fail
      closed).

Secrets ([secrets.check_last_password_reset] in tenant.toml, all optional)
    MAX_DAYS   how many days a password may age (a number > 0). Default "30" (the original's).

Contributes
    deny "please change your password"   the password is older than MAX_DAYS, or its date is
                                         missing or unreadable
    nothing                              a recent password

Example
    [secrets.check_last_password_reset]
    MAX_DAYS = "90"
"""

import datetime
import re


def max_days(raw):
    """MAX_DAYS, a positive number of days."""
    text = "30" if raw is None else str(raw).strip()
    if not re.fullmatch(r"\d{1,5}(\.\d+)?", text) or float(text) <= 0:
        raise ValueError("MAX_DAYS must be a positive number of days such as 30")
    return float(text)


def parse_time(text):
    """An aware datetime from an ISO 8601 string (UTC when it has no offset), or None."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def daydiff(first, second):
    return (second - first) / datetime.timedelta(days=1)


def on_execute_post_login(event, api):
    limit = max_days(event.secrets.get("MAX_DAYS"))
    user = event.user
    last_password_change = user.app_metadata.get("last_password_reset") or user.created_at

    changed = parse_time(last_password_change)
    if changed is None:
        print(f"no readable password date ({last_password_change!r}): denied")
        api.access.deny("please change your password")
        return

    if daydiff(changed, datetime.datetime.now(datetime.UTC)) > limit:
        api.access.deny("please change your password")
        return

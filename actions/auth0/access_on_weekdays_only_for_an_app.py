"""Keep one application closed at weekends: a port of the Auth0 rule "Allow Access during
weekdays for a specific App".

Source
    auth0/rules, src/rules/access-on-weekdays-only-for-an-app.js (commit 2578ae8), and the
    earlier version of the same file (commit 0251971).

What it does
    For the application named CLIENT_NAME, denies the login with "This app is available during
    the week" when the login's day, in TIME_ZONE, is a Saturday or a Sunday. Other
    applications are left alone. "Now" is the login's timestamp, so a replay gives the same
    answer on any day.

Port
    context.clientName === "TheAppToCheckAccessTo"   -> event.client.name == CLIENT_NAME
    new Date().toLocaleDateString("en-US",            -> the weekday of datetime.now() in
      {timeZone: "America/Chicago", weekday: "long"})    TIME_ZONE (see local_day below)
    return callback(new UnauthorizedError(m))         -> api.access.deny(m); return
    callback(null, user, context)                     -> return

Differences from the original
    - The version at commit 2578ae8 denies when the day is *not* Saturday or Sunday
      (`!["Saturday", "Sunday"].includes(day)`), the opposite of its title, its comment ("Don't
      allow access on the weekend"), its message and its own test (a weekend is refused); the
      earlier version denied days 0 and 6. The port denies at weekends.
    - Action code cannot import zoneinfo (the time-zone database is files on the host, outside
      the sandbox), so the port knows the US zones below by their UTC offset and the US
      daylight-saving rule in force since 2007 (second Sunday of March, 2:00, to first Sunday of
      November, 2:00), plus UTC and fixed offsets such as "+01:00". Its answers equal zoneinfo's
      for those zones from 2007 on (tested); other zones are an error (the login follows
      on_error). Rules have full time-zone support (`local.weekday`, in the login's own zone).
    - The earlier version used the server's clock (UTC at Auth0); set TIME_ZONE = "UTC" for it.

Secrets ([secrets.access_on_weekdays_only_for_an_app] in tenant.toml, all optional)
    CLIENT_NAME   the application's name (`event.client.name`). Default
                  "TheAppToCheckAccessTo" (the original's).
    TIME_ZONE     America/New_York, America/Chicago, America/Denver, America/Phoenix,
                  America/Los_Angeles, America/Anchorage, Pacific/Honolulu, UTC, or a fixed
                  offset "+HH:MM" / "-HH:MM". Default "America/Chicago" (the original's).

Contributes
    deny "This app is available during the week"   CLIENT_NAME, on a Saturday or Sunday
    nothing                                        a weekday, or another application

Example
    [secrets.access_on_weekdays_only_for_an_app]
    CLIENT_NAME = "Acme Intranet"
    TIME_ZONE = "America/New_York"
"""

import datetime
import re

WEEKEND = ("Saturday", "Sunday")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
US_ZONES = {  # standard offset from UTC in hours, and whether US daylight-saving time applies
    "America/New_York": (-5, True),
    "America/Chicago": (-6, True),
    "America/Denver": (-7, True),
    "America/Phoenix": (-7, False),
    "America/Los_Angeles": (-8, True),
    "America/Anchorage": (-9, True),
    "Pacific/Honolulu": (-10, False),
    "UTC": (0, False),
}
FIXED_OFFSET = r"([+-])(\d{2}):(\d{2})"


def nth_sunday(year, month, n):
    """The date of the n-th Sunday of a month."""
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def us_offset(zone, utc):
    """The UTC offset of a US zone at the naive UTC time `utc`."""
    standard, daylight_saving = US_ZONES[zone]
    offset = datetime.timedelta(hours=standard)
    if not daylight_saving:
        return offset
    two_am = datetime.time(2)
    # 2:00 local standard time on the second Sunday of March ...
    starts = datetime.datetime.combine(nth_sunday(utc.year, 3, 2), two_am) - offset
    # ... to 2:00 local daylight time on the first Sunday of November.
    ends = datetime.datetime.combine(nth_sunday(utc.year, 11, 1), two_am) - offset
    ends = ends - datetime.timedelta(hours=1)
    if starts <= utc < ends:
        return offset + datetime.timedelta(hours=1)
    return offset


def utc_offset(zone, utc):
    """The UTC offset of TIME_ZONE at the naive UTC time `utc`."""
    if zone in US_ZONES:
        return us_offset(zone, utc)
    fixed = re.fullmatch(FIXED_OFFSET, zone)
    if fixed is None or int(fixed.group(2)) > 14 or int(fixed.group(3)) > 59:
        known = ", ".join(US_ZONES)
        raise ValueError(f"TIME_ZONE must be one of {known} or an offset such as +01:00")
    minutes = int(fixed.group(2)) * 60 + int(fixed.group(3))
    return datetime.timedelta(minutes=-minutes if fixed.group(1) == "-" else minutes)


def local_day(zone):
    """The day of the week, in `zone`, of the login."""
    utc = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    local = utc + utc_offset(zone, utc)
    return DAY_NAMES[local.weekday()]


def on_execute_post_login(event, api):
    client_name = event.client.name if event.client is not None else None
    if client_name == event.secrets.get("CLIENT_NAME", "TheAppToCheckAccessTo"):
        # Get the current day in TIME_ZONE (US Central Time by default).
        day = local_day(event.secrets.get("TIME_ZONE", "America/Chicago"))

        # Don't allow access on the weekend.
        if day in WEEKEND:
            api.access.deny("This app is available during the week")
            return

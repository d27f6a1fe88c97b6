"""Require MFA for logins outside business hours.

What it does
    Works out the user's local time of the login and requires MFA (any factor, remember-browser
    off) when it falls outside the business days and hours. Local time = the login's timestamp
    shifted by a fixed UTC offset, taken from the first of:
    `user.app_metadata["utc_offset"]`, `user.user_metadata["utc_offset"]`, the UTC_OFFSET
    secret, "+00:00". An offset that is present but malformed in the user's metadata fails
    closed (MFA). Hours are inclusive at both ends and compared to the minute, like the rule
    language's `local.time between 08:00 and 18:00`; a window such as "22:00-06:00" wraps over
    midnight. The day is the local weekday of the login.

Limitation
    Action code cannot import zoneinfo, so this Action knows fixed offsets, not time zones: it
    does not follow daylight-saving changes (set "+01:00" in winter and "+02:00" in summer, or
    keep the offset in app_metadata updated). `event.request.geoip.time_zone` is only logged.
    The rule language has full time-zone support (`local.hour`, `local.weekday`, `local.time`,
    in the login's GeoIP time zone); prefer a rule when the GeoIP zone is what you want.
    `user_metadata` can be edited by the user, so an offset there can be moved by its owner;
    set `app_metadata.utc_offset` when that matters.

When to use it
    Workforce tenants where logins at night or at weekends are unusual and worth a second factor,
    optionally only for some roles (e.g. administrators).

Secrets ([secrets.business_hours] in tenant.toml, all optional)
    BUSINESS_HOURS  "HH:MM-HH:MM", local time. Default "08:00-18:00".
    BUSINESS_DAYS   comma list of weekdays or ranges (mon..sun), e.g. "mon-fri" (default),
                    "mon,wed,fri", "sun-thu".
    UTC_OFFSET      "+HH:MM" / "-HH:MM" (also "+0100", "UTC", "Z") for users without an
                    offset in their metadata. Default "+00:00".
    APPLY_TO_ROLES  comma list of roles the Action applies to (case-insensitive). Default ""
                    = every user.

Contributes
    require MFA (any factor)   outside business days/hours, or a malformed offset in metadata
    nothing                    inside business hours, or the user has none of APPLY_TO_ROLES

Example
    [secrets.business_hours]
    BUSINESS_HOURS = "07:30-19:00"
    BUSINESS_DAYS = "mon-fri"
    UTC_OFFSET = "+01:00"
    APPLY_TO_ROLES = "admin"
"""

import datetime
import re

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
OFFSET_PATTERN = r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?"
HOURS_PATTERN = r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})"


def parse_offset(text):
    """Minutes east of UTC for "+01:00", "-0530", "UTC+2", "Z", "UTC"; None when malformed."""
    value = str(text).strip().upper()
    if value in ("Z", "UTC", "GMT"):
        return 0
    match = re.fullmatch(OFFSET_PATTERN, value)
    if match is None:
        return None
    hours = int(match.group(2))
    minutes = int(match.group(3) or "0")
    if hours > 14 or minutes > 59:
        return None
    total = hours * 60 + minutes
    return -total if match.group(1) == "-" else total


def parse_hours(raw):
    """BUSINESS_HOURS as (start, end) minutes after midnight."""
    match = re.fullmatch(HOURS_PATTERN, "08:00-18:00" if raw is None else str(raw).strip())
    if match is None:
        raise ValueError("BUSINESS_HOURS must look like 08:00-18:00")
    numbers = [int(match.group(index)) for index in range(1, 5)]
    if numbers[0] > 23 or numbers[2] > 23 or numbers[1] > 59 or numbers[3] > 59:
        raise ValueError("BUSINESS_HOURS must look like 08:00-18:00")
    return numbers[0] * 60 + numbers[1], numbers[2] * 60 + numbers[3]


def parse_days(raw):
    """BUSINESS_DAYS as a set of weekday numbers (0 = Monday); ranges may wrap (fri-mon)."""
    days = set()
    for part in ("mon-fri" if raw is None else str(raw)).lower().split(","):
        ends = [end.strip()[:3] for end in part.split("-")]
        if len(ends) > 2 or not all(end in DAY_NAMES for end in ends):
            raise ValueError("BUSINESS_DAYS must be day names (mon..sun) or ranges such as mon-fri")
        first = DAY_NAMES.index(ends[0])
        last = DAY_NAMES.index(ends[-1])
        for step in range((last - first) % 7 + 1):
            days.add((first + step) % 7)
    return days


def offset_for(event):
    """(minutes, where) of the UTC offset to use; minutes is None when the user's is malformed."""
    for where, metadata in (
        ("app_metadata", event.user.app_metadata),
        ("user_metadata", event.user.user_metadata),
    ):
        value = metadata.get("utc_offset")
        if value is not None:
            return parse_offset(value), f"{where}.utc_offset"
    raw = event.secrets.get("UTC_OFFSET")
    if raw is None:
        return 0, "default"
    minutes = parse_offset(raw)
    if minutes is None:
        raise ValueError("UTC_OFFSET must look like +01:00")
    return minutes, "UTC_OFFSET"


def applies_to(event):
    """True when APPLY_TO_ROLES is empty or the user holds one of its roles."""
    raw = event.secrets.get("APPLY_TO_ROLES")
    wanted = [part.strip().lower() for part in str(raw or "").split(",") if part.strip()]
    if not wanted:
        return True
    return any(str(role).lower() in wanted for role in event.authorization.roles)


def within(minute, start, end):
    """Inclusive window test; start > end wraps over midnight."""
    if start <= end:
        return start <= minute <= end
    return minute >= start or minute <= end


def on_execute_post_login(event, api):
    start, end = parse_hours(event.secrets.get("BUSINESS_HOURS"))
    days = parse_days(event.secrets.get("BUSINESS_DAYS"))
    minutes, where = offset_for(event)
    if not applies_to(event):
        return
    if minutes is None:
        print(f"{where} is not a UTC offset such as +01:00: MFA required")
        api.multifactor.enable("any")
        return

    login = datetime.datetime.fromisoformat(event.timestamp)
    zone = datetime.timezone(datetime.timedelta(minutes=minutes))
    local = login.astimezone(zone)
    minute = local.hour * 60 + local.minute
    if local.weekday() in days and within(minute, start, end):
        return

    geoip = event.request.geoip
    named = geoip.time_zone if geoip is not None else None
    print(
        f"outside business hours: {DAY_NAMES[local.weekday()]} "
        f"{local.hour:02d}:{local.minute:02d} at offset {minutes} min ({where}; "
        f"GeoIP time zone {named}): MFA required"
    )
    api.multifactor.enable("any")

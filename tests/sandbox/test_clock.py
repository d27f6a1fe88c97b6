"""``datetime`` in Actions: one clock, the login's instant, naive UTC unless asked for a zone.

``datetime.now()`` is naive UTC (CPython on a host whose local zone is UTC), ``now(tz)`` is the
same instant in ``tz``, and the offset the identity provider wrote in the event's timestamp never
shows (issue 17 #6: ``datetime.now() > datetime(2026, 3, 1)`` raised and denied the login, and
``repr(datetime.now())`` showed pydantic's ``TzInfo``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import TypeAdapter

from contextmfa.sandbox.clock import NAIVE_AWARE_HINT

PARSED = TypeAdapter(datetime).validate_python
"""How the engine reads an event's timestamp (pydantic, with its own tzinfo class)."""
TOKYO_LATE = PARSED("2026-03-15T02:30:00+09:00")
"""17:30 UTC on the 14th: a day later in the offset the event was written with."""


def test_now_is_the_login_time_naive_utc(sb):
    result = sb.run(
        """
        import datetime
        from datetime import date, timezone, timedelta
        print(datetime.datetime.now().isoformat())
        print(datetime.datetime.today().isoformat())
        print(datetime.datetime.utcnow().isoformat())
        print(date.today().isoformat())
        print(datetime.datetime.now(timezone.utc).isoformat())
        print(datetime.datetime.now(timezone(timedelta(hours=2))).isoformat())
        print(datetime.datetime(2000, 1, 1).now() == datetime.datetime.now())
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "2026-03-14T09:26:53",
        "2026-03-14T09:26:53",
        "2026-03-14T09:26:53",
        "2026-03-14",
        "2026-03-14T09:26:53+00:00",
        "2026-03-14T11:26:53+02:00",
        "True",
    ]


def test_the_event_offset_never_shows(sb):
    action = sb.compile(
        """
        from datetime import datetime, date, timezone
        print(repr(datetime.now()), repr(date.today()))
        print(repr(datetime.now(timezone.utc)))
        print(datetime.now().tzinfo, datetime.today().tzinfo, datetime.now(timezone.utc).tzinfo)
        """
    )
    first = sb.logs(sb.succeeded(sb.execute(action, now=TOKYO_LATE)))
    assert first == [
        "datetime.datetime(2026, 3, 14, 17, 30) datetime.date(2026, 3, 14)",
        "datetime.datetime(2026, 3, 14, 17, 30, tzinfo=datetime.timezone.utc)",
        "None None UTC",
    ]
    assert sb.logs(sb.execute(action, now=TOKYO_LATE.astimezone(UTC))) == first


@pytest.mark.parametrize(
    "comparison",
    [
        "datetime.now() > datetime(2026, 3, 1)",
        "datetime.now() < datetime(2026, 3, 15)",
        "datetime.today() > datetime(2026, 3, 14, 17)",
        "datetime.utcnow() == datetime(2026, 3, 14, 17, 30)",
        "datetime.now(timezone.utc) > datetime(2026, 3, 1, tzinfo=timezone.utc)",
        "datetime.now(timezone.utc) == datetime.fromisoformat('2026-03-15T02:30:00+09:00')",
        "datetime.now(timezone(timedelta(hours=9))).day == 15",
        "date.today() == date(2026, 3, 14)",
        "date.today() > date.fromisoformat('2026-03-01')",
        "datetime.now() - datetime(2026, 3, 14) == timedelta(hours=17, minutes=30)",
        "datetime.now(timezone.utc).replace(tzinfo=None) == datetime.now()",
    ],
)
def test_comparisons_as_written(sb, comparison):
    body = f"from datetime import datetime, date, timedelta, timezone\nprint({comparison})"
    result = sb.execute(sb.compile(body), now=TOKYO_LATE)
    assert sb.logs(sb.succeeded(result)) == ["True"]


def test_mixing_naive_and_aware_says_which_now_to_use(sb):
    result = sb.run(
        """
        from datetime import datetime
        created = datetime.fromisoformat(event.user.created_at)
        print(datetime.now() > created)
        """
    )
    message = sb.failed(result, "exception")
    assert message == (
        f"TypeError: can't compare offset-naive and offset-aware datetimes ({NAIVE_AWARE_HINT})"
    )
    assert result.error.line == 4


def test_host_time_zone_is_never_consulted(sb):
    result = sb.run(
        """
        from datetime import datetime
        naive = datetime(2026, 1, 1, 12, 0)
        print(naive.timestamp(), naive.astimezone().isoformat())
        print(datetime.fromtimestamp(0).isoformat())
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "1767268800.0 2026-01-01T12:00:00+00:00",
        "1970-01-01T00:00:00",
    ]


def test_subclassed_datetime_also_uses_the_login_time(sb):
    result = sb.run(
        """
        from datetime import datetime, timezone
        class Stamp(datetime):
            pass
        print(Stamp.now().isoformat(), isinstance(Stamp.now(), Stamp))
        print(Stamp.now(timezone.utc).isoformat(), isinstance(Stamp.now(timezone.utc), Stamp))
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "2026-03-14T09:26:53 True",
        "2026-03-14T09:26:53+00:00 True",
    ]


def test_datetime_arithmetic_works_against_event_timestamps(sb):
    result = sb.run(
        """
        from datetime import datetime, timedelta, timezone
        created = datetime.fromisoformat(event.user.created_at)
        age = datetime.now(timezone.utc) - created
        print(age.days, age > timedelta(days=30))
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["437 True"]


def test_the_same_instant_recorded_in_any_offset_decides_the_same(sb):
    action = sb.compile(
        """
        from datetime import datetime, date
        print(datetime.now(), date.today(), datetime.now() > datetime(2026, 3, 14, 12))
        """
    )
    instant = datetime(2026, 3, 14, 17, 30, tzinfo=UTC)
    seen = {
        tuple(sb.logs(sb.execute(action, now=instant.astimezone(timezone(timedelta(hours=h))))))
        for h in (-11, -5, 0, 1, 9, 14)
    }
    assert seen == {("2026-03-14 17:30:00 2026-03-14 True",)}

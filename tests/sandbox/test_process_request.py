"""A login's request to a worker carries only the event parts the worker does not hold yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from contextmfa.sandbox.process.request import RequestReader, RequestWriter

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _event(user: str, **more: object) -> dict[str, object]:
    return {
        "tenant": {"id": "acme"},
        "user": {"user_id": user, "email_verified": True},
        "client": {"client_id": "portal-web", "metadata": {}},
        **more,
    }


def test_a_run_of_logins_reads_back_as_sent():
    writer, reader = RequestWriter(), RequestReader()
    logins = [
        _event("carol"),
        _event("dave"),
        _event("dave"),
        _event("erin", stats={"logins_count": 1}),
        {"stats": {"logins_count": 1}, "user": {"user_id": "erin"}},
    ]
    for steps, event in enumerate(logins):
        now = NOW + timedelta(minutes=steps)
        sent = (event, now, "acme", steps)
        assert reader.decode(writer.encode(*sent)) == sent


def test_key_order_and_types_survive_equal_values():
    writer, reader = RequestWriter(), RequestReader()
    reader.decode(writer.encode({"a": {"n": 1}, "b": [1]}, NOW, "t", 0))
    event, *_ = reader.decode(writer.encode({"b": [1], "a": {"n": True}}, NOW, "t", 0))
    assert list(event) == ["b", "a"]
    assert type(event["a"]["n"]) is bool  # True == 1, but the Action must see True
    event, *_ = reader.decode(writer.encode({"b": [1], "a": {"n": 1.0}}, NOW, "t", 0))
    assert type(event["a"]["n"]) is float


def test_unchanged_parts_are_not_sent_again():
    writer, reader = RequestWriter(), RequestReader()
    first = writer.encode(_event("carol", request={"ip": "10.0.0.1" * 50}), NOW, "acme", 0)
    reader.decode(first)
    again = writer.encode(_event("dave", request={"ip": "10.0.0.1" * 50}), NOW, "acme", 0)
    assert len(again) < len(first) // 2 and b"dave" in again and b"10.0.0.1" not in again
    event, *_ = reader.decode(again)
    assert event["request"] == {"ip": "10.0.0.1" * 50} and event["user"]["user_id"] == "dave"


def test_each_login_gets_its_own_event_dict():
    writer, reader = RequestWriter(), RequestReader()
    first, *_ = reader.decode(writer.encode(_event("carol"), NOW, "acme", 0))
    kept = dict(first)
    second, *_ = reader.decode(writer.encode(_event("dave"), NOW, "acme", 0))
    assert second is not first and first == kept


def test_an_event_marshal_cannot_carry_goes_whole_and_both_sides_start_over():
    writer, reader = RequestWriter(), RequestReader()
    reader.decode(writer.encode(_event("carol"), NOW, "acme", 0))
    odd = _event("carol", when=datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1))))
    assert reader.decode(writer.encode(odd, NOW, "acme", 1)) == (odd, NOW, "acme", 1)
    back = reader.decode(writer.encode(_event("dave"), NOW, "acme", 2))
    assert back == (_event("dave"), NOW, "acme", 2)


def test_the_instant_keeps_its_offset():
    writer, reader = RequestWriter(), RequestReader()
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    _, back, *_ = reader.decode(writer.encode(_event("carol"), now, "acme", 0))
    assert back == now and back.utcoffset() == timedelta(hours=1)

"""Login events: hostile input is refused with the field and a reason; JSON Lines goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contextmfa.errors import InputError
from contextmfa.events import (
    MAX_RECORD_BYTES,
    load_event,
    parse_event,
    parse_event_json,
    read_events,
)

MINIMAL = {
    "id": "l-1",
    "timestamp": "2026-03-02T09:15:00+01:00",
    "user": {"user_id": "auth0|alice"},
    "request": {"ip": "145.100.0.1"},
}


def event(**changes: object) -> dict:
    data = json.loads(json.dumps(MINIMAL))
    data.update(changes)
    return data


def problem(data: object) -> str:
    with pytest.raises(InputError) as caught:
        parse_event(data, where="logins.jsonl:17")
    return str(caught.value)


def test_minimal_event_fills_defaults():
    parsed = parse_event(event(), where="x")
    assert str(parsed.ip) == "145.100.0.1"
    assert parsed.device.remembered is False
    assert parsed.user.enrolled_factors == []
    assert parsed.client is None
    assert parsed.timestamp.utcoffset().total_seconds() == 3600


@pytest.mark.parametrize(
    ("value", "shown"),
    [(12345, "number 12345"), (True, "boolean true"), (None, "null"), (1.5, "number 1.5")],
)
def test_ip_must_be_a_json_string(value: object, shown: str):
    """pydantic alone reads 12345 as 0.0.48.57 and true as 0.0.0.1."""
    message = problem(event(request={"ip": value}))
    assert message == (
        f"logins.jsonl:17: error: request.ip: expected an IP address as a JSON string, got {shown}"
    )


def test_ip_must_be_a_json_string_in_json_text_too():
    text = json.dumps(event(request={"ip": 12345}))
    with pytest.raises(InputError, match=r"request\.ip: expected an IP address as a JSON string"):
        parse_event_json(text, where="x")


@pytest.mark.parametrize("value", [1772439300, 1772439300.5, "1772439300", " 17e8 "])
@pytest.mark.parametrize("field", ["timestamp", "method", "recorded"])
def test_timestamps_are_rfc3339_strings_never_epoch_numbers(field: str, value: object):
    if field == "timestamp":
        data, name = event(timestamp=value), "timestamp"
    elif field == "method":
        data = event(authentication={"methods": [{"name": "pwd", "timestamp": value}]})
        name = "authentication.methods.0.timestamp"
    else:
        data = event(recorded={"config_version": "v", "recorded_at": value, "decision": {}})
        name = "recorded.recorded_at"
    message = problem(data)
    assert message.startswith(f"logins.jsonl:17: error: {name}: ")
    assert "RFC 3339 timestamp with offset" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"stats": {"logins_count": "28"}},
            'stats.logins_count: expected an integer, got string "28"',
        ),
        ({"stats": {"logins_count": 28.0}}, "stats.logins_count: expected an integer, got number"),
        ({"stats": {"logins_count": True}}, "stats.logins_count: expected an integer, got boolean"),
        (
            {"request": {"ip": "1.2.3.4", "asn": {"number": "1136"}}},
            'request.asn.number: expected an integer, got string "1136"',
        ),
        (
            {"request": {"ip": "1.2.3.4", "geoip": {"latitude": "52.3"}}},
            'request.geoip.latitude: expected a number, got string "52.3"',
        ),
        (
            {"request": {"ip": "1.2.3.4", "geoip": {"longitude": True}}},
            "request.geoip.longitude: expected a number, got boolean true",
        ),
        ({"id": 5}, "id: expected a string, got number 5"),
        ({"user": {"user_id": 5}}, "user.user_id: expected a string, got number 5"),
        ({"device": {"remembered": 1}}, "device.remembered: expected true or false, got number 1"),
    ],
)
def test_no_field_coerces_a_value_of_another_json_type(changes: dict, expected: str):
    assert problem(event(**changes)).startswith(f"logins.jsonl:17: error: {expected}")


def test_numbers_where_numbers_belong_are_accepted():
    data = event(
        request={"ip": "1.2.3.4", "asn": {"number": 1136}, "geoip": {"latitude": 52}},
        stats={"logins_count": 3},
    )
    parsed = parse_event(data, where="x")
    assert (parsed.request.asn.number, parsed.request.geoip.latitude) == (1136, 52.0)


def test_ipv6_address_is_accepted():
    assert (
        parse_event(event(request={"ip": "2001:67c:2e8:22::c100:68b"}), where="x").ip.version == 6
    )


def test_bad_ip_names_field_and_value():
    message = problem(event(request={"ip": "999.1.1.1"}))
    assert message == "logins.jsonl:17: error: request.ip: '999.1.1.1' is not an IP address"


def test_unknown_top_level_key_is_refused():
    assert problem(event(usr={})) == "logins.jsonl:17: error: usr: unknown key"


def test_unknown_nested_key_is_refused():
    message = problem(event(user={"user_id": "u", "emial": "a@b.c"}))
    assert message == "logins.jsonl:17: error: user.emial: unknown key"


def test_metadata_is_free_form():
    data = event(user={"user_id": "u", "app_metadata": {"anything": {"nested": [1, 2]}}})
    assert parse_event(data, where="x").user.app_metadata["anything"]["nested"] == [1, 2]


def test_timestamp_without_offset_is_refused():
    message = problem(event(timestamp="2026-03-02T09:15:00"))
    assert message.startswith("logins.jsonl:17: error: timestamp: timestamp needs a UTC offset")


def test_garbage_timestamp_is_refused():
    message = problem(event(timestamp="yesterday"))
    assert message == (
        "logins.jsonl:17: error: timestamp: 'yesterday' is not an RFC 3339 timestamp with offset"
    )


def test_missing_required_field():
    data = event()
    del data["user"]
    assert problem(data) == "logins.jsonl:17: error: user: required field is missing"


def test_unknown_factor_name():
    message = problem(event(user={"user_id": "u", "enrolled_factors": [{"type": "totp"}]}))
    assert message.startswith("logins.jsonl:17: error: user.enrolled_factors.0.type: 'totp'")


def test_bool_fields_are_strict():
    message = problem(event(device={"remembered": "yes"}))
    assert message.startswith("logins.jsonl:17: error: device.remembered:")


def test_several_problems_are_counted():
    message = problem(event(request={"ip": "x"}, usr=1))
    assert message.endswith("(and 1 more)")


def test_not_an_object():
    assert problem([1, 2]) == "logins.jsonl:17: error: expected a JSON object, got list"


def test_expectation_is_validated():
    message = problem(event(expect={"outcome": "maybe"}))
    assert message.startswith("logins.jsonl:17: error: expect.outcome: 'maybe' is not one of")


def test_read_events_goes_past_bad_records(tmp_path: Path):
    path = tmp_path / "logins.jsonl"
    lines = [
        "# a comment",
        json.dumps(event(id="a")),
        "",
        "{not json",
        json.dumps(event(id="b", request={"ip": "1.2.3.999"})),
        json.dumps(event(id="c")),
    ]
    path.write_text("\n".join(lines) + "\n")
    records = list(read_events(path))
    assert [r.line for r in records] == [2, 4, 5, 6]
    assert [r.event.id if r.event else None for r in records] == ["a", None, None, "c"]
    assert str(records[1].error).startswith(f"{path}:4: error: invalid JSON:")
    assert str(records[2].error) == f"{path}:5: error: request.ip: '1.2.3.999' is not an IP address"


def test_oversized_record_is_skipped_without_reading_it_whole(tmp_path: Path):
    path = tmp_path / "big.jsonl"
    with path.open("w") as handle:
        handle.write('{"id": "' + "x" * (MAX_RECORD_BYTES + 10) + '"}\n')
        handle.write(json.dumps(event(id="after")) + "\n")
    records = list(read_events(path))
    assert "larger than" in str(records[0].error)
    assert records[1].event.id == "after"


def test_deeply_nested_json_is_an_input_error(tmp_path: Path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="invalid JSON"):
        load_event(path)


def test_missing_file(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        list(read_events(tmp_path / "nope.jsonl"))

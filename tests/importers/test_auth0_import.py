"""``contextmfa import auth0-logs`` on exports written from Auth0's documented log schema."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from contextmfa.cli.main import app as contextmfa_app

ALICE_1 = "90020260302080022950000000000000000003"
BOB = "90020260302123000000000000000000000008"
ALICE_2 = "90020260303074510000000000000000000011"
DAVE = "90020260303110000000000000000000000013"
ALICE_FP = "90020260302091540000000000000000000005"
CAROL_F = "90020260303100000000000000000000000012"


def test_successful_logins_become_login_events_oldest_first(cli, export, parse):
    result = cli("auth0-logs", export)
    assert result.exit_code == 0, result.output
    events = parse(result.stdout)
    assert [e["id"] for e in events] == [ALICE_1, BOB, ALICE_2, DAVE]
    assert "read 16 log events: imported 4 logins (4 successful login)" in result.stderr


def test_every_field_that_maps_is_kept(cli, export, parse):
    (alice,) = [e for e in parse(cli("auth0-logs", export).stdout) if e["id"] == ALICE_1]
    assert alice == {
        "id": ALICE_1,
        "timestamp": "2026-03-02T08:00:22.950Z",
        "user": {"user_id": "auth0|alice", "email": "alice@acme.test"},
        "request": {
            "ip": "145.100.0.17",
            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
            "hostname": "login.acme.test",
            "geoip": {
                "country_code": "NL",
                "country_code3": "NLD",
                "country_name": "Netherlands",
                "city_name": "Amsterdam",
                "latitude": 52.3759,
                "longitude": 4.8975,
                "time_zone": "Europe/Amsterdam",
                "continent_code": "EU",
            },
        },
        "authentication": {"methods": [{"name": "pwd", "timestamp": "2026-03-02T08:00:22.950Z"}]},
        "client": {"client_id": "portal-web", "name": "Acme Portal"},
        "connection": {
            "id": "con_db1",
            "name": "Username-Password-Authentication",
            "strategy": "auth0",
        },
        "transaction": {"id": "tx-alice-1", "requested_scopes": ["openid", "profile", "email"]},
        "stats": {"logins_count": 1},
    }


def test_social_passwordless_and_organization_logins(cli, export, parse):
    events = {e["id"]: e for e in parse(cli("auth0-logs", export).stdout)}
    bob, dave = events[BOB], events[DAVE]
    assert bob["authentication"]["methods"][0]["name"] == "federated"
    assert bob["organization"] == {
        "id": "org_W8b2",
        "name": "partner-co",
        "display_name": "partner-co",
    }
    assert bob["stats"] == {"logins_count": 17}
    assert dave["user"] == {"user_id": "sms|65f0c3a1", "phone_number": "+31612345678"}
    assert dave["authentication"]["methods"][0]["name"] == "sms"
    assert dave["request"]["ip"] == "2001:610:508:108:192:87:102:99"
    assert (dave["request"]["geoip"]["latitude"], dave["request"]["geoip"]["longitude"]) == (
        52.0908,
        5.1222,
    )  # location_info coordinates given as strings (older SDKs) become numbers


def test_mfa_events_become_enrolled_factors_from_their_time_on(cli, export, parse):
    events = {e["id"]: e for e in parse(cli("auth0-logs", export).stdout)}
    # alice enrolled OTP during her first login: that login met her without it
    assert "enrolled_factors" not in events[ALICE_1]["user"]
    assert events[ALICE_2]["user"]["enrolled_factors"] == [{"type": "otp"}]
    # bob used push with no enrollment in the export: enrolled before it began
    assert events[BOB]["user"]["enrolled_factors"] == [{"type": "push-notification"}]
    assert "enrolled_factors" not in events[DAVE]["user"]


def test_the_summary_says_what_was_left_out_and_why(cli, export):
    stderr = cli("auth0-logs", export).stderr
    for line in (
        "not imported: 3 MFA events (read as enrolled factors)",
        "not imported: 2 failed logins (pass --include-failed to replay them)",
        "not imported: 1 failed logins of no user (fu: invalid email or username)",
        "not imported: 1 MFA events naming no factor (gd_send_sms)",
        "not imported: 1 other events, not logins (mfar)",
        "not imported: 1 other events, not logins (slo)",
        "not imported: 1 duplicates (same log_id)",
        "enrolled factors from MFA events: 2 otp, 1 push-notification; 2 users with at least one",
        "not in Auth0 logs: device.id",
    ):
        assert line in stderr, line
    dropped = stderr.split("(dropped): ")[1].splitlines()[0]
    for field in ("description (4)", "details.prompts (2)", "details.riskAssessment (1)"):
        assert field in dropped
    assert "security_context (1)" in dropped and "tenant_name (4)" in dropped


def test_a_log_stream_gives_the_same_logins_as_the_api_export(cli, export, stream):
    from_api = cli("auth0-logs", export)
    from_stream = cli("auth0-logs", stream)
    assert from_stream.exit_code == 0, from_stream.output
    assert from_stream.stdout == from_api.stdout
    assert "read 15 log events" in from_stream.stderr  # no duplicate in a stream


def test_failed_logins_on_request_never_those_of_no_user(cli, export, parse):
    result = cli("auth0-logs", export, "--include-failed")
    assert result.exit_code == 0, result.output
    ids = [e["id"] for e in parse(result.stdout)]
    assert ids == [ALICE_1, ALICE_FP, BOB, ALICE_2, CAROL_F, DAVE]
    assert "imported 6 logins (4 successful login, 1 failed login, 1 incorrect password)" in (
        result.stderr
    )
    assert "failed logins of no user (fu" in result.stderr


def test_geoip_lookup_leaves_locations_to_the_replay(cli, export, parse):
    events = parse(cli("auth0-logs", export, "--geoip", "lookup").stdout)
    assert all("geoip" not in e["request"] for e in events)


def test_the_include_totals_response_shape(cli, logs, tmp_path, parse):
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"start": 0, "limit": 100, "length": 16, "total": 16, "logs": logs}))
    result = cli("auth0-logs", page, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.output
    assert len(parse((tmp_path / "out.jsonl").read_text())) == 4


def test_bad_records_are_reported_and_the_rest_imported(cli, logs, tmp_path, parse):
    broken = json.loads(json.dumps(logs))
    login = next(e for e in broken if e["type"] == "s" and e["log_id"] == DAVE)
    login["ip"] = "not an ip"
    del next(e for e in broken if e["log_id"] == BOB)["ip"]
    lines = [json.dumps(e) for e in broken]
    lines.insert(4, "{truncated")
    path = tmp_path / "stream.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = cli("auth0-logs", path)
    assert result.exit_code == 2
    assert f"{path}:5: error: invalid JSON" in result.stderr
    # Auth0's field names, not the login event's (request.ip)
    assert f"{path}:3: error: ip: 'not an ip' is not an IP address (not imported)" in result.stderr
    assert ": error: ip: missing (not imported)" in result.stderr
    assert [e["id"] for e in parse(result.stdout)] == [ALICE_1, ALICE_2]


def test_a_truncated_array_stops_with_its_place(cli, export, tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(export.read_text()[:-300])
    result = cli("auth0-logs", path)
    assert result.exit_code == 2
    assert f"{path}: item 16: error: invalid JSON" in result.stderr


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("[" * 1000 + "]" * 1000, "nested too deeply"),
        ("9" * 5000, f"a number has more than {sys.get_int_max_str_digits()} digits"),
    ],
    ids=["deep", "long-number"],
)
def test_json_too_deep_or_a_number_too_long_is_a_located_input_error(
    cli, logs, tmp_path, parse, value, reason
):
    login = json.dumps(next(e for e in logs if e["log_id"] == ALICE_1))
    hostile = '{"type": "s", "details": ' + value + "}"
    forms = {
        "stream.jsonl": (f"{login}\n{hostile}\n", ":2"),
        "array.json": (f"[{login}, {hostile}]", ": item 2"),
        "page.json": (f'{{\n"logs": [{login}, {hostile}]}}', ""),
    }
    for name, (text, where) in forms.items():
        path = tmp_path / name
        path.write_text(text)
        result = cli("auth0-logs", path)
        assert result.exit_code == 2, result.output
        assert f"{path}{where}: error: invalid JSON: {reason}" in result.stderr
        assert "internal error" not in result.stderr
    assert [e["id"] for e in parse(cli("auth0-logs", tmp_path / "stream.jsonl").stdout)] == [
        ALICE_1
    ]


def test_missing_export(cli, tmp_path):
    result = cli("auth0-logs", tmp_path / "none.json")
    assert result.exit_code == 2
    assert "none.json: error: no such file" in result.stderr


def test_a_large_export_streams_in_order_and_drops_overlaps(cli, tmp_path, logs, parse):
    """Thousands of logins over many 64 KiB blocks, newest first with overlapping pages."""
    template = next(e for e in logs if e["log_id"] == ALICE_2)
    path = tmp_path / "big.json"
    count = 3000
    with path.open("w") as out:
        out.write("[\n")
        for n in reversed(range(count)):
            event = dict(template, log_id=f"log-{n:05d}", user_id=f"auth0|u{n % 97}")
            event["date"] = f"2026-03-{1 + n // 1000:02d}T{(n // 60) % 16:02d}:{n % 60:02d}:00.000Z"
            out.write(json.dumps(event) + ",\n")
            if n % 500 == 0:
                out.write(json.dumps(event) + ",\n")  # a page boundary, repeated
        out.write(json.dumps(template) + "\n]\n")
    result = cli("auth0-logs", path)
    assert result.exit_code == 0, result.output
    events = parse(result.stdout)
    assert len(events) == count + 1
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)
    assert "not imported: 6 duplicates (same log_id)" in result.stderr


def test_imported_logins_replay(cli, export, tmp_path, samples):
    logins = tmp_path / "logins.jsonl"
    assert cli("auth0-logs", export, "-o", logins).exit_code == 0
    result = CliRunner().invoke(
        contextmfa_app,
        ["replay", str(logins), "--config", str(samples / "tenant.toml"), "--format", "jsonl"],
    )
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["login_id"] for d in decisions] == [ALICE_1, BOB, ALICE_2, DAVE]
    # alice's second login is a known device for her (same user agent, same place)
    alice_2 = decisions[2]["risk"]["assessments"]
    assert alice_2["new_device"]["code"] == "partial_match"
    assert alice_2["impossible_travel"]["code"] == "minimal_travel_from_last_login"
    assert decisions[0]["geoip"]["city_name"] == "Amsterdam"


def test_help_names_the_formats(cli):
    result = cli("auth0-logs", "--help")
    assert result.exit_code == 0
    assert "JSON Lines" in result.stdout and "--include-failed" in result.stdout


# what is not an export ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("object.json", '{"foo": 1}', ":1"),
        ("lines.jsonl", '{"foo": 1}\n{"bar": 2}\n', ":1"),
        ("pretty.json", '{\n  "foo": 1\n}\n', ": item 1"),
        ("array.json", '[{"foo": 1}]', ": item 1"),
    ],
)
def test_objects_that_are_not_log_events_are_refused(cli, tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text)
    result = cli("auth0-logs", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f'{path}{where}: error: not an Auth0 log event: it has no "type" (its keys: foo); an '
        "export is the JSON array GET /api/v2/logs returns"
    )
    assert result.stdout == ""
    assert "imported" not in result.stderr


@pytest.mark.parametrize("text", ["", "\n \n", "[]", '{"logs": []}'])
def test_an_export_with_no_log_event_is_nothing_to_import(cli, tmp_path, text):
    path = tmp_path / "export.json"
    path.write_text(text)
    result = cli("auth0-logs", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}: error: nothing to import: no Auth0 log event in it")


@pytest.mark.parametrize("text", ['{"foo": 1}', ""])
def test_a_refused_export_leaves_the_output_of_an_earlier_import(cli, export, tmp_path, text):
    """Importing the wrong file again must not empty the logins a tester already has."""
    logins = tmp_path / "logins.jsonl"
    assert cli("auth0-logs", export, "-o", logins).exit_code == 0
    before = logins.read_text()
    wrong = tmp_path / "wrong.json"
    wrong.write_text(text)
    result = cli("auth0-logs", wrong, "-o", logins)
    assert result.exit_code == 2
    assert logins.read_text() == before
    assert cli("auth0-logs", wrong, "-o", tmp_path / "new.jsonl").exit_code == 2
    assert not (tmp_path / "new.jsonl").exists()


def test_an_export_with_no_login_empties_the_output(cli, tmp_path):
    """An export read in full replaces the output, even when none of its events is a login."""
    logins = tmp_path / "logins.jsonl"
    logins.write_text("old\n")
    path = tmp_path / "logout.json"
    path.write_text(json.dumps([{"type": "slo", "date": "2026-03-02T10:00:00Z", "log_id": "9"}]))
    result = cli("auth0-logs", path, "-o", logins)
    assert result.exit_code == 0, result.output
    assert logins.read_text() == ""


def test_stray_objects_among_log_events_are_errors_and_the_rest_imported(cli, logs, tmp_path):
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([{"foo": 1}, *logs]))
    result = cli("auth0-logs", path)
    assert result.exit_code == 2
    assert f'{path}: item 1: error: not an Auth0 log event: it has no "type"' in result.stderr
    assert len(result.stdout.splitlines()) == 4


def test_a_login_without_log_id_is_refused_not_given_an_invented_id(cli, logs, tmp_path, parse):
    nameless = json.loads(json.dumps(logs))
    del next(e for e in nameless if e.get("log_id") == BOB)["log_id"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(nameless))
    result = cli("auth0-logs", path)
    assert result.exit_code == 2
    assert ": error: log_id: missing (not imported)" in result.stderr
    assert [e["id"] for e in parse(result.stdout)] == [ALICE_1, ALICE_2, DAVE]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": None}, "date: missing"),
        ({"user_id": ""}, "user_id: missing"),
        (
            {"date": 1772438422},
            "date: expected an RFC 3339 timestamp with offset as a JSON string, got number",
        ),
        ({"ip": 12345}, "ip: expected an IP address as a JSON string, got number 12345"),
        ({"location_info": {"latitude": 123.0}}, "location_info.latitude: input should be less"),
        ({"details": {"stats": {"loginsCount": -1}}}, "details.stats.loginsCount: input should be"),
    ],
)
def test_errors_name_the_auth0_field(cli, logs, tmp_path, change, message):
    login = dict(next(e for e in logs if e.get("log_id") == ALICE_1), **change)
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(login) + "\n")
    result = cli("auth0-logs", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:1: error: {message}")

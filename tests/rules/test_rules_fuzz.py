"""Fuzzing: any text compiles or fails with located errors; any login evaluates without raising.

Hypothesis drives the parser and checker with random text, token soup and mutations of valid
files, and the compiled closures with rules over every field and logins whose enrichment and
metadata hold values of every JSON type.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contextmfa.directives import Deny, Require, Skip, Step
from contextmfa.errors import CompileError
from contextmfa.events import LoginEvent
from contextmfa.rules import RuleContext, RuleSet, compile_text
from contextmfa.rules.fields import FIELDS

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
HERE = Path(__file__).resolve().parent
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

TOKENS = [
    "list", "rule", "file", "priority", "when", "deny", "require", "enroll", "skip", "mfa",
    "with", "any", "remember", "browser", "yes", "no", "and", "or", "not", "in", "between",
    "matches", "startswith", "endswith", "contains", "within", "km", "of", "is", "missing",
    "present", "true", "false", "mon", "sun", "otp", "webauthn-roaming", "ip", "geo.country",
    "local.time", "user.roles", "user.app_metadata.x", "risk.confidence", "corp", "==", "!=",
    "<", ">=", "=", "{", "}", "(", ")", "[", "]", ",", '"x"', '"CU"', '"(a+)+$"', '"["',
    "10.0.0.0/8", "10.0.0.1", "::1", "2001:db8::/32", "08:00", "99:99", "5", "-3.5", "1e5",
    "#", "\n", "'", "&&", "\\", "\x00", "é", '"',
]  # fmt: skip


def valid_sources() -> list[str]:
    sources = [p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "rules").glob("*.rules"))]
    sources.append(
        'list corp = [10.0.0.0/8, 2001:db8::/32]\nlist e = ["CU", "IR"]\n'
        'rule "a" priority 5 { when geo.country in e deny "no" }\n'
        'rule "b" { when ip in corp and risk.confidence != "low" skip mfa }\n'
        'rule "c" { when "admin" in user.roles and not (local.weekday in [mon, fri] '
        "and local.time between 08:00 and 18:00) require mfa with [otp] remember browser no }\n"
        'rule "d" { when not within 500 km of (52.37, 4.89) require mfa }\n'
    )
    return sources


def assert_compiles_or_reports(text: str, directory: Path) -> None:
    path = directory / "fuzz.rules"
    try:
        rules = compile_text(text, path, display=lambda p: p.name)
    except CompileError as exc:
        assert exc.problems
        assert any(p.severity == "error" for p in exc.problems)
        for problem in exc.problems:
            assert problem.line >= 1, str(problem)
            assert problem.col >= 1, str(problem)
            assert str(problem).startswith(f"{problem.path}:{problem.line}:{problem.col}: ")
    else:
        assert isinstance(rules, RuleSet)


@FUZZ
@given(st.text(max_size=300))
def test_random_text(tmp_path: Path, text: str) -> None:
    assert_compiles_or_reports(text, tmp_path)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup(tmp_path: Path, tokens: list[str]) -> None:
    assert_compiles_or_reports(" ".join(tokens), tmp_path)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(valid_sources()))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        span = draw(st.integers(1, 12))
        token = draw(st.sampled_from(TOKENS))
        if kind == "delete":
            text = text[:at] + text[at + span :]
        elif kind == "insert":
            text = f"{text[:at]} {token} {text[at:]}"
        elif kind == "replace":
            text = f"{text[:at]}{token}{text[at + span :]}"
        else:
            text = text[:at] + text[at : at + span] * 2 + text[at + span :]
    return text


@FUZZ
@given(mutated())
def test_mutated_valid_files(tmp_path: Path, text: str) -> None:
    assert_compiles_or_reports(text, tmp_path)


# -- evaluation never raises --------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["10.0.0.1", "10.0.0.0/8", "::1", "08:00", "mon", "NL", "admin"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from("xyz"), inner, max_size=3)
    ),
    max_leaves=8,
)

LITERALS = [
    '"NL"', '"admin"', '"low"', '"2026-03-02"', "5", "-2.5", "true", "false", "10.0.0.1",
    "::ffff:10.0.0.1", "08:00", "mon", "otp",
]  # fmt: skip
COLLECTIONS = [
    '["NL", "DE"]', "[1, 2.5]", "[10.0.0.0/8, 2001:db8::/32]", "10.0.0.0/8", "[mon, sat]",
    "[08:00]", "[true]", "[]", "user.roles", "user.app_metadata.x", "auth.methods",
]  # fmt: skip
METADATA = ["user.app_metadata.x", "user.app_metadata.x.y", "client.metadata.x"]


@st.composite
def predicates(draw: st.DrawFn) -> str:
    field = draw(st.sampled_from([*FIELDS, *METADATA]))
    other = draw(st.sampled_from([*LITERALS, *FIELDS, *METADATA]))
    shape = draw(st.integers(0, 6))
    if shape == 0:
        return f"{field} {draw(st.sampled_from(['==', '!=', '<', '>=']))} {other}"
    if shape == 1:
        negation = draw(st.sampled_from(["", "not "]))
        return f"{field} {negation}in {draw(st.sampled_from(COLLECTIONS))}"
    if shape == 2:
        low, high = draw(
            st.sampled_from([("1", "5"), ("22:00", "06:00"), ("fri", "mon"), ('"a"', '"z"')])
        )
        return f"{field} between {low} and {high}"
    if shape == 3:
        op = draw(st.sampled_from(["matches", "startswith", "endswith", "contains"]))
        return f'{field} {op} "{draw(st.sampled_from(["a.*", "(x|y)+", "", "N"]))}"'
    if shape == 4:
        return f"{field} is {draw(st.sampled_from(['missing', 'present']))}"
    if shape == 5:
        return f"{draw(st.sampled_from(LITERALS))} in {field}"
    return f"within {draw(st.sampled_from(['1', '500', '20000']))} km of (52.37, 4.89)"


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 2 or draw(st.booleans()):
        return draw(predicates())
    parts = draw(st.lists(conditions(depth + 1), min_size=1, max_size=3))
    joined = f" {draw(st.sampled_from(['and', 'or']))} ".join(f"({p})" for p in parts)
    return f"not ({joined})" if draw(st.booleans()) else joined


@st.composite
def contexts(draw: st.DrawFn) -> RuleContext:
    ip = draw(st.sampled_from(["10.0.0.1", "145.100.0.1", "2001:db8::1", "::ffff:10.0.0.1", "::"]))
    offset = timezone(timedelta(minutes=draw(st.integers(-23 * 60, 23 * 60))))
    moment = draw(
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59))
    )
    event = LoginEvent.model_validate(
        {
            "id": "l-fuzz",
            "timestamp": moment.replace(tzinfo=offset).isoformat(),
            "user": {
                "user_id": "u",
                "app_metadata": {"x": draw(json_values)},
                "email_verified": draw(st.none() | st.booleans()),
            },
            "authorization": {"roles": draw(st.lists(st.sampled_from(["admin", "x"]), max_size=2))},
            "request": {"ip": ip, "user_agent": draw(st.none() | st.text(max_size=40))},
            "client": draw(st.none() | st.just({"client_id": "c", "metadata": {"x": 1}})),
            "transaction": draw(st.none() | st.just({"acr_values": ["a"]})),
            "stats": draw(st.none() | st.just({"logins_count": 2})),
        }
    )
    geo_value = draw(json_values)
    geoip = draw(
        st.none()
        | st.just(
            {"country_code": "NL", "latitude": 52.0, "longitude": 4.0, "time_zone": "Asia/Tokyo"}
        )
        | st.fixed_dictionaries(
            {
                "country_code": st.just(geo_value),
                "latitude": json_values,
                "longitude": json_values,
                "time_zone": json_values,
            }
        )
    )
    risk = draw(
        st.sampled_from(
            [
                {},
                {"confidence": "low", "assessments": None},
                {
                    "confidence": "high",
                    "assessments": {
                        "impossible_travel": {
                            "code": "impossible_travel_from_last_login",
                            "details": {"distance_km": 9000.0, "speed_kmh": None},
                        }
                    },
                },
            ]
        )
    )
    return RuleContext.build(
        event, geoip=geoip, asn=draw(st.none() | st.just({"number": "x"})), risk=risk
    )


@settings(FUZZ, max_examples=60)
@given(conditions(), st.lists(contexts(), min_size=1, max_size=3))
def test_evaluation_never_raises(tmp_path: Path, condition: str, ctxs: list[RuleContext]) -> None:
    try:
        rules = compile_text(f'rule "r" {{ when {condition} deny "x" }}', tmp_path / "f.rules")
    except CompileError:
        assume(False)
        return
    test = rules.rules[0].test
    for ctx in ctxs:
        result = test(ctx)  # the closure itself, without evaluate's safety net
        assert result in (True, False, None)
        assert result == test(ctx)  # pure
        directives = rules.evaluate(ctx)
        assert all(isinstance(d, (Deny, Require, Step, Skip)) for d in directives)


def test_evaluation_is_pure_over_time() -> None:
    """The same context gives the same answer after other logins were evaluated."""
    rules = compile_text(
        'rule "r" { when local.hour < 12 and request.user_agent matches ".*Firefox.*" skip mfa }',
        HERE / "x.rules",
    )
    event = LoginEvent.model_validate(
        {
            "id": "l",
            "timestamp": datetime(2026, 3, 2, 9, tzinfo=UTC).isoformat(),
            "user": {"user_id": "u"},
            "request": {"ip": "10.0.0.1", "user_agent": "Firefox"},
        }
    )
    first = rules.evaluate(RuleContext.build(event, geoip=None, asn=None, risk={}))
    for n in range(5000):  # fills and clears the regex cache
        other = event.model_copy(
            update={"request": event.request.model_copy(update={"user_agent": f"x{n}"})}
        )
        rules.evaluate(RuleContext.build(other, geoip=None, asn=None, risk={}))
    assert rules.evaluate(RuleContext.build(event, geoip=None, asn=None, risk={})) == first

"""actions/auth0/mfa_require_enrollment.py: every branch of auth0/rules mfa-require-enrollment.js,
and the enrollment its requirement becomes when the engine resolves it."""

from pathlib import Path

import pytest
from auth0_ports import PORTS_DIR, cases, mfa, user

from contextmfa.config import load_config
from contextmfa.engine import Engine
from contextmfa.enrich.history import InMemoryHistory
from contextmfa.events import parse_event

GEO = Path(__file__).resolve().parents[3] / "samples" / "geo" / "test-city.mmdb"

CASES = cases(
    "mfa_require_enrollment",
    (
        "no enrolled factor: MFA, which becomes an enrollment",
        user(enrolled_factors=[]),
        mfa(remember=True),
    ),
    ("an enrolled factor: nothing", {}),
    (
        "several enrolled factors: nothing",
        user(enrolled_factors=[{"type": "otp"}, {"type": "sms"}]),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_branch(decide, case):
    decide(case)


@pytest.mark.parametrize(
    ("factors", "outcome", "offered"),
    [([], "enroll", ("otp", "sms")), ([{"type": "sms"}], "allow", ())],
)
def test_the_engine_turns_the_requirement_into_an_enrollment(tmp_path, factors, outcome, offered):
    (tmp_path / "tenant.toml").write_text(
        '[tenant]\nid = "acme"\n'
        '[policy]\nmfa = "never"\nfactors = ["otp", "sms", "email", "recovery-code"]\n'
        f'[flow]\nactions = ["{PORTS_DIR / "mfa_require_enrollment.py"}"]\n'
        f'[geoip]\ncity_database = "{GEO}"\n'
    )
    event = {
        "id": "l-1",
        "timestamp": "2026-11-25T10:15:00Z",
        "user": {"user_id": "u1", "enrolled_factors": factors},
        "request": {"ip": "77.161.34.157"},
    }
    decision = Engine(load_config(tmp_path / "tenant.toml")).evaluate(
        parse_event(event, where="test"), InMemoryHistory()
    )
    assert (decision.outcome, decision.factors) == (outcome, offered)

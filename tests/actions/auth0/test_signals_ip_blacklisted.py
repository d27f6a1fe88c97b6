"""actions/auth0/signals_ip_blacklisted.py against an Auth0 Signals stand-in: every branch of
auth0/rules signals-ip-blacklisted.js, and the ON_LISTED decision the port adds."""

import json

import pytest
from auth0_ports import ALLOW, deny, mfa, user
from risk_stand_ins import SignalsApi, running

STEM = "signals_ip_blacklisted"
KEY = "signals-key-6f1e2d"
LISTED = "77.161.34.157"  # the base event's address
LISTS = ["TOR_EXIT", "BLOCKLIST_DE"]
CLAIM = "https://example.com/blacklists"


@pytest.fixture
def signals():
    with running(SignalsApi(api_key=KEY, blacklists={LISTED: LISTS})) as stand_in:
        yield stand_in


def secrets(stand_in, **more):
    return {"AUTH0SIGNALS_API_KEY": KEY, "SIGNALS_API": stand_in.url, **more}


def unlisted():
    return {"request": {"ip": "198.51.100.7"}}


def test_asks_for_the_address_with_the_key_in_a_header(online, signals):
    online(STEM, signals, secrets=secrets(signals))
    [seen] = signals.seen
    assert (seen.method, seen.path, seen.query) == ("GET", f"/badip/{LISTED}", {})
    assert seen.headers["x-auth-token"] == KEY
    assert seen.headers["content-type"] == "application/json"


def test_a_listed_address_is_recorded_and_passes_by_default(online, signals):
    result = online(STEM, signals, secrets=secrets(signals))
    assert result.decision == ALLOW
    assert result.run.user_metadata == {"source_ip": {"blacklists": LISTS, "ip": LISTED}}
    assert result.run.id_token_claims == {CLAIM: LISTS}
    assert f"Signals source_ip: {LISTED}, blacklists: TOR_EXIT,BLOCKLIST_DE" in result.logs


@pytest.mark.parametrize(
    ("on_listed", "expect"),
    [("mfa", mfa("any")), ("deny", deny("Access denied from this IP address.")), ("record", ALLOW)],
)
def test_on_listed_acts_on_a_listed_address(online, signals, on_listed, expect):
    result = online(STEM, signals, secrets=secrets(signals, ON_LISTED=on_listed))
    assert result.decision == expect
    assert result.run.id_token_claims == {CLAIM: LISTS}


@pytest.mark.parametrize("on_listed", ["mfa", "deny"])
def test_an_unlisted_address_404_records_no_lists_and_passes(online, signals, on_listed):
    result = online(STEM, signals, unlisted(), secrets(signals, ON_LISTED=on_listed))
    assert result.decision == ALLOW
    assert result.run.user_metadata == {"source_ip": {"blacklists": [], "ip": "198.51.100.7"}}
    assert result.run.id_token_claims == {CLAIM: []}


def test_earlier_source_ip_fields_are_kept(online, signals):
    earlier = user(user_metadata={"source_ip": {"country_code": "NL"}})
    result = online(STEM, signals, earlier, secrets(signals))
    assert result.run.user_metadata["source_ip"] == {
        "country_code": "NL",
        "blacklists": LISTS,
        "ip": LISTED,
    }


def test_claim_namespace_names_the_claim(online, signals):
    result = online(STEM, signals, secrets=secrets(signals, CLAIM_NAMESPACE="https://acme.test/"))
    assert result.run.id_token_claims == {"https://acme.test/blacklists": LISTS}


def test_without_a_key_the_anonymous_plan_is_asked(online, signals):
    result = online(STEM, signals, secrets={"SIGNALS_API": signals.url, "ON_LISTED": "mfa"})
    assert "x-auth-token" not in signals.seen[0].headers
    assert result.decision == mfa("any")


@pytest.mark.parametrize("status", [401, 429, 500])
def test_another_status_changes_nothing(online, signals, status):
    signals.status = status
    result = online(STEM, signals, secrets=secrets(signals, ON_LISTED="deny"))
    assert result.decision == ALLOW and result.run.error is None
    assert result.run.user_metadata == {} and result.run.id_token_claims == {}
    assert f"Signals not returning 200 or 404: {status}" in result.logs


def test_a_wrong_key_is_refused_and_changes_nothing(online, signals):
    result = online(STEM, signals, secrets=secrets(signals, AUTH0SIGNALS_API_KEY="stale"))
    assert result.decision == ALLOW and result.run.user_metadata == {}


def test_a_timeout_changes_nothing(online, signals):
    signals.delay = 0.5
    result = online(STEM, signals, secrets=secrets(signals, ON_LISTED="deny", TIMEOUT_MS="100"))
    assert result.decision == ALLOW and result.run.error is None
    assert result.run.user_metadata == {}
    assert any(line.startswith("Error request to Signals:") for line in result.logs)


def test_an_unknown_on_listed_is_an_error(online, signals):
    result = online(STEM, signals, secrets=secrets(signals, ON_LISTED="block"))
    assert "ON_LISTED must be one of record, mfa, deny" in result.run.error.message
    assert signals.seen == []


def test_the_key_is_never_recorded(online, signals):
    result = online(STEM, signals, secrets=secrets(signals, ON_LISTED="deny"))
    assert KEY not in json.dumps(result.exchanges) + json.dumps(result.outcome())

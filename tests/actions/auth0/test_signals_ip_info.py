"""actions/auth0/signals_ip_info.py against an Auth0 Signals stand-in: every branch of
auth0/rules signals-ip-info.js."""

import json

import pytest
from auth0_ports import ALLOW
from risk_stand_ins import SignalsApi, running

STEM = "signals_ip_info"
KEY = "signals-key-6f1e2d"
ADDRESS = "77.161.34.157"
KPN = {"country": "NL", "continent": "EU", "as": {"asn": 1136, "name": "KPN B.V."}}


@pytest.fixture
def signals():
    with running(SignalsApi(api_key=KEY, geo={ADDRESS: KPN})) as stand_in:
        yield stand_in


def secrets(stand_in, **more):
    return {"AUTH0SIGNALS_API_KEY": KEY, "SIGNALS_API": stand_in.url, **more}


def claims(namespace, **values):
    return {f"{namespace}{name}": value for name, value in values.items()}


def test_asks_for_the_address_with_the_key_in_a_header(online, signals):
    online(STEM, signals, secrets=secrets(signals))
    [seen] = signals.seen
    assert (seen.method, seen.path, seen.query) == ("GET", f"/geoip/{ADDRESS}", {})
    assert seen.headers["x-auth-token"] == KEY


def test_records_country_continent_and_network(online, signals):
    result = online(STEM, signals, secrets=secrets(signals))
    values = {"country_code": "NL", "continent_code": "EU", "asn": 1136, "asn_name": "KPN B.V."}
    assert result.decision == ALLOW
    assert result.run.user_metadata == {"source_ip": values}
    assert result.run.id_token_claims == claims("https://example.com/", **values)


def test_an_answer_without_country_or_network_records_empty_fields(online, signals):
    signals.service.geo = {}
    result = online(STEM, signals, secrets=secrets(signals, CLAIM_NAMESPACE="https://acme.test/"))
    empty = {"country_code": "", "continent_code": "", "asn": "", "asn_name": ""}
    assert result.run.user_metadata == {"source_ip": empty}
    assert result.run.id_token_claims == claims("https://acme.test/", **empty)


def test_a_country_without_network_keeps_the_country(online, signals):
    signals.service.geo = {ADDRESS: {"country": "BE", "continent": "EU"}}
    result = online(STEM, signals, secrets=secrets(signals))
    assert result.run.user_metadata["source_ip"] == {
        "country_code": "BE",
        "continent_code": "EU",
        "asn": "",
        "asn_name": "",
    }


@pytest.mark.parametrize("status", [401, 404, 503])
def test_another_status_changes_nothing(online, signals, status):
    signals.status = status
    result = online(STEM, signals, secrets=secrets(signals))
    assert result.decision == ALLOW and result.run.error is None
    assert result.run.user_metadata == {} and result.run.id_token_claims == {}
    assert f"Signals not returning 200: {status}" in result.logs


def test_a_timeout_changes_nothing(online, signals):
    signals.delay = 0.5
    result = online(STEM, signals, secrets=secrets(signals, TIMEOUT_MS="100"))
    assert result.run.error is None and result.run.user_metadata == {}
    assert any(line.startswith("Error request to Signals:") for line in result.logs)


def test_without_a_key_the_anonymous_plan_is_asked(online, signals):
    result = online(STEM, signals, secrets={"SIGNALS_API": signals.url})
    assert "x-auth-token" not in signals.seen[0].headers
    assert result.run.user_metadata["source_ip"]["country_code"] == "NL"


def test_the_key_is_never_recorded(online, signals):
    result = online(STEM, signals, secrets=secrets(signals))
    assert KEY not in json.dumps(result.exchanges) + json.dumps(result.outcome())

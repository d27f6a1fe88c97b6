"""The engine end to end on small configs: pipeline order, on_error, history, enrichment."""

from __future__ import annotations

from pathlib import Path

import pytest

from contextmfa.config import load_config
from contextmfa.engine import MFA_ACR, Engine
from contextmfa.enrich.history import InMemoryHistory
from contextmfa.errors import ConfigError, InputError
from contextmfa.events import parse_event

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "samples" / "geo"


def tenant(tmp_path: Path, actions: dict[str, str], extra: str = "") -> Engine:
    for name, body in actions.items():
        (tmp_path / f"{name}.py").write_text(body)
    listed = ", ".join(f'"{name}.py"' for name in actions)
    (tmp_path / "tenant.toml").write_text(
        f'[tenant]\nid = "acme"\n[flow]\nactions = [{listed}]\n{extra}\n'
        f'[geoip]\ncity_database = "{GEO / "test-city.mmdb"}"\n'
    )
    return Engine(load_config(tmp_path / "tenant.toml"))


def action(*lines: str) -> str:
    return "def on_execute_post_login(event, api):\n" + "".join(f"    {x}\n" for x in lines)


def login(**changes: object):
    data = {
        "id": "l-1",
        "timestamp": "2026-03-02T09:00:00+01:00",
        "user": {"user_id": "u1", "enrolled_factors": [{"type": "otp"}, {"type": "sms"}]},
        "request": {"ip": "145.100.0.1", "user_agent": "Firefox"},
        "device": {"id": "d1"},
    }
    data.update(changes)
    return parse_event(data, where="test")


def test_actions_run_in_flow_order_and_deny_stops_the_flow(tmp_path):
    engine = tenant(
        tmp_path,
        {
            "first": action("print('first')"),
            "second": action("api.access.deny('no')", "print('second')"),
            "third": action("print('third')"),
        },
    )
    decision = engine.evaluate(login(), InMemoryHistory())
    assert [log["line"] for log in decision.logs] == ["first", "second"]
    assert (decision.outcome, decision.deny_reason, decision.source) == (
        "deny",
        "no",
        "action:second",
    )


def test_on_error_deny(tmp_path):
    engine = tenant(tmp_path, {"boom": action("raise ValueError('bad')")})
    decision = engine.evaluate(login(), InMemoryHistory())
    assert (decision.outcome, decision.deny_reason, decision.source) == (
        "deny",
        "action_error",
        "on_error:boom",
    )
    assert decision.errors == [
        {"action": "boom", "kind": "exception", "message": "ValueError: bad", "line": 2}
    ]


def test_on_error_challenge_goes_on_with_every_enabled_factor(tmp_path):
    engine = tenant(
        tmp_path,
        {"boom": action("1 / 0"), "after": action("print('ran')")},
        extra='on_error = "challenge"',
    )
    decision = engine.evaluate(login(), InMemoryHistory())
    assert (decision.outcome, decision.source) == ("challenge", "on_error:boom")
    assert decision.factors == ("otp", "sms")
    assert decision.allow_remember_browser is False
    assert [log["line"] for log in decision.logs] == ["ran"]


def test_failed_action_keeps_no_metadata(tmp_path):
    engine = tenant(
        tmp_path,
        {"half": action("api.user.set_app_metadata('k', 1)", "raise KeyError('x')")},
        extra='on_error = "challenge"',
    )
    decision = engine.evaluate(login(), InMemoryHistory())
    assert decision.metadata_updates == {"app_metadata": {}, "user_metadata": {}}


def test_metadata_and_claims_are_collected(tmp_path):
    engine = tenant(
        tmp_path,
        {
            "a": action(
                "api.user.set_app_metadata('plan', 'gold')",
                "api.user.set_user_metadata('theme', None)",
                "api.id_token.set_custom_claim('https://acme.test/risk', 'high')",
                "api.access_token.set_custom_claim('https://acme.test/tier', 2)",
                "api.transaction.set_metadata('trace', 'abc')",
            )
        },
    )
    decision = engine.evaluate(login(), InMemoryHistory())
    assert decision.metadata_updates == {
        "app_metadata": {"plan": "gold"},
        "user_metadata": {"theme": None},
    }
    assert decision.custom_claims == {
        "id_token": {"https://acme.test/risk": "high"},
        "access_token": {"https://acme.test/tier": 2},
    }
    assert decision.transaction_metadata == {"trace": "abc"}


def test_acr_values_require_mfa_first(tmp_path):
    engine = tenant(tmp_path, {"noop": action("pass")})
    event = login(transaction={"acr_values": [MFA_ACR]})
    decision = engine.evaluate(event, InMemoryHistory())
    assert (decision.outcome, decision.source, decision.factors) == (
        "challenge",
        "acr",
        ("otp", "sms"),
    )


def test_step_limit_counts_across_actions(tmp_path):
    three = action(*["api.authentication.challenge_with('otp')"] * 3)
    engine = tenant(tmp_path, {"a": three, "b": three})
    decision = engine.evaluate(login(), InMemoryHistory())
    assert decision.errors[0]["action"] == "b"
    assert decision.errors[0]["kind"] == "limit"
    assert decision.outcome == "deny"


def test_enrichment_reaches_actions(tmp_path):
    engine = tenant(
        tmp_path,
        {
            "geo": action(
                "risk = event.authentication.risk_assessment",
                "print(event.request.geoip.country_code, risk.confidence)",
            )
        },
    )
    decision = engine.evaluate(login(request={"ip": "212.58.244.1"}), InMemoryHistory())
    assert decision.logs[0]["line"] == "GB high"
    assert decision.geoip["country_code"] == "GB"


def test_geoip_override_in_the_event_wins(tmp_path):
    engine = tenant(tmp_path, {"noop": action("pass")})
    override = {"country_code": "IS", "latitude": 64.1, "longitude": -21.9}
    decision = engine.evaluate(
        login(request={"ip": "212.58.244.1", "geoip": override}), InMemoryHistory()
    )
    assert decision.geoip["country_code"] == "IS"


def test_history_is_recorded_unless_denied(tmp_path):
    engine = tenant(
        tmp_path,
        {"gate": action("if event.user.app_metadata.get('blocked'):", "    api.access.deny('x')")},
    )
    history = InMemoryHistory()
    engine.evaluate(login(user={"user_id": "u1", "app_metadata": {"blocked": True}}), history)
    assert history.logins("acme", "u1") == () or list(history.logins("acme", "u1")) == []
    engine.evaluate(login(), history)
    second = engine.evaluate(login(id="l-2"), history)
    assert second.risk["assessments"]["new_device"]["code"] == "match"
    assert len(history.logins("acme", "u1")) == 2


def test_event_of_another_tenant_is_refused(tmp_path):
    engine = tenant(tmp_path, {"noop": action("pass")})
    with pytest.raises(InputError, match=r"tenant\.id: 'globex'"):
        engine.evaluate(login(tenant={"id": "globex"}), InMemoryHistory())


def test_one_failing_login_does_not_harm_the_next(tmp_path):
    engine = tenant(
        tmp_path,
        {"loop": action("if event.user.user_id == 'bad':", "    while True:", "        pass")},
    )
    bad = engine.evaluate(login(user={"user_id": "bad"}), InMemoryHistory())
    assert bad.errors[0]["kind"] in ("limit", "timeout")
    good = engine.evaluate(login(), InMemoryHistory())
    assert good.errors == [] and good.outcome in ("allow", "challenge")


def test_timing_is_reported(tmp_path):
    engine = tenant(tmp_path, {"noop": action("pass")})
    timing = engine.evaluate(login(), InMemoryHistory()).timing_us
    assert list(timing) == ["enrich", "rules", "actions", "total"]
    assert timing["total"] >= timing["actions"] >= 0


def test_a_bad_geoip_database_is_named_with_the_config(tmp_path):
    (tmp_path / "bad.mmdb").write_text("garbage")
    (tmp_path / "tenant.toml").write_text(
        '[tenant]\nid = "a"\n[geoip]\ncity_database = "bad.mmdb"\n'
    )
    with pytest.raises(ConfigError) as caught:
        Engine(load_config(tmp_path / "tenant.toml"))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'tenant.toml'}: error: geoip.city_database:")


def test_secrets_are_redacted_in_their_quoted_forms_too(tmp_path):
    engine = tenant(
        tmp_path,
        {"leaky": action("int(event.secrets['TOKEN'])")},
        extra='[secrets.leaky]\nTOKEN = "line1\\nline2\'s"\n',
    )
    decision = engine.evaluate(login(), InMemoryHistory())
    message = decision.errors[0]["message"]
    assert "line1" not in message and "line2" not in message
    assert "[REDACTED]" in message


def test_short_configuration_values_are_not_redacted(tmp_path):
    engine = tenant(
        tmp_path,
        {"count": action("print('login', 3, 'of', event.secrets['GRACE'])")},
        extra='[secrets.count]\nGRACE = "3"\n',
    )
    assert engine.evaluate(login(), InMemoryHistory()).logs[0]["line"] == "login 3 of 3"

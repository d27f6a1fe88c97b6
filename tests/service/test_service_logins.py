"""POST /v1/logins: the decision, the mfa_token, the store as the source of factors and history."""

from __future__ import annotations

import json

from service_helpers import bearer, login_event


def test_a_user_without_factors_must_enroll_and_gets_an_mfa_token(service):
    answer = service.login(login_event("auth0|new"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["outcome"] == "enroll"
    assert body["source"] == "policy:always"
    assert body["steps"] == [
        {
            "kind": "enroll",
            "factors": ["otp", "push-notification", "sms"],
            "source": "policy:always",
        }
    ]
    assert body["mfa_token"] and body["expires_in"] == 600


def test_enrolled_factors_come_from_the_store_not_the_event(service):
    event = login_event("auth0|claims", user={"user_id": "auth0|claims"})
    event["user"]["enrolled_factors"] = [{"type": "otp"}, {"type": "sms"}]
    assert service.login(event).json()["outcome"] == "enroll"

    service.enroll_otp("auth0|claims")
    event["user"]["enrolled_factors"] = []
    body = service.login(event).json()
    assert body["outcome"] == "challenge"
    assert body["factors"] == ["otp", "recovery-code"]


def test_a_deny_comes_with_its_reason_and_no_token(service):
    event = login_event("auth0|mallory")
    event["user"]["app_metadata"] = {"blocked": True}
    body = service.login(event).json()
    assert body["outcome"] == "deny"
    assert body["deny_reason"] == "account_blocked"
    assert body["source"] == "action:deny_blocked"
    assert "mfa_token" not in body


def test_the_decision_is_audited_without_secrets(service):
    event = login_event("auth0|audited", login_id="l-audit")
    service.login(event)
    entries = service.tenant().store.audit.list("acme", user_id="auth0|audited")
    decision = next(e for e in entries if e.kind == "login.decision")
    assert decision.detail["login_id"] == "l-audit"
    assert decision.detail["outcome"] == "enroll"
    assert "mfa_token" not in json.dumps(dict(decision.detail))


def _new_device(answer) -> str:
    return answer.json()["risk"]["assessments"]["new_device"]["code"]


def test_a_login_that_passed_mfa_is_history_so_the_next_login_knows_the_device(service):
    secret, _ = service.enroll_otp("auth0|hist")  # the enrollment login passed: it is history
    token = service.login(login_event("auth0|hist")).json()["mfa_token"]
    service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)})
    assert _new_device(service.login(login_event("auth0|hist"))) == "match"


def test_an_abandoned_challenge_teaches_the_history_nothing(service):
    """Whoever holds only the password starts logins from their own device and never passes
    the challenge: the device, browser and place must stay unknown, or the adaptive policy
    would let the next login through as a known device."""
    service.enroll_otp("auth0|victim")
    stranger = login_event("auth0|victim", device={"id": "d-attacker"})
    stranger["request"]["user_agent"] = "Mozilla/5.0 (Windows NT 10.0) Chrome/140.0"
    for _ in range(3):
        answer = service.login(stranger)
        assert answer.json()["outcome"] == "challenge"
        assert _new_device(answer) == "no_match"


def test_a_denied_login_is_not_history(service):
    event = login_event("auth0|denied")
    event["user"]["app_metadata"] = {"blocked": True}
    service.login(event)
    later = service.login(login_event("auth0|denied")).json()
    assert later["risk"]["assessments"]["new_device"]["code"] == "initial_login"


def test_an_invalid_event_is_400_with_the_field(service):
    event = login_event()
    event["request"]["ip"] = "999.1.1.1"
    answer = service.login(event)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_request",
        "error_description": "request.ip: '999.1.1.1' is not an IP address",
    }


def test_an_ip_given_as_a_number_or_boolean_is_400_not_an_address(service):
    """12345 would read as 0.0.48.57 and true as 0.0.0.1: a login decided with no location."""
    for value, shown in ((12345, "number 12345"), (True, "boolean true")):
        event = login_event()
        event["request"]["ip"] = value
        answer = service.login(event)
        assert answer.status_code == 400
        assert answer.json()["error_description"] == (
            f"request.ip: expected an IP address as a JSON string, got {shown}"
        )


def test_unknown_keys_and_bad_json_are_400(service):
    event = login_event()
    event["usr"] = {}
    assert service.login(event).json()["error_description"] == "usr: unknown key"
    answer = service.client.post(
        "/v1/logins",
        content=b"{not json",
        headers={**service.api(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["error_description"].startswith("the body is not valid JSON")


def test_an_oversized_body_is_413(service):
    event = login_event()
    event["user"]["app_metadata"] = {"blob": "x" * (1 << 20)}
    answer = service.login(event)
    assert answer.status_code == 413
    assert answer.json()["error"] == "invalid_request"


def test_a_login_needs_the_tenants_api_key(service):
    event = login_event()
    missing = service.client.post("/v1/logins", json=event)
    wrong = service.client.post("/v1/logins", json=event, headers=bearer("api-not-a-key-at-all"))
    admin = service.client.post("/v1/logins", json=event, headers=service.admin())
    for answer in (missing, wrong, admin):
        assert answer.status_code == 401
        assert answer.json()["error"] == "access_denied"
        assert answer.headers["www-authenticate"] == "Bearer"


def test_the_api_key_names_the_tenant(service):
    event = login_event("auth0|shared", tenant={"id": "acme"})
    assert service.login(event, "acme").status_code == 200
    answer = service.login(event, "globex")
    assert answer.status_code == 400
    assert "tenant.id" in answer.json()["error_description"]


def test_remembered_only_with_a_live_token_of_the_user(service):
    secret, _ = service.enroll_otp("auth0|rem")
    event = login_event("auth0|rem")
    event["device"] = {"id": "d-alice", "remembered": True}
    first = service.login(event).json()
    assert first["outcome"] == "challenge", "the event's word is not enough"

    done = service.mfa(
        "verify",
        first["mfa_token"],
        {"factor": "otp", "otp": service.code(secret), "remember_browser": True},
    ).json()
    token = done["remember_token"]
    remembered = service.login(login_event("auth0|rem"), **{"X-Remember-Token": token}).json()
    assert (remembered["outcome"], remembered["source"]) == ("allow", "remembered-browser")

    other = service.login(login_event("auth0|someone"), **{"X-Remember-Token": token}).json()
    assert other["outcome"] == "enroll"
    forged = service.login(login_event("auth0|rem"), **{"X-Remember-Token": "x" * 43}).json()
    assert forged["outcome"] == "challenge"

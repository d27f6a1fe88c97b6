"""The invariants of an MFA transaction, each through the API as an attacker who knows only a
user's password would try it (factors-and-service.md, "Invariants of an MFA transaction").

Every reproduction of the bypasses found against the service is a test here; the stateful model
test (test_service_mfa_model.py) then walks random sequences of the same moves.
"""

from __future__ import annotations

import re
from pathlib import Path

from service_helpers import login_event

ACTIONS = Path(__file__).resolve().parents[2] / "actions"


def _digits(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None
    return found.group(1)


def _authenticators(service, user_id: str, *, confirmed_only: bool = True) -> list:
    store = service.tenant().store
    return store.authenticators.for_user("acme", user_id, confirmed_only=confirmed_only)


def _emails(service) -> int:
    return len(service.tenant().store.outbox.list("acme", channel="email", limit=1000))


def _verified_email_login(service, user_id: str) -> dict:
    event = login_event(user_id)
    event["user"]["email_verified"] = True
    response = service.login(event)
    assert response.status_code == 200, response.text
    return response.json()


def _deploy_force_enrollment(service) -> None:
    source = (ACTIONS / "force_enrollment.py").read_text()
    deployed = service.client.put(
        "/v1/actions/force_enrollment", json={"source": source}, headers=service.admin()
    )
    assert deployed.status_code in (200, 201), deployed.text


# 1. No recovery code before the first factor is proven.


def test_challenging_a_verified_email_issues_no_recovery_code_and_confirms_nothing(service):
    decision = _verified_email_login(service, "auth0|victim")
    assert (decision["outcome"], decision["factors"]) == ("challenge", ["email"])
    sent = service.mfa("challenge", decision["mfa_token"], {"factor": "email"})
    assert sent.status_code == 200, sent.text
    assert "recovery_code" not in sent.json()
    assert _authenticators(service, "auth0|victim") == []
    again = _verified_email_login(service, "auth0|victim")
    assert again["factors"] == ["email"], "no recovery code may exist before a proof"
    refused = service.mfa(
        "verify", again["mfa_token"], {"factor": "recovery-code", "recovery_code": "A" * 24}
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "unsupported_challenge_type"


def test_the_email_code_confirms_the_address_and_still_issues_no_recovery_code(service):
    decision = _verified_email_login(service, "auth0|owner")
    sent = service.mfa("challenge", decision["mfa_token"], {"factor": "email"}).json()
    code = _digits(service.tenant().store.outbox.list("acme", channel="email", limit=1)[0].body)
    body = {"factor": "email", "oob_code": sent["oob_code"], "binding_code": code}
    done = service.mfa("verify", decision["mfa_token"], body).json()
    assert done["status"] == "passed" and "recovery_code" not in done
    (email,) = _authenticators(service, "auth0|owner")
    assert email.type == "email"


# 2. A user who has a factor proves it before another is added.


def test_force_enrollment_for_an_email_only_user_challenges_the_email_first(service):
    _deploy_force_enrollment(service)
    decision = _verified_email_login(service, "auth0|victim")
    assert decision["outcome"] == "challenge"
    assert [s["kind"] for s in decision["steps"]] == ["challenge", "enroll"]
    assert decision["steps"][0]["factors"] == ["email"]
    assert any(
        entry["detail"].get("resolution") == "challenge_before_enroll"
        for entry in decision["trace"]
    )
    token = decision["mfa_token"]
    refused = service.mfa("enroll", token, {"factor": "otp"})
    assert refused.status_code == 400 and "challenge" in refused.json()["error_description"]
    assert _authenticators(service, "auth0|victim", confirmed_only=False) == []


def test_after_the_email_challenge_the_owner_enrolls(service):
    _deploy_force_enrollment(service)
    decision = _verified_email_login(service, "auth0|owner")
    sent = service.mfa("challenge", decision["mfa_token"], {"factor": "email"}).json()
    code = _digits(service.tenant().store.outbox.list("acme", channel="email", limit=1)[0].body)
    body = {"factor": "email", "oob_code": sent["oob_code"], "binding_code": code}
    step = service.mfa("verify", decision["mfa_token"], body).json()
    assert step["status"] == "next_step" and step["step"]["kind"] == "enroll"
    secret = service.mfa("enroll", step["mfa_token"], {"factor": "otp"}).json()["secret"]
    done = service.mfa(
        "enroll/confirm", step["mfa_token"], {"factor": "otp", "otp": service.code(secret)}
    )
    assert done.json()["status"] == "passed"
    assert done.json()["recovery_code"]


# 3. A used token adds nothing.


def test_a_completed_enroll_token_cannot_start_or_confirm_another_enrollment(service):
    token = service.login(login_event("auth0|new")).json()["mfa_token"]
    secret = service.mfa("enroll", token, {"factor": "otp"}).json()["secret"]
    done = service.mfa("enroll/confirm", token, {"factor": "otp", "otp": service.code(secret)})
    assert done.json()["status"] == "passed"
    before = _authenticators(service, "auth0|new", confirmed_only=False)
    again = service.mfa("enroll", token, {"factor": "otp"})
    assert again.status_code == 403 and again.json()["error"] == "invalid_grant"
    sms = service.mfa("enroll", token, {"factor": "sms", "phone_number": "+31612345678"})
    assert sms.status_code == 403
    assert _authenticators(service, "auth0|new", confirmed_only=False) == before


def test_a_pending_enrollment_of_a_used_token_is_never_confirmed(service):
    """Start two enrollments on one token, finish one; the other's confirm changes nothing."""
    token = service.login(login_event("auth0|new")).json()["mfa_token"]
    phone = {"factor": "sms", "phone_number": "+31612345678"}
    started = service.mfa("enroll", token, phone).json()
    secret = service.mfa("enroll", token, {"factor": "otp"}).json()["secret"]
    done = service.mfa("enroll/confirm", token, {"factor": "otp", "otp": service.code(secret)})
    assert done.json()["status"] == "passed"
    code = _digits(service.tenant().store.outbox.list("acme", channel="sms", limit=1)[0].body)
    late = service.mfa(
        "enroll/confirm",
        token,
        {"factor": "sms", "oob_code": started["oob_code"], "binding_code": code},
    )
    assert late.status_code == 403 and late.json()["error"] == "invalid_grant"
    assert sorted(a.type for a in _authenticators(service, "auth0|new")) == ["otp", "recovery-code"]


# 4. Enrollment is checked against the store at the moment of the call.


def test_an_enroll_token_from_before_the_users_first_enrollment_is_refused(service):
    victims = service.login(login_event("auth0|v")).json()["mfa_token"]
    attackers = service.login(login_event("auth0|v")).json()["mfa_token"]
    secret = service.mfa("enroll", victims, {"factor": "otp"}).json()["secret"]
    done = service.mfa("enroll/confirm", victims, {"factor": "otp", "otp": service.code(secret)})
    assert done.json()["status"] == "passed"
    refused = service.mfa("enroll", attackers, {"factor": "otp"})
    assert refused.status_code == 403 and refused.json()["error"] == "access_denied"
    assert {a.type for a in _authenticators(service, "auth0|v", confirmed_only=False)} == {
        "otp",
        "recovery-code",
    }


def test_an_enrollment_started_before_the_victims_is_not_confirmed_after_it(service):
    victims = service.login(login_event("auth0|v")).json()["mfa_token"]
    attackers = service.login(login_event("auth0|v")).json()["mfa_token"]
    phone = {"factor": "sms", "phone_number": "+31687654321"}
    started = service.mfa("enroll", attackers, phone).json()
    code = _digits(service.tenant().store.outbox.list("acme", channel="sms", limit=1)[0].body)
    secret = service.mfa("enroll", victims, {"factor": "otp"}).json()["secret"]
    done = service.mfa("enroll/confirm", victims, {"factor": "otp", "otp": service.code(secret)})
    assert done.json()["status"] == "passed"
    body = {"factor": "sms", "oob_code": started["oob_code"], "binding_code": code}
    refused = service.mfa("enroll/confirm", attackers, body)
    assert refused.status_code == 403 and refused.json()["error"] == "access_denied"
    assert sorted(a.type for a in _authenticators(service, "auth0|v")) == ["otp", "recovery-code"]


# Lower: a token that passed causes nothing more.


def test_a_token_that_passed_sends_nothing_and_spends_no_code(service):
    secret, _ = service.enroll_otp("auth0|done")
    token = service.login(login_event("auth0|done")).json()["mfa_token"]
    passed = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)})
    assert passed.json()["status"] == "passed"
    service.clock.advance(seconds=30)
    sent_before = _emails(service)
    challenge = service.mfa("challenge", token, {"factor": "otp"})
    assert challenge.status_code == 403 and challenge.json()["error"] == "invalid_grant"
    next_code = service.code(secret)
    spent = service.mfa("verify", token, {"factor": "otp", "otp": next_code})
    assert spent.status_code == 403 and spent.json()["error"] == "invalid_grant"
    assert _emails(service) == sent_before
    fresh = service.login(login_event("auth0|done")).json()["mfa_token"]
    again = service.mfa("verify", fresh, {"factor": "otp", "otp": next_code})
    assert again.json()["status"] == "passed", "the refused request must not have spent the code"


def test_a_superseded_step_token_causes_nothing(service):
    """After step one of two passes, the step-one token can neither pass nor send again."""
    secret, _ = service.enroll_otp("auth0|two")
    service.add_phone("auth0|two")
    store = service.tenant().store
    first = service.payroll_login("auth0|two")["mfa_token"]
    step = service.mfa("verify", first, {"factor": "otp", "otp": service.code(secret)}).json()
    assert step["status"] == "next_step"
    sms_before = len(store.outbox.list("acme", channel="sms", limit=100))
    old = service.mfa("challenge", first, {"factor": "otp"})
    assert old.status_code == 403
    assert len(store.outbox.list("acme", channel="sms", limit=100)) == sms_before

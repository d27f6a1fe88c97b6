"""/v1/mfa/*: enrolling, challenging and verifying through the mfa_token, step by step."""

from __future__ import annotations

import re

import jwt
from fastapi.testclient import TestClient
from service_helpers import SECRET_KEY, bearer, login_event, write_tenant

from contextmfa.service import create_app, load_tenants
from contextmfa.service.assertion import MFA_ACR


def _claims(service, assertion: str, audience: str = "portal-web") -> dict:
    keys = service.client.get("/.well-known/jwks.json", params={"tenant": "acme"}).json()
    header = jwt.get_unverified_header(assertion)
    (jwk,) = [k for k in keys["keys"] if k["kid"] == header["kid"]]
    key = jwt.PyJWK(jwk).key
    return jwt.decode(
        assertion,
        key,
        algorithms=["ES256"],
        audience=audience,
        issuer="http://127.0.0.1:8000",
        options={"verify_exp": False, "verify_iat": False},
    )


def test_otp_enrollment_passes_with_an_assertion_and_a_recovery_code_once(service):
    secret, done = service.enroll_otp("auth0|enroll")
    assert done["status"] == "passed"
    assert len(done["recovery_code"]) == 24
    claims = _claims(service, done["assertion"])
    assert claims["sub"] == "auth0|enroll"
    assert claims["amr"] == ["otp"]
    assert claims["acr"] == MFA_ACR
    assert claims["exp"] - claims["iat"] == 300

    token = service.login(login_event("auth0|enroll")).json()["mfa_token"]
    passed = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)}).json()
    assert passed["status"] == "passed"
    assert "recovery_code" not in passed


def test_the_authenticators_of_the_current_step(service):
    service.enroll_otp("auth0|list")
    token = service.login(login_event("auth0|list")).json()["mfa_token"]
    found = service.mfa("authenticators", token).json()
    assert sorted(a["factor"] for a in found) == ["otp", "recovery-code"]
    assert all("secret" not in a for a in found)
    enrolling = service.login(login_event("auth0|nobody")).json()["mfa_token"]
    assert service.mfa("authenticators", enrolling).json() == []


def test_a_replayed_code_is_refused(service):
    secret, _ = service.enroll_otp("auth0|replay")
    code = service.code(secret)
    first = service.login(login_event("auth0|replay")).json()["mfa_token"]
    assert service.mfa("verify", first, {"factor": "otp", "otp": code}).status_code == 200
    second = service.login(login_event("auth0|replay")).json()["mfa_token"]
    again = service.mfa("verify", second, {"factor": "otp", "otp": code})
    assert again.status_code == 403
    assert again.json()["error"] == "invalid_grant"


def test_the_eleventh_wrong_code_is_too_many_attempts(service):
    secret, _ = service.enroll_otp("auth0|guess")
    token = service.login(login_event("auth0|guess")).json()["mfa_token"]
    right = service.code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(10):
        assert service.mfa("verify", token, {"factor": "otp", "otp": wrong}).status_code == 403
    eleventh = service.mfa("verify", token, {"factor": "otp", "otp": right})
    assert eleventh.status_code == 429
    assert eleventh.json()["error"] == "too_many_attempts"
    assert int(eleventh.headers["retry-after"]) > 0


def test_an_expired_mfa_token_is_refused(service):
    token = service.login(login_event("auth0|slow")).json()["mfa_token"]
    service.clock.advance(minutes=10)
    answer = service.mfa("enroll", token, {"factor": "otp"})
    assert answer.status_code == 401
    assert answer.json()["error"] == "expired_token"


def test_a_forged_or_foreign_token_is_refused(service):
    token = service.login(login_event("auth0|forge")).json()["mfa_token"]
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    for bad in (tampered, "not-a-token", service.files["acme"].api_key):
        answer = service.mfa("authenticators", bad)
        assert answer.status_code == 401
        assert answer.json()["error"] == "invalid_grant"
    assert service.client.get("/v1/mfa/authenticators").status_code == 401


def test_a_completed_step_cannot_be_completed_again(service):
    secret, _ = service.enroll_otp("auth0|twice")
    token = service.login(login_event("auth0|twice")).json()["mfa_token"]
    assert service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)}).is_success
    service.clock.advance(seconds=30)
    again = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)})
    assert again.status_code == 403
    assert "already completed" in again.json()["error_description"]


def test_factors_must_fit_the_current_step(service):
    token = service.login(login_event("auth0|fit")).json()["mfa_token"]
    unoffered = service.mfa("enroll", token, {"factor": "email"})
    assert unoffered.json()["error"] == "unsupported_challenge_type"
    wrong_kind = service.mfa("verify", token, {"factor": "otp", "otp": "123456"})
    assert wrong_kind.status_code == 400
    assert "enrollment" in wrong_kind.json()["error_description"]
    typo = service.mfa("enroll", token, {"factor": "otp", "phone": "+1"})
    assert typo.json()["error_description"] == "phone: unknown key"


def test_a_recovery_code_passes_once_and_is_replaced(service):
    _, done = service.enroll_otp("auth0|lost")
    code = done["recovery_code"]
    token = service.login(login_event("auth0|lost")).json()["mfa_token"]
    used = service.mfa("verify", token, {"factor": "recovery-code", "recovery_code": code}).json()
    assert used["status"] == "passed"
    assert used["recovery_code"] != code
    token = service.login(login_event("auth0|lost")).json()["mfa_token"]
    again = service.mfa("verify", token, {"factor": "recovery-code", "recovery_code": code})
    assert again.json()["error"] == "invalid_grant"


def _digits(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_a_step_the_user_cannot_meet_denies(service):
    service.enroll_otp("auth0|payroll")
    event = login_event("auth0|payroll")
    event["client"] = {"client_id": "payroll", "name": "Payroll", "metadata": {}}
    decision = service.login(event).json()
    assert (decision["outcome"], decision["deny_reason"]) == ("deny", "mfa_factor_unavailable")


def test_enrolling_during_a_challenge_step_is_refused(service):
    service.enroll_otp("auth0|enrolled")
    token = service.login(login_event("auth0|enrolled")).json()["mfa_token"]
    sms = service.mfa("enroll", token, {"factor": "sms", "phone_number": "+31612345678"})
    assert sms.status_code == 400
    assert "challenge" in sms.json()["error_description"]


def test_an_sms_code_completes_the_second_step(service):
    secret, _ = service.enroll_otp("auth0|phone")
    service.add_phone("auth0|phone")
    store = service.tenant().store
    decision = service.payroll_login("auth0|phone")
    assert [s["factors"] for s in decision["steps"]] == [["otp"], ["sms"]]
    token = decision["mfa_token"]
    step = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)}).json()
    assert step["status"] == "next_step"
    assert step["step"] == {"kind": "challenge", "factors": ["sms"]}
    assert "assertion" not in step
    sent = service.mfa("challenge", step["mfa_token"], {"factor": "sms"}).json()
    assert sent["challenge_type"] == "oob" and sent["sent_to"].endswith("5678")
    code = _digits(store.outbox.list("acme", channel="sms", limit=1)[0].body)
    done = service.mfa(
        "verify",
        step["mfa_token"],
        {"factor": "sms", "oob_code": sent["oob_code"], "binding_code": code},
    ).json()
    assert done["status"] == "passed"
    claims = _claims(service, done["assertion"], audience="payroll")
    assert claims["amr"] == ["otp", "sms"]


def test_an_oob_code_belongs_to_the_token_that_started_it(service):
    store = service.tenant().store
    token_a = service.login(login_event("auth0|oob")).json()["mfa_token"]
    started = service.mfa("enroll", token_a, {"factor": "sms", "phone_number": "+31612345679"})
    oob = started.json()["oob_code"]
    code = _digits(store.outbox.list("acme", channel="sms", limit=1)[0].body)
    token_b = service.login(login_event("auth0|oob")).json()["mfa_token"]
    stolen = service.mfa(
        "enroll/confirm", token_b, {"factor": "sms", "oob_code": oob, "binding_code": code}
    )
    refusal = {
        "error": "invalid_grant",
        "error_description": "this oob_code was not issued for this mfa_token",
    }
    assert stolen.json() == refusal
    for _ in range(2):  # the same request again: a refusal leaves nothing that lets it through
        again = service.mfa(
            "enroll/confirm", token_b, {"factor": "sms", "oob_code": oob, "binding_code": code}
        )
        assert again.json() == refusal
    own = service.mfa(
        "enroll/confirm", token_a, {"factor": "sms", "oob_code": oob, "binding_code": code}
    )
    assert own.json()["status"] == "passed"


def test_a_verified_email_is_challenged_without_enrolling(service):
    service.enroll_otp("auth0|mail")
    event = login_event("auth0|mail")
    event["user"]["email_verified"] = True
    decision = service.login(event).json()
    assert "email" in decision["factors"]
    sent = service.mfa("challenge", decision["mfa_token"], {"factor": "email"}).json()
    assert sent["sent_to"] == "a***@acme.test"
    assert "recovery_code" not in sent, "the OTP enrollment already issued one"
    code = _digits(service.tenant().store.outbox.list("acme", channel="email", limit=1)[0].body)
    done = service.mfa(
        "verify",
        decision["mfa_token"],
        {"factor": "email", "oob_code": sent["oob_code"], "binding_code": code},
    )
    assert done.json()["status"] == "passed"


def test_duo_enrolls_in_its_own_prompt_and_an_unconfigured_duo_is_unavailable(tmp_path):
    files = write_tenant(tmp_path, "duo-only", factors=("duo",))
    tenants = load_tenants([files.path], environ={"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env})
    with TestClient(create_app(tenants, owns_tenants=True)) as client:
        login = client.post("/v1/logins", json=login_event(), headers=bearer(files.api_key))
        assert login.json()["steps"][0]["factors"] == ["duo"]
        token = login.json()["mfa_token"]
        answer = client.post("/v1/mfa/enroll", json={"factor": "duo"}, headers=bearer(token))
    assert answer.status_code == 503
    assert answer.json() == {
        "error": "mfa_factor_unavailable",
        "error_description": "Duo is not configured for this tenant",
    }

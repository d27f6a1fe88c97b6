"""Push with number matching, end to end through a software device that signs like a phone."""

from __future__ import annotations

from service_helpers import SoftwareDevice, login_event


def _enroll_push(service, user_id: str, push_target: str = "") -> SoftwareDevice:
    token = service.login(login_event(user_id)).json()["mfa_token"]
    ticket = service.mfa("enroll", token, {"factor": "push-notification"}).json()
    assert ticket["ticket_uri"].startswith("contextmfa://push/enroll?")
    waiting = service.mfa(
        "enroll/confirm", token, {"factor": "push-notification", "oob_code": ticket["oob_code"]}
    )
    assert waiting.json()["error"] == "authorization_pending"

    device = SoftwareDevice("acme", push_target=push_target)
    registered = service.client.post(
        "/v1/push/devices", json=device.registration(ticket["oob_code"])
    )
    assert registered.status_code == 200, registered.text
    device.device_id = registered.json()["authenticator_id"]
    service.clock.advance(seconds=6)
    done = service.mfa(
        "enroll/confirm", token, {"factor": "push-notification", "oob_code": ticket["oob_code"]}
    ).json()
    assert done["status"] == "passed" and done["recovery_code"]
    return device


def _pending(service, device: SoftwareDevice) -> list[dict]:
    answer = service.client.post("/v1/push/pending", json=device.pending_query(service.clock.now))
    assert answer.status_code == 200, answer.text
    return answer.json()["transactions"]


def test_push_approval_with_number_matching(service):
    device = _enroll_push(service, "auth0|phone")
    token = service.login(login_event("auth0|phone")).json()["mfa_token"]
    sent = service.mfa("challenge", token, {"factor": "push-notification"}).json()
    number = sent["binding_code"]
    assert len(number) == 2

    (pending,) = _pending(service, device)
    assert pending["transaction"] == sent["oob_code"]
    assert pending["context"]["app"] == "Acme Portal"
    assert "number" not in pending, "the number is only on the login screen"

    waiting = service.mfa(
        "verify", token, {"factor": "push-notification", "oob_code": sent["oob_code"]}
    )
    assert waiting.json()["error"] == "authorization_pending"
    approved = service.client.post(
        f"/v1/push/transactions/{pending['transaction']}",
        json=device.answer(pending["transaction"], pending["nonce"], number, "approve"),
    )
    assert approved.json() == {"state": "approved"}
    assert _pending(service, device) == []
    service.clock.advance(seconds=6)
    done = service.mfa(
        "verify", token, {"factor": "push-notification", "oob_code": sent["oob_code"]}
    )
    assert done.json()["status"] == "passed"


def test_a_wrong_number_rejects_the_sign_in(service):
    device = _enroll_push(service, "auth0|wrong")
    token = service.login(login_event("auth0|wrong")).json()["mfa_token"]
    sent = service.mfa("challenge", token, {"factor": "push-notification"}).json()
    (pending,) = _pending(service, device)
    other = f"{(int(sent['binding_code']) + 1 - 10) % 90 + 10}"
    refused = service.client.post(
        f"/v1/push/transactions/{pending['transaction']}",
        json=device.answer(pending["transaction"], pending["nonce"], other, "approve"),
    )
    assert refused.status_code == 403
    service.clock.advance(seconds=6)
    denied = service.mfa(
        "verify", token, {"factor": "push-notification", "oob_code": sent["oob_code"]}
    )
    assert denied.json()["error"] == "access_denied"


def test_polling_too_fast_is_slow_down(service):
    _enroll_push(service, "auth0|poll")
    token = service.login(login_event("auth0|poll")).json()["mfa_token"]
    sent = service.mfa("challenge", token, {"factor": "push-notification"}).json()
    body = {"factor": "push-notification", "oob_code": sent["oob_code"]}
    assert service.mfa("verify", token, body).json()["error"] == "authorization_pending"
    fast = service.mfa("verify", token, body)
    assert fast.status_code == 429
    assert fast.json()["error"] == "slow_down"
    assert fast.headers["retry-after"] == "5"


def test_a_stolen_push_target_approves_nothing(service):
    device = _enroll_push(service, "auth0|stolen")
    token = service.login(login_event("auth0|stolen")).json()["mfa_token"]
    sent = service.mfa("challenge", token, {"factor": "push-notification"}).json()
    (pending,) = _pending(service, device)
    thief = SoftwareDevice("acme", push_target=device.push_target)
    forged = service.client.post(
        f"/v1/push/transactions/{pending['transaction']}",
        json=thief.answer(
            pending["transaction"], pending["nonce"], sent["binding_code"], "approve"
        ),
    )
    assert forged.status_code == 403
    thief.device_id = device.device_id
    listing = service.client.post("/v1/push/pending", json=thief.pending_query(service.clock.now))
    assert listing.status_code == 403


def test_a_device_registered_with_another_users_push_target_lists_none_of_their_sign_ins(
    service,
):
    victim = _enroll_push(service, "auth0|victim")
    attacker = _enroll_push(service, "auth0|attacker", push_target=victim.push_target)
    token = service.login(login_event("auth0|victim")).json()["mfa_token"]
    sent = service.mfa("challenge", token, {"factor": "push-notification"}).json()
    assert _pending(service, attacker) == []
    (listed,) = _pending(service, victim)
    assert listed["transaction"] == sent["oob_code"]
    assert listed["context"]["ip"] == "81.2.69.142"


def test_device_requests_for_unknown_tenants_and_stale_times(service):
    device = _enroll_push(service, "auth0|stale")
    stale = device.pending_query(service.clock.now)
    stale_answer = service.client.post(
        "/v1/push/pending", json={**stale, "timestamp": stale["timestamp"] - 120}
    )
    assert stale_answer.status_code == 400
    nowhere = service.client.post("/v1/push/pending", json={**stale, "tenant": "initech"})
    assert nowhere.json() == {"error": "invalid_grant", "error_description": "unknown device"}
    other_tenant = service.client.post("/v1/push/pending", json={**stale, "tenant": "globex"})
    assert other_tenant.status_code == 403

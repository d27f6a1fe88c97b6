"""/v1/users/...: B2B/B2E management with the tenant admin key, scoped to that tenant."""

from __future__ import annotations

from service_helpers import bearer, login_event


def test_an_admin_lists_shows_and_removes_a_users_authenticators(service):
    service.enroll_otp("auth0|bob")
    listed = service.client.get("/v1/users/auth0|bob/authenticators", headers=service.admin())
    assert listed.status_code == 200
    by_factor = {a["factor"]: a for a in listed.json()}
    assert set(by_factor) == {"otp", "recovery-code"}
    otp_id = by_factor["otp"]["id"]

    one = service.client.get(
        f"/v1/users/auth0|bob/authenticators/{otp_id}", headers=service.admin()
    )
    assert one.json()["factor"] == "otp"
    assert "secret" not in one.text

    removed = service.client.delete(
        f"/v1/users/auth0|bob/authenticators/{otp_id}", headers=service.admin()
    )
    assert removed.status_code == 204
    again = service.client.delete(
        f"/v1/users/auth0|bob/authenticators/{otp_id}", headers=service.admin()
    )
    assert again.status_code == 404
    kinds = [e.kind for e in service.tenant().store.audit.list("acme", user_id="auth0|bob")]
    assert "admin.authenticator_removed" in kinds


def test_resetting_a_user_means_enrolling_again(service):
    service.enroll_otp("auth0|reset")
    reset = service.client.delete("/v1/users/auth0|reset/authenticators", headers=service.admin())
    assert reset.json() == {"count": 2}
    assert service.login(login_event("auth0|reset")).json()["outcome"] == "enroll"


def test_a_reset_forgets_the_browsers_remembered_with_the_old_factors(service):
    """Whoever enrolled the removed factors and asked to be remembered is asked again."""
    secret, _ = service.enroll_otp("auth0|taken")
    token = service.login(login_event("auth0|taken")).json()["mfa_token"]
    body = {"factor": "otp", "otp": service.code(secret), "remember_browser": True}
    header = {"X-Remember-Token": service.mfa("verify", token, body).json()["remember_token"]}
    assert service.login(login_event("auth0|taken"), **header).json()["outcome"] == "allow"
    service.client.delete("/v1/users/auth0|taken/authenticators", headers=service.admin())
    assert service.login(login_event("auth0|taken"), **header).json()["outcome"] == "enroll"


def test_invalidating_remembered_browsers(service):
    secret, _ = service.enroll_otp("auth0|laptop")
    token = service.login(login_event("auth0|laptop")).json()["mfa_token"]
    done = service.mfa(
        "verify", token, {"factor": "otp", "otp": service.code(secret), "remember_browser": True}
    ).json()
    header = {"X-Remember-Token": done["remember_token"]}
    assert service.login(login_event("auth0|laptop"), **header).json()["outcome"] == "allow"
    answer = service.client.post(
        "/v1/users/auth0|laptop/remember-browser/invalidate", headers=service.admin()
    )
    assert answer.json() == {"count": 1}
    assert service.login(login_event("auth0|laptop"), **header).json()["outcome"] == "challenge"


def test_nothing_of_one_tenant_is_visible_to_another(service):
    service.enroll_otp("auth0|shared-id")
    acme = service.client.get("/v1/users/auth0|shared-id/authenticators", headers=service.admin())
    globex = service.client.get(
        "/v1/users/auth0|shared-id/authenticators", headers=service.admin("globex")
    )
    assert len(acme.json()) == 2
    assert globex.json() == []
    otp_id = next(a for a in acme.json() if a["factor"] == "otp")["id"]
    foreign = service.client.delete(
        f"/v1/users/auth0|shared-id/authenticators/{otp_id}", headers=service.admin("globex")
    )
    assert foreign.status_code == 404
    assert service.login(login_event("auth0|shared-id"), "globex").json()["outcome"] == "enroll"


def test_admin_endpoints_need_the_admin_key(service):
    for headers in ({}, service.api(), bearer("admin-0000000000000000")):
        answer = service.client.get("/v1/users/auth0|x/authenticators", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"] == "access_denied"

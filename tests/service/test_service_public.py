"""JWKS, health, metrics, OpenAPI, access logs and error answers."""

from __future__ import annotations

import json
import logging

from service_helpers import login_event


def test_health(service):
    assert service.client.get("/healthz").json() == {"status": "ok"}


def test_jwks_names_the_tenant_when_several_are_served(service):
    ambiguous = service.client.get("/.well-known/jwks.json")
    assert ambiguous.status_code == 400
    acme = service.client.get("/.well-known/jwks.json", params={"tenant": "acme"}).json()
    globex = service.client.get("/.well-known/jwks.json", params={"tenant": "globex"}).json()
    (key,) = acme["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("EC", "P-256", "ES256", "sig")
    assert "d" not in key
    assert key["kid"] != globex["keys"][0]["kid"]
    assert service.client.get("/.well-known/jwks.json", params={"tenant": "x"}).status_code == 404


def test_metrics_count_decisions_verifications_and_refusals(service):
    _secret, _ = service.enroll_otp("auth0|metrics")
    token = service.login(login_event("auth0|metrics")).json()["mfa_token"]
    for _ in range(11):
        service.mfa("verify", token, {"factor": "otp", "otp": "000000"})
    text = service.client.get("/metrics").text
    assert 'contextmfa_decisions_total{outcome="enroll",source="policy:always"} 1.0' in text
    assert 'contextmfa_decisions_total{outcome="challenge",source="policy:always"} 1.0' in text
    assert 'contextmfa_verifications_total{factor="otp",result="invalid_grant"} 10.0' in text
    assert 'contextmfa_rate_limited_total{factor="otp"} 1.0' in text
    assert "contextmfa_evaluation_seconds_count 2.0" in text
    assert "contextmfa_assertions_total 1.0" in text
    assert "auth0|metrics" not in text and "acme" not in text


def test_access_log_lines_are_json_without_credentials(service, caplog):
    caplog.set_level(logging.INFO, logger="contextmfa")
    answer = service.login(login_event("auth0|logged"))
    token = answer.json()["mfa_token"]
    service.mfa("enroll", token, {"factor": "otp"})
    lines = [r for r in caplog.records if r.name == "contextmfa.access"]
    assert [r.fields["route"] for r in lines] == ["/v1/logins", "/v1/mfa/enroll"]
    assert lines[0].fields["tenant"] == "acme"
    assert lines[0].fields["status"] == 200
    everything = caplog.text + json.dumps([getattr(r, "fields", {}) for r in caplog.records])
    assert token not in everything
    assert service.files["acme"].api_key not in everything
    assert answer.headers["x-request-id"] == lines[0].fields["request_id"]


def test_errors_are_auth0_shaped_everywhere(service):
    missing = service.client.get("/v1/nowhere")
    assert missing.status_code == 404
    assert missing.json() == {"error": "invalid_request", "error_description": "no such endpoint"}
    method = service.client.delete("/healthz")
    assert method.json()["error"] == "invalid_request"


def test_an_unexpected_error_is_500_with_a_reference_only(service, caplog, monkeypatch):
    store = service.tenant().store

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret-value-in-a-message")

    monkeypatch.setattr(store.login_commit, "read", broken)
    answer = service.login(login_event("auth0|boom"))
    assert answer.status_code == 500
    body = answer.json()
    assert body["error"] == "server_error"
    assert "secret-value" not in answer.text
    reference = body["error_description"].split("reference ")[1].rstrip(")")
    assert reference in caplog.text
    assert "secret-value-in-a-message" not in caplog.text


def test_the_openapi_document_describes_the_api(service):
    document = service.client.get("/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/v1/logins",
        "/v1/mfa/authenticators",
        "/v1/mfa/enroll",
        "/v1/mfa/enroll/confirm",
        "/v1/mfa/challenge",
        "/v1/mfa/verify",
        "/v1/push/devices",
        "/v1/push/pending",
        "/v1/push/transactions/{transaction_id}",
        "/v1/users/{user_id}/authenticators",
        "/v1/users/{user_id}/authenticators/{authenticator_id}",
        "/v1/users/{user_id}/remember-browser/invalidate",
        "/v1/actions/{name}",
        "/v1/actions/{name}/versions",
        "/v1/actions/{name}/rollback",
        "/v1/actions/{name}/test",
        "/.well-known/jwks.json",
        "/healthz",
        "/metrics",
    ):
        assert path in paths, path
    body = paths["/v1/logins"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/LoginEvent"}
    assert "LoginEvent" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "422" in paths["/v1/actions/{name}"]["put"]["responses"]


def test_no_route_reads_an_unbounded_body(service):
    declared = service.client.post(
        "/v1/mfa/verify",
        content=b"{" + b" " * (3 << 20) + b"}",
        headers={"Authorization": "Bearer x", "Content-Type": "application/json"},
    )

    def stream():
        for _ in range(40):
            yield b" " * (100 << 10)

    streamed = service.client.post(
        "/v1/actions/a/test",
        content=stream(),
        headers={**service.admin(), "Content-Type": "application/json"},
    )
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.json()["error"] == "invalid_request"

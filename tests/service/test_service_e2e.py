"""Acceptance, end to end: a real ``contextmfa serve`` on a loopback port, over SQLite, and over
PostgreSQL with Redis when both are reachable. Codes come from ``oathtool``, assertions are
checked with the JWKS the server publishes, push is approved by a software device.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from service_helpers import (
    SECRET_KEY,
    SoftwareDevice,
    TenantFiles,
    bearer,
    fresh_code_window,
    login_event,
    oathtool,
    write_tenant,
)
from service_process import REDIS_URL, Server, postgres_database, redis_reachable, serving

from contextmfa.service.tokens import MfaStep, MfaTokens
from contextmfa.store.keys import MasterKey


@dataclass
class Deployment:
    server: Server
    files: TenantFiles

    @property
    def tenant(self) -> str:
        return self.files.tenant_id

    def login(self, user_id: str) -> dict:
        answer = self.server.client.post(
            "/v1/logins", json=login_event(user_id), headers=bearer(self.files.api_key)
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def mfa(self, path: str, token: str, body: dict) -> object:
        return self.server.client.post(f"/v1/mfa/{path}", json=body, headers=bearer(token))

    def enroll_otp(self, user_id: str) -> tuple[str, dict]:
        token = self.login(user_id)["mfa_token"]
        secret = self.mfa("enroll", token, {"factor": "otp"}).json()["secret"]
        fresh_code_window()
        # The previous time step's code (also accepted), so that the current one stays unused.
        code = oathtool(secret, datetime.now(UTC) - timedelta(seconds=30))
        done = self.mfa("enroll/confirm", token, {"factor": "otp", "otp": code})
        assert done.status_code == 200, done.text
        return secret, done.json()


def _user() -> str:
    return f"auth0|{secrets.token_hex(4)}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql+redis"])
def deployment(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Deployment]:
    directory: Path = tmp_path_factory.mktemp(request.param.replace("+", "-"))
    tenant = f"e2e-{secrets.token_hex(3)}"
    with postgres_database() as pg_url:
        if request.param == "sqlite":
            files = write_tenant(directory, tenant, store="sqlite:///contextmfa.db")
        else:
            if pg_url is None or not redis_reachable():
                pytest.skip("PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) not reachable")
            files = write_tenant(directory, tenant, store=pg_url, redis=REDIS_URL)
        env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env}
        with serving(["--config", str(files.path)], env, directory) as server:
            yield Deployment(server, files)
        if request.param != "sqlite":
            _forget_redis_keys(tenant)


def _forget_redis_keys(tenant: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match="cmfa:{" + tenant + "}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def _verified(deployment: Deployment, assertion: str) -> dict:
    keys = deployment.server.client.get("/.well-known/jwks.json").json()["keys"]
    kid = jwt.get_unverified_header(assertion)["kid"]
    (jwk,) = [k for k in keys if k["kid"] == kid]
    return jwt.decode(
        assertion,
        jwt.PyJWK(jwk).key,
        algorithms=["ES256"],
        audience="portal-web",
        issuer="http://127.0.0.1:8000",
    )


def test_enroll_with_oathtool_then_challenge_and_verify_the_assertion(deployment):
    user = _user()
    first = deployment.login(user)
    assert first["outcome"] == "enroll"
    secret, enrolled = deployment.enroll_otp(user)
    assert enrolled["status"] == "passed"
    assert len(enrolled["recovery_code"]) == 24, "the recovery code is shown once, here"

    later = deployment.login(user)
    assert (later["outcome"], later["factors"]) == ("challenge", ["otp", "recovery-code"])
    code = oathtool(secret)
    passed = deployment.mfa("verify", later["mfa_token"], {"factor": "otp", "otp": code}).json()
    assert passed["status"] == "passed"
    assert "recovery_code" not in passed
    claims = _verified(deployment, passed["assertion"])
    assert (claims["sub"], claims["login_id"], claims["amr"]) == (user, later["login_id"], ["otp"])

    replay = deployment.login(user)
    refused = deployment.mfa("verify", replay["mfa_token"], {"factor": "otp", "otp": code})
    assert refused.status_code == 403
    assert refused.json()["error"] == "invalid_grant"


def test_the_eleventh_wrong_code_is_too_many_attempts(deployment):
    user = _user()
    secret, _ = deployment.enroll_otp(user)
    token = deployment.login(user)["mfa_token"]
    wrong = f"{(int(oathtool(secret)) + 500_000) % 1_000_000:06d}"
    for _ in range(10):
        answer = deployment.mfa("verify", token, {"factor": "otp", "otp": wrong})
        assert answer.json()["error"] == "invalid_grant"
    eleventh = deployment.mfa("verify", token, {"factor": "otp", "otp": oathtool(secret)})
    assert eleventh.status_code == 429
    assert eleventh.json()["error"] == "too_many_attempts"


def test_an_expired_mfa_token_is_refused(deployment):
    tokens = MfaTokens(MasterKey(SECRET_KEY).derive("service/mfa-token"))
    old = tokens.start(
        tenant_id=deployment.tenant,
        login_id="l-old",
        user_id=_user(),
        steps=(MfaStep("enroll", ("otp",)),),
        audience="portal-web",
        remember=False,
        user={},
        context={},
        now=datetime.now(UTC) - timedelta(minutes=11),
    )
    answer = deployment.mfa("enroll", tokens.issue(old), {"factor": "otp"})
    assert answer.status_code == 401
    assert answer.json()["error"] == "expired_token"


def test_a_deny_decision_with_its_reason(deployment):
    event = login_event(_user())
    event["user"]["app_metadata"] = {"blocked": True}
    answer = deployment.server.client.post(
        "/v1/logins", json=event, headers=bearer(deployment.files.api_key)
    ).json()
    assert (answer["outcome"], answer["deny_reason"]) == ("deny", "account_blocked")
    assert "mfa_token" not in answer


def test_push_approval_with_number_matching_through_a_software_device(deployment):
    client = deployment.server.client
    user = _user()
    token = deployment.login(user)["mfa_token"]
    ticket = deployment.mfa("enroll", token, {"factor": "push-notification"}).json()
    device = SoftwareDevice(deployment.tenant)
    registered = client.post("/v1/push/devices", json=device.registration(ticket["oob_code"]))
    device.device_id = registered.json()["authenticator_id"]
    confirm = {"factor": "push-notification", "oob_code": ticket["oob_code"]}
    assert deployment.mfa("enroll/confirm", token, confirm).json()["status"] == "passed"

    login = deployment.login(user)
    sent = deployment.mfa("challenge", login["mfa_token"], {"factor": "push-notification"}).json()
    pending = client.post("/v1/push/pending", json=device.pending_query(datetime.now(UTC)))
    (transaction,) = pending.json()["transactions"]
    answer = device.answer(
        transaction["transaction"], transaction["nonce"], sent["binding_code"], "approve"
    )
    approved = client.post(f"/v1/push/transactions/{transaction['transaction']}", json=answer)
    assert approved.json() == {"state": "approved"}
    verify = {"factor": "push-notification", "oob_code": sent["oob_code"]}
    passed = deployment.mfa("verify", login["mfa_token"], verify).json()
    assert passed["status"] == "passed"
    assert _verified(deployment, passed["assertion"])["amr"] == ["push-notification"]


def test_logs_are_json_lines_without_credentials(deployment):
    user = _user()
    secret, enrolled = deployment.enroll_otp(user)
    token = deployment.login(user)["mfa_token"]
    logs = deployment.server.logs()
    assert '"logger": "contextmfa.access"' in logs
    assert '"kind": "login.decision"' in logs
    for value in (deployment.files.api_key, token, secret, enrolled["recovery_code"]):
        assert value not in logs

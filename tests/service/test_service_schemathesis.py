"""Schemathesis over the app's own OpenAPI: no server error, no response outside its schema.

Every operation gets bounded, derandomized examples, valid (positive) and invalid (negative),
sent with the credential it needs: the API key, the admin key, or an mfa_token at an enroll or a
challenge step. The app is the real one over a real SQLite store.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from service_helpers import SECRET_KEY, bearer, login_event, write_tenant

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from fastapi.testclient import TestClient
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

from contextmfa.service import create_app, load_tenants

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
EXAMPLES = 15


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    directory: Path = tmp_path_factory.mktemp("schemathesis")
    files = write_tenant(directory, "acme")
    tenants = load_tenants([files.path], environ={"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env})
    app = create_app(tenants, owns_tenants=True)
    with TestClient(app) as client:
        enroll = client.post(
            "/v1/logins", json=login_event("auth0|fuzz"), headers=bearer(files.api_key)
        )
        token = enroll.json()["mfa_token"]
        import pyotp

        secret = client.post(
            "/v1/mfa/enroll", json={"factor": "otp"}, headers=bearer(token)
        ).json()["secret"]
        client.post(
            "/v1/mfa/enroll/confirm",
            json={"factor": "otp", "otp": pyotp.TOTP(secret).now()},
            headers=bearer(token),
        )
        challenge = client.post(
            "/v1/logins", json=login_event("auth0|fuzz"), headers=bearer(files.api_key)
        ).json()["mfa_token"]
        enrolling = client.post(
            "/v1/logins", json=login_event("auth0|fuzz-new"), headers=bearer(files.api_key)
        ).json()["mfa_token"]
        yield (
            app,
            {
                "api": bearer(files.api_key),
                "admin": bearer(files.admin_key),
                "challenge": bearer(challenge),
                "enroll": bearer(enrolling),
            },
        )


def _credential(path: str, keys: dict[str, dict[str, str]]) -> dict[str, str]:
    if path == "/v1/logins":
        return keys["api"]
    if path.startswith(("/v1/users", "/v1/actions")):
        return keys["admin"]
    if path.startswith("/v1/mfa/enroll"):
        return keys["enroll"]
    if path.startswith("/v1/mfa"):
        return keys["challenge"]
    return {}


def test_schemathesis_finds_no_server_error_and_no_schema_violation(api):
    app, keys = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 19
    for operation in operations:
        headers = _credential(operation.path, keys)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(mode, headers=headers))
            def check(case: Any) -> None:
                response = case.call()
                case.validate_response(response, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label

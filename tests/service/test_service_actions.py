"""/v1/actions/{name}: immutable versions, compile errors as 422, rollback, test runs."""

from __future__ import annotations

import stat

from service_helpers import login_event

DENY_EVERYONE = """def on_execute_post_login(event, api):
    api.access.deny("maintenance")
"""
BROKEN = """def on_execute_post_login(event, api):
    x = (
"""
FORBIDDEN = """import os


def on_execute_post_login(event, api):
    pass
"""
PRINTING = """def on_execute_post_login(event, api):
    print("hello " + event.user.user_id + " " + event.secrets.get("GREETING", "-"))
    api.multifactor.enable("any")
"""


def _put(service, name: str, source: str, tenant: str = "acme"):
    return service.client.put(
        f"/v1/actions/{name}", json={"source": source}, headers=service.admin(tenant)
    )


def test_a_deployed_action_takes_effect_for_later_logins_and_rolls_back(service):
    assert service.login(login_event("auth0|a1")).json()["outcome"] == "enroll"
    created = _put(service, "freeze", DENY_EVERYONE)
    assert created.status_code == 201
    assert created.json()["version"] == 1 and created.json()["current"]
    denied = service.login(login_event("auth0|a1")).json()
    assert (denied["outcome"], denied["deny_reason"], denied["source"]) == (
        "deny",
        "maintenance",
        "action:freeze",
    )
    assert service.login(login_event("auth0|a1"), "globex").json()["outcome"] == "enroll"

    second = _put(service, "freeze", "def on_execute_post_login(event, api):\n    pass\n")
    assert second.status_code == 201 and second.json()["version"] == 2
    assert service.login(login_event("auth0|a1")).json()["outcome"] == "enroll"

    back = service.client.post("/v1/actions/freeze/rollback", json={}, headers=service.admin())
    assert back.json()["version"] == 1
    assert service.login(login_event("auth0|a1")).json()["outcome"] == "deny"


def test_redeploying_the_current_source_is_a_no_op(service):
    assert _put(service, "same", DENY_EVERYONE).status_code == 201
    again = _put(service, "same", DENY_EVERYONE)
    assert again.status_code == 200
    assert again.json()["version"] == 1


def test_a_compile_error_is_422_located_and_changes_nothing(service):
    broken = _put(service, "broken", BROKEN)
    assert broken.status_code == 422
    body = broken.json()
    assert body["error"] == "invalid_request"
    assert body["problems"][0].startswith("broken.py:")
    assert ": error: " in body["problems"][0]
    forbidden = _put(service, "forbidden", FORBIDDEN).json()
    assert forbidden["problems"][0].startswith("forbidden.py:1:")
    assert service.client.get("/v1/actions/broken", headers=service.admin()).status_code == 404


def test_versions_are_immutable_files_listed_oldest_first(service):
    _put(service, "steps", DENY_EVERYONE)
    _put(service, "steps", PRINTING)
    versions = service.client.get("/v1/actions/steps/versions", headers=service.admin()).json()
    assert [(v["version"], v["current"]) for v in versions["versions"]] == [(1, False), (2, True)]
    current = service.client.get("/v1/actions/steps", headers=service.admin()).json()
    assert current["source"] == PRINTING
    files = service.tenant().actions.current_files()
    assert not files["steps"].stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert files["steps"].name == "steps.py"


def test_a_deployed_action_replaces_the_flows_action_of_that_name(service):
    event = login_event("auth0|blocked")
    event["user"]["app_metadata"] = {"blocked": True}
    assert service.login(event).json()["outcome"] == "deny"
    _put(service, "deny_blocked", "def on_execute_post_login(event, api):\n    pass\n")
    assert service.login(event).json()["outcome"] == "enroll"


def test_rolling_back_needs_an_older_version(service):
    _put(service, "single", DENY_EVERYONE)
    nothing = service.client.post("/v1/actions/single/rollback", json={}, headers=service.admin())
    assert nothing.status_code == 404
    missing = service.client.post(
        "/v1/actions/single/rollback", json={"version": 9}, headers=service.admin()
    )
    assert missing.status_code == 404


def test_testing_an_action_against_an_event(service):
    _put(service, "greet", PRINTING)
    answer = service.client.post(
        "/v1/actions/greet/test",
        json={"event": login_event("auth0|t"), "secrets": {"GREETING": "hi-there-friend"}},
        headers=service.admin(),
    )
    assert answer.status_code == 200, answer.text
    run = answer.json()
    assert run["logs"] == ["hello auth0|t [REDACTED]"], "secrets never reach the output"
    assert run["directives"][0]["directive"] == "require"
    assert run["error"] is None

    draft = service.client.post(
        "/v1/actions/greet/test",
        json={"event": login_event(), "source": DENY_EVERYONE},
        headers=service.admin(),
    ).json()
    assert draft["directives"][0]["reason"] == "maintenance"
    flow = service.client.post(
        "/v1/actions/deny_blocked/test", json={"event": login_event()}, headers=service.admin()
    )
    assert flow.json()["directives"] == []


def test_testing_reports_bad_input(service):
    bad_event = service.client.post(
        "/v1/actions/deny_blocked/test", json={"event": {"id": "x"}}, headers=service.admin()
    )
    assert bad_event.status_code == 400
    unknown = service.client.post(
        "/v1/actions/nothing/test", json={"event": login_event()}, headers=service.admin()
    )
    assert unknown.status_code == 404
    bad_name = service.client.get("/v1/actions/..%2Fetc", headers=service.admin())
    assert bad_name.status_code in (400, 404)


def test_deployments_need_the_admin_key(service):
    assert _put(service, "x", DENY_EVERYONE, tenant="globex").status_code == 201
    answer = service.client.put(
        "/v1/actions/x", json={"source": DENY_EVERYONE}, headers=service.api()
    )
    assert answer.status_code == 401
    assert service.client.get("/v1/actions/x", headers=service.admin()).status_code == 404


def test_an_unwritable_deployment_directory_is_503_and_deploys_nothing(service):
    root = service.tenant().actions.root
    root.parent.mkdir(parents=True, exist_ok=True)
    root.write_text("not a directory")
    answer = _put(service, "blocked", DENY_EVERYONE)
    assert answer.status_code == 503
    assert answer.json()["error"] == "temporarily_unavailable"
    assert "directory" not in answer.json()["error_description"], "no host path to the caller"
    assert service.login(login_event("auth0|w")).json()["outcome"] == "enroll"

"""Invariants 1, 2 and 4 of factors-and-service.md under races a password holder can start:

* a login racing the user's first enrollment reads the factor types in one statement before or
  after the confirm commits; a stale ``enroll`` answer must still add no second factor without a
  challenge (invariant 4: enrollment is checked when it is asked for, not when the token was
  minted);
* two first enrollments of one user on two tokens confirming at once confirm one factor at most
  (the later start may void the earlier one: then none, and the user logs in again);
* one OTP code on two tokens at once passes one step;
* an Action that asks to enroll a user who has a factor gets the challenge first (invariant 2).

On SQLite and PostgreSQL (skipped with the reason when it is not reachable).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import Service, open_service
from fastapi.testclient import TestClient
from service_helpers import Clock, login_event
from service_process import postgres_database

from contextmfa.service import create_app

ROUNDS = 10


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request, tmp_path) -> Iterator[Service]:
    with postgres_database() as url:
        if request.param == "sqlite":
            store = f"sqlite:///{tmp_path / 'store.db'}"
        elif url is None:
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
        else:
            store = url
        tenants, files = open_service(tmp_path, store=store)
        clock = Clock()
        with TestClient(create_app(tenants, clock=clock, owns_tenants=True)) as client:
            yield Service(client, clock, tenants, files)


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """The calls, each in a thread of its own, released at once."""
    answers: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _factors(service: Service, user: str) -> list[str]:
    found = service.tenant().store.authenticators.for_user("acme", user)
    return [a.type for a in found if a.type != "recovery-code"]


def test_a_login_racing_the_first_enrollment_never_adds_a_second_factor_unchallenged(service):
    for round_ in range(ROUNDS):
        user = f"auth0|race-{round_}"
        first = service.login(login_event(user)).json()["mfa_token"]
        secret = service.mfa("enroll", first, {"factor": "otp"}).json()["secret"]
        body = {"factor": "otp", "otp": service.code(secret)}
        confirm, login = _together(
            lambda: service.mfa("enroll/confirm", first, body),  # noqa: B023 - joined here
            lambda: service.login(login_event(user)),  # noqa: B023
        )
        assert confirm.status_code == 200, confirm.text
        decided = login.json()
        assert decided["outcome"] in ("enroll", "challenge"), decided
        if decided["outcome"] == "enroll":  # read before the confirm committed: stale
            late = service.mfa("enroll", decided["mfa_token"], {"factor": "otp"})
            assert late.status_code == 403, late.text
        assert _factors(service, user) == ["otp"]
        service.clock.advance(seconds=30)


def test_two_first_enrollments_confirming_at_once_confirm_one_factor_at_most(service):
    for round_ in range(ROUNDS):
        user = f"auth0|twin-{round_}"
        tokens = [service.login(login_event(user)).json()["mfa_token"] for _ in range(2)]
        secrets = [service.mfa("enroll", t, {"factor": "otp"}).json()["secret"] for t in tokens]
        bodies = [{"factor": "otp", "otp": service.code(s)} for s in secrets]
        answers = _together(
            *(
                lambda t=token, b=body: service.mfa("enroll/confirm", t, b)
                for token, body in zip(tokens, bodies, strict=True)
            )
        )
        confirmed = sum(a.status_code == 200 for a in answers)
        assert confirmed <= 1, [a.text for a in answers]
        assert _factors(service, user) == ["otp"] * confirmed


def test_one_code_on_two_tokens_at_once_passes_one_step(service):
    secret, _ = service.enroll_otp("auth0|one-code")
    for _ in range(ROUNDS // 2):
        tokens = [service.login(login_event("auth0|one-code")).json()["mfa_token"] for _ in "ab"]
        body = {"factor": "otp", "otp": service.code(secret)}
        answers = _together(
            *(lambda t=token, b=body: service.mfa("verify", t, b) for token in tokens)
        )
        assert sum(a.status_code == 200 for a in answers) == 1, [a.text for a in answers]
        service.clock.advance(seconds=30)


ENROLL_SMS = '''"""Asks every user to enroll a phone."""


def on_execute_post_login(event, api):
    api.authentication.enroll_with("sms")
'''


def test_an_action_asking_a_user_with_a_factor_to_enroll_gets_the_challenge_first(service):
    service.enroll_otp("auth0|has-otp")
    deployed = service.client.put(
        "/v1/actions/enroll_sms", json={"source": ENROLL_SMS}, headers=service.admin()
    )
    assert deployed.status_code in (200, 201), deployed.text
    decided = service.login(login_event("auth0|has-otp")).json()
    assert [s["kind"] for s in decided["steps"]] == ["challenge", "enroll"], decided
    early = service.mfa(
        "enroll", decided["mfa_token"], {"factor": "sms", "phone_number": "+31699999999"}
    )
    assert early.status_code == 400, early.text  # the current step is the challenge
    assert _factors(service, "auth0|has-otp") == ["otp"]

"""Invariants 3 and 5 under concurrency: 64 threads over 8 mfa_tokens of one user.

Every attempt is counted before it is compared, atomically, per user and factor, across tokens:
however the guesses race, exactly 10 wrong codes are compared per hour (OTP and recovery codes
alike), and a correct guess after that is refused uncompared. One completion per step: racing
right answers pass a step once. On SQLite, PostgreSQL, and PostgreSQL with Redis (where the
attempt buckets still live in SQL, so a Redis restart refills nothing).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import Service, open_service
from fastapi.testclient import TestClient
from service_helpers import Clock, login_event
from service_process import postgres_database, redis_reachable

from contextmfa.service import create_app

THREADS, TOKENS = 64, 8
MAX_TRIES = 400
"""Each thread's own bound: it stops at the first too_many_attempts, or after this many tries.
Eight threads race for each token's step, so an unlucky one can lose many rounds in a row."""
COMPARED = re.compile(r"^(invalid otp code|invalid recovery code)")


def _backends() -> list[Any]:
    return [
        "sqlite",
        pytest.param("postgresql", id="postgresql"),
        pytest.param("postgresql+redis", id="postgresql+redis"),
    ]


@pytest.fixture(params=_backends())
def backend_service(request, tmp_path) -> Iterator[Service]:
    kind = request.param
    if kind == "sqlite":
        yield from _serve(tmp_path, store=f"sqlite:///{tmp_path / 'store.db'}")
        return
    with postgres_database() as url:
        if url is None:
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
        redis = ""
        if kind.endswith("+redis"):
            if not redis_reachable():
                pytest.skip("Redis is not reachable at 127.0.0.1:6379")
            redis = "redis://127.0.0.1:6379/0"
        yield from _serve(tmp_path, store=url, redis=redis)


def _serve(tmp_path, **options: str) -> Iterator[Service]:
    tenants, files = open_service(tmp_path, **options)
    clock = Clock()
    app = create_app(tenants, clock=clock, owns_tenants=True)
    with TestClient(app) as client:
        yield Service(client, clock, tenants, files)


def _race(service: Service, tokens: list[str], body: Callable[[int], dict]) -> Counter:
    """Every thread sends wrong answers on its token until refused as too many; the outcomes."""
    outcomes: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def guess(thread: int) -> None:
        token = tokens[thread % len(tokens)]
        start.wait()
        for attempt in range(MAX_TRIES):
            answer = service.mfa("verify", token, body(thread * MAX_TRIES + attempt))
            error = answer.json().get("error_description", "")
            if answer.status_code == 429:
                kind = "too_many_attempts"
            elif COMPARED.match(error):
                kind = "compared"
            else:
                kind = error
            with lock:
                outcomes[kind] += 1
            if kind == "too_many_attempts":
                return

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(guess, range(THREADS)))
    return outcomes


def _tokens(service: Service, user: str) -> list[str]:
    return [service.login(login_event(user)).json()["mfa_token"] for _ in range(TOKENS)]


def test_parallel_otp_guesses_compare_exactly_ten_per_hour(backend_service):
    service = backend_service
    secret, _ = service.enroll_otp("auth0|target")
    right = service.code(secret)
    tokens = _tokens(service, "auth0|target")

    def wrong(n: int) -> dict:
        code = f"{n % 1_000_000:06d}"
        return {"factor": "otp", "otp": code if code != right else "000000"}

    outcomes = _race(service, tokens, wrong)
    assert outcomes["compared"] == 10, outcomes
    assert outcomes["too_many_attempts"] == THREADS, outcomes
    refused = service.mfa("verify", tokens[0], {"factor": "otp", "otp": right})
    assert refused.status_code == 429, "a right code over the limit is not even compared"
    service.clock.advance(hours=1)
    again = _race(service, _tokens(service, "auth0|target"), wrong)
    assert again["compared"] == 10, again


def test_parallel_recovery_code_guesses_compare_exactly_ten(backend_service):
    service = backend_service
    _, confirmed = service.enroll_otp("auth0|target")
    real = confirmed["recovery_code"]
    tokens = _tokens(service, "auth0|target")

    def wrong(n: int) -> dict:
        guess = f"{n:024d}".replace("0", "A").replace("1", "B")
        return {"factor": "recovery-code", "recovery_code": guess if guess != real else "Z" * 24}

    outcomes = _race(service, tokens, wrong)
    assert outcomes["compared"] == 10, outcomes
    refused = service.mfa("verify", tokens[0], {"factor": "recovery-code", "recovery_code": real})
    assert refused.status_code == 429


def test_racing_right_answers_pass_a_step_once(backend_service):
    """Eight threads send the one right recovery code on one token: one assertion, at most."""
    service = backend_service
    _, confirmed = service.enroll_otp("auth0|target")
    token = _tokens(service, "auth0|target")[0]
    body = {"factor": "recovery-code", "recovery_code": confirmed["recovery_code"]}
    start = threading.Barrier(8)

    def send(_: int) -> dict:
        start.wait()
        return service.mfa("verify", token, body).json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert sum(1 for a in answers if a.get("status") == "passed") == 1, answers
    assert all(a.get("status") == "passed" or a.get("error") == "invalid_grant" for a in answers)


def test_a_store_that_goes_away_is_503_with_retry_after_never_an_allow(tmp_path):
    """Invariant 6: the database gone mid-service; logins and MFA calls answer 503."""
    from service_process import _pg_admin

    with postgres_database() as url:
        if url is None:
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
        for service in _serve(tmp_path, store=url):
            secret, _ = service.enroll_otp("auth0|target")
            token = service.login(login_event("auth0|target")).json()["mfa_token"]
            admin = _pg_admin()
            try:
                admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
            finally:
                admin.close()
            login = service.login(login_event("auth0|target"))
            verify = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)})
            for answer in (login, verify):
                assert answer.status_code == 503, answer.text
                assert answer.json()["error"] == "temporarily_unavailable"
                assert int(answer.headers["retry-after"]) >= 1
                assert "assertion" not in answer.text and "allow" not in answer.text


def test_a_redis_restarted_empty_refills_no_guessing_budget(tmp_path):
    """Ten wrong codes, then Redis loses everything (as a restart does): the 11th is refused."""
    import redis

    with postgres_database() as url:
        if url is None:
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
        if not redis_reachable():
            pytest.skip("Redis is not reachable at 127.0.0.1:6379")
        for service in _serve(tmp_path, store=url, redis="redis://127.0.0.1:6379/0"):
            secret, _ = service.enroll_otp("auth0|target")
            token = _tokens(service, "auth0|target")[0]
            right = service.code(secret)
            wrong = f"{(int(right) + 1) % 1_000_000:06d}"
            for _ in range(10):
                answer = service.mfa("verify", token, {"factor": "otp", "otp": wrong})
                assert answer.json()["error_description"].startswith("invalid otp code")
            client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
            try:
                for key in client.scan_iter("cmfa:{acme}:*"):
                    client.delete(key)
            finally:
                client.close()
            refused = service.mfa("verify", token, {"factor": "otp", "otp": right})
            assert refused.status_code == 429, refused.text

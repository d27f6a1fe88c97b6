"""Logins side by side: other users' logins never wait for one in flight; one user's logins run
in order, each seeing the ones before it; across workers a stale evaluation is done again.

A login is held inside its evaluation (after it read the user's history from the store, before
its commit) until the test lets it go: the real engine and store behind a gate, not a mock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Service, open_service, tenants_of
from fastapi.testclient import TestClient
from service_helpers import Clock, hook_evaluations, login_event

from contextmfa.service import create_app

GIVE_UP = 30.0
"""Seconds before a held login is let go anyway, so a failing test fails instead of hanging."""


class HeldEvaluation:
    """Holds the first evaluation of ``held_user`` until :attr:`release` is set."""

    def __init__(self, held_user: str) -> None:
        self._held_user = held_user
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, user_id: str) -> None:
        if user_id == self._held_user and not self.entered.is_set():
            self.entered.set()
            self.release.wait(GIVE_UP)


@pytest.fixture
def file_service(tmp_path: Path) -> Iterator[Service]:
    """The service on a SQLite *file* store (the one with a write lock per process); policy
    never, so logins are allowed and go straight into the history (a challenged login joins it
    only once it passes)."""
    tenants, files = open_service(
        tmp_path, store=f"sqlite:///{tmp_path / 'store.db'}", policy="never"
    )
    app = create_app(tenants, clock=Clock(), owns_tenants=True)
    with TestClient(app) as client:
        yield Service(client, Clock(), tenants, files)


def _in_thread(service: Service, event: dict[str, Any]) -> tuple[threading.Thread, list[Any]]:
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(service.login(event)))
    thread.start()
    return thread, answers


def _new_device_codes(answers: list[Any]) -> list[str]:
    return [a.json()["risk"]["assessments"]["new_device"]["code"] for a in answers]


def test_a_login_held_in_the_engine_does_not_hold_up_another_users(file_service, monkeypatch):
    held = HeldEvaluation("auth0|held")
    hook_evaluations(monkeypatch, file_service.tenant(), held)
    thread, answers = _in_thread(file_service, login_event("auth0|held"))
    try:
        assert held.entered.wait(GIVE_UP)
        other = file_service.login(login_event("auth0|other"))
        assert other.status_code == 200, other.text
        assert not answers, "the held login finished first: the other one waited for it"
    finally:
        held.release.set()
        thread.join()
    assert answers[0].status_code == 200, answers[0].text


def test_one_users_concurrent_logins_are_recorded_in_order_each_seeing_the_earlier(
    file_service,
):
    count = 8
    events = []
    for i in range(count):
        event = login_event("auth0|busy")
        event["device"] = {"id": f"device-{i}"}
        events.append(event)
    started = [_in_thread(file_service, event) for event in events]
    for thread, _ in started:
        thread.join()
    answers = [answer for _, got in started for answer in got]
    assert [a.status_code for a in answers] == [200] * count
    assert _new_device_codes(answers).count("initial_login") == 1

    store = file_service.tenant().store
    recorded = list(store.logins.export("acme", user_id="auth0|busy"))
    history = store.history.logins("acme", "auth0|busy")
    assert [r.event["device"]["id"] for r in recorded] == [h.device_id for h in history]
    assert recorded[0].decision["risk"]["assessments"]["new_device"]["code"] == "initial_login"
    assert len(file_service.tenant().login_locks) == 0


def test_a_login_decided_by_another_worker_meanwhile_is_evaluated_again(tmp_path, monkeypatch):
    """Two workers (two Tenants on one SQLite file); worker one's evaluation of alice is held
    while worker two decides a login of alice; worker one's commit is refused and its login
    evaluated again, now seeing worker two's."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    tenants, files = open_service(tmp_path, store=url, policy="never")
    second = tenants_of(files)
    one = create_app(tenants, clock=Clock(), owns_tenants=True)
    two = create_app(second, clock=Clock(), owns_tenants=True)
    with TestClient(one) as client_one, TestClient(two) as client_two:
        worker_one = Service(client_one, Clock(), tenants, files)
        worker_two = Service(client_two, Clock(), second, files)
        store = worker_one.tenant().store
        held = HeldEvaluation("auth0|alice")
        hook_evaluations(monkeypatch, worker_one.tenant(), held)
        first = login_event("auth0|alice")
        first["device"] = {"id": "laptop"}
        thread, answers = _in_thread(worker_one, first)
        try:
            assert held.entered.wait(GIVE_UP)
            meanwhile = login_event("auth0|alice")
            meanwhile["device"] = {"id": "phone"}
            answer = worker_two.login(meanwhile)
            assert answer.status_code == 200, answer.text
            assert _new_device_codes([answer]) == ["initial_login"]
        finally:
            held.release.set()
            thread.join()
        assert answers[0].status_code == 200, answers[0].text
        assert _new_device_codes(answers) != ["initial_login"]
        history = store.history.logins("acme", "auth0|alice")
        assert [h.device_id for h in history] == ["phone", "laptop"]
        recorded = list(store.logins.export("acme", user_id="auth0|alice"))
        assert [r.event["device"]["id"] for r in recorded] == ["phone", "laptop"]

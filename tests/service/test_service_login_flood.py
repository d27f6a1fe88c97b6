"""One user's logins flooding two workers are ordered, never refused.

A login whose commit was refused twice (another worker added to the user's history during its
evaluation) is evaluated a last time holding the user's history still in the store (a PostgreSQL
advisory lock; on a SQLite file, the user's byte of the store's lock file): the other worker's
logins of that user then wait for it instead of refusing it a third time (which was a 503).
Two workers are two service instances on one store, as in production; the test holds worker
one inside its evaluation (after its read of the history) to make each conflict happen for sure.
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
from service_process import postgres_database

from contextmfa.service import create_app

GIVE_UP = 30.0
USER = "auth0|flood"


@pytest.fixture(params=["sqlite", "postgresql"])
def two_workers(request: Any, tmp_path: Path) -> Iterator[tuple[Service, Service]]:
    """Two workers on one store (policy never: every login joins the history at once)."""
    with postgres_database() as pg_url:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'shared.db'}"
        elif pg_url is None:
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        else:
            url = pg_url
        tenants, files = open_service(tmp_path, store=url, policy="never")
        second = tenants_of(files)
        one = create_app(tenants, clock=Clock(), owns_tenants=True)
        two = create_app(second, clock=Clock(), owns_tenants=True)
        with TestClient(one) as client_one, TestClient(two) as client_two:
            yield (
                Service(client_one, Clock(), tenants, files),
                Service(client_two, Clock(), second, files),
            )


def _device_login(device: str) -> dict[str, Any]:
    event = login_event(USER)
    event["device"] = {"id": device}
    return event


class Interleaved:
    """Worker two's logins of the user slipped into worker one's evaluations: one finished
    during each of the first two (each refuses worker one's commit), one started during the
    third, which must then wait for worker one."""

    def __init__(self, other: Service) -> None:
        self._other = other
        self.calls = 0
        self.answers: list[Any] = []
        self.third: threading.Thread | None = None
        self.third_done = threading.Event()

    def __call__(self, user_id: str) -> None:
        if user_id == USER:
            self.calls += 1
            if self.calls <= 2:
                self.answers.append(self._other.login(_device_login(f"two-{self.calls}")))
            elif self.calls == 3:
                self.third = threading.Thread(target=self._third, daemon=True)
                self.third.start()
                # worker two's login of the user must wait for this one's commit
                assert not self.third_done.wait(0.5), "worker two's login did not wait"

    def _third(self) -> None:
        self.answers.append(self._other.login(_device_login("two-3")))
        self.third_done.set()


def test_a_login_refused_twice_holds_the_users_history_and_is_not_refused_again(
    two_workers, monkeypatch
):
    one, two = two_workers
    store = one.tenant().store
    interleaved = Interleaved(two)
    hook_evaluations(monkeypatch, one.tenant(), interleaved)

    answer = one.login(_device_login("one"))
    assert answer.status_code == 200, answer.text
    assert interleaved.calls == 3
    assert interleaved.third is not None
    interleaved.third.join(GIVE_UP)
    assert [a.status_code for a in interleaved.answers] == [200, 200, 200]

    history = store.history.logins("acme", USER)
    assert [h.device_id for h in history] == ["two-1", "two-2", "one", "two-3"]
    recorded = list(store.logins.export("acme", user_id=USER))
    assert [r.event["device"]["id"] for r in recorded] == ["two-1", "two-2", "one", "two-3"]


def test_a_flood_of_one_users_logins_on_two_workers_is_all_answered_and_recorded(two_workers):
    one, two = two_workers
    per_worker, threads = 12, 3
    answers: list[Any] = []
    lock = threading.Lock()

    def send(worker: Service, name: str) -> None:
        for i in range(per_worker // threads):
            answer = worker.login(_device_login(f"{name}-{i}"))
            with lock:
                answers.append(answer)

    started = [
        threading.Thread(target=send, args=(worker, f"{name}{t}"))
        for worker, name in ((one, "one"), (two, "two"))
        for t in range(threads)
    ]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(GIVE_UP)
    assert sorted(a.status_code for a in answers) == [200] * (2 * per_worker)

    store = one.tenant().store
    history = store.history.logins("acme", USER)
    recorded = list(store.logins.export("acme", user_id=USER))
    assert len(history) == len(recorded) == 2 * per_worker
    assert [h.device_id for h in history] == [r.event["device"]["id"] for r in recorded]
    codes = [r.decision["risk"]["assessments"]["new_device"]["code"] for r in recorded]
    assert codes.count("initial_login") == 1

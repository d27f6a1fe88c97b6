"""One user's logins queue in a worker, boundedly: a password posted in a loop for one user must
not park every server thread and stall everyone else's logins (it gets 503 Retry-After)."""

from __future__ import annotations

import threading
import time

import pytest
from service_helpers import login_event

from contextmfa.service.errors import Unavailable
from contextmfa.service.user_locks import UserLocks


def _queue_behind(locks: UserLocks, user: str, count: int) -> tuple[list[threading.Thread], list]:
    """``count`` threads waiting for ``user``'s lock; each records what it met."""
    met: list = []

    def wait() -> None:
        try:
            with locks.hold(user):
                met.append("held")
        except Unavailable as exc:
            met.append(exc)

    threads = [threading.Thread(target=wait) for _ in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while locks._entries[user].holders < count + 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    return threads, met


def test_more_queued_logins_of_one_user_than_allowed_are_refused_at_once():
    locks = UserLocks(max_waiting=2, wait_seconds=30)
    with locks.hold("flooded"):
        threads, met = _queue_behind(locks, "flooded", 2)
        started = time.monotonic()
        with pytest.raises(Unavailable) as refused, locks.hold("flooded"):
            pass
        assert time.monotonic() - started < 1
        assert refused.value.status == 503
        assert refused.value.headers == {"Retry-After": "1"}
        with locks.hold("someone-else"):  # other users do not queue at all
            pass
    for thread in threads:
        thread.join(10)
    assert met == ["held", "held"]
    assert len(locks) == 0


def test_a_queued_login_gives_up_after_its_wait():
    locks = UserLocks(max_waiting=4, wait_seconds=0.05)
    with locks.hold("slow"):
        threads, met = _queue_behind(locks, "slow", 1)
        for thread in threads:
            thread.join(10)
    assert len(met) == 1 and isinstance(met[0], Unavailable)
    assert len(locks) == 0
    with locks.hold("slow"):  # nothing left behind
        pass


def test_the_service_answers_a_login_that_waited_too_long_503_and_serves_other_users(service):
    tenant = service.tenant()
    tenant.login_locks = UserLocks(wait_seconds=0.05)
    with tenant.login_locks.hold("auth0|flooded"):
        refused = service.login(login_event("auth0|flooded"))
        other = service.login(login_event("auth0|other"))
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["error"] == "temporarily_unavailable"
    assert other.status_code == 200, other.text
    assert service.login(login_event("auth0|flooded")).status_code == 200

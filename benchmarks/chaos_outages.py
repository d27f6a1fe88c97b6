"""Faults 2, 3 and 5: PostgreSQL restarted and stopped, Redis emptied, a worker's clock off.

After each dependency fault the time until both workers answer a login normally again is
measured, and their process ids must not have changed (no restart). An app code and a recovery
code spent before each of these faults are sent again after it: refused. Before Redis goes,
one user spends the whole budget of wrong codes; after it comes back empty, the 11th is still
refused. Under skew, a code of the real time goes first to the skewed worker (refused), then
with the same token to a correct one (accepted: the refusal burned neither).
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any

import httpx
import pyotp
from chaos_deps import Worker
from chaos_journeys import User, login_event
from chaos_rules import RECOVERY_BOUND_SECONDS

if TYPE_CHECKING:
    from chaos_run import ChaosRun

__all__ = ["SKEW_PROBE_EVERY", "Outages", "skew_probes"]

SKEW_PROBE_EVERY = 0.5
"""Seconds between two probes of a skewed worker (each uses a reserved user)."""


def skew_probes(skew_for: float) -> int:
    """How many reserved users the skew faults use."""
    return 2 * (math.ceil(skew_for / SKEW_PROBE_EVERY) + 1)


class Outages:
    def __init__(self, run: ChaosRun) -> None:
        self.run = run

    def _login_status(self, client: httpx.Client, slot: int) -> int:
        try:
            return client.post(
                self.run.cluster.url(slot) + "/v1/logins",
                json=login_event("auth0|probe"),
                headers={"Authorization": f"Bearer {self.run.env['CHAOS_API_KEY']}"},
            ).status_code
        except httpx.TransportError:
            return 0

    def measure_recovery(self, fault: str, since: float, pids: list[int]) -> None:
        """Seconds from ``since`` until both workers answer a login with 200, unrestarted."""
        pending = {0, 1}
        with httpx.Client(timeout=10) as client:
            while pending and time.monotonic() - since < RECOVERY_BOUND_SECONDS * 2:
                for slot in sorted(pending):
                    if self._login_status(client, slot) == 200:
                        pending.discard(slot)
                time.sleep(0.05)
        took = time.monotonic() - since
        self.run.tally.recovery[fault] = round(took, 2)
        self.run.tally.checked(
            "recovery",
            not pending and took <= RECOVERY_BOUND_SECONDS,
            f"{fault}: not answering normally after {took:.1f} s",
        )
        self.run.tally.checked(
            "recovery",
            [w.pid for w in self.run.workers] == pids and all(w.alive() for w in self.run.workers),
            f"{fault}: a worker restarted or died",
        )

    def _spend_before(self) -> list[tuple[User, dict[str, Any]]]:
        """An app code and a recovery code, each spent on worker 1 before a fault."""
        spent = []
        for recovery in (False, True):
            user = self.run.enrolled_user()
            decision, _ = self.run.journeys.login(0, user)
            step = user.free_step()
            if decision is None or step is None or not user.recovery_code:
                continue
            body: dict[str, Any] = {"factor": "otp", "otp": user.code(step)}
            if recovery:
                body = {"factor": "recovery-code", "recovery_code": user.recovery_code}
            sent = self.run.journeys.send(1, "/v1/mfa/verify", body, decision["mfa_token"])
            if sent.response is not None and sent.response.status_code == 200:
                user.used_steps.add(step)
                user.recovery_code = sent.response.json().get("recovery_code")
                spent.append((user, body))
        return spent

    def _replay_after(self, spent: list[tuple[User, dict[str, Any]]], fault: str) -> None:
        """What was spent before the fault, sent again after it on worker 0: refused."""
        for user, body in spent:
            decision, _ = self.run.journeys.login(0, user)
            if decision is None:
                continue
            again = self.run.journeys.send(0, "/v1/mfa/verify", body, decision["mfa_token"])
            status = again.response.status_code if again.response is not None else 0
            self.run.tally.checked(
                "nothing_twice",
                status in (401, 403, 429),
                f"{fault}: a {body['factor']} spent before it answered {status} after it",
            )

    def postgres_faults(self) -> None:
        spent = self._spend_before()
        pids = [w.pid for w in self.run.workers]
        self.run.tally.enter("pg-restart")
        self.run.pg.restart()
        self.measure_recovery("pg-restart", time.monotonic(), pids)
        time.sleep(self.run.schedule.steady)
        self.run.tally.enter("pg-down")
        self.run.pg.stop("fast")
        time.sleep(self.run.schedule.outage)
        self.run.pg.start()
        self.run.tally.enter("pg-back")
        self.measure_recovery("pg-down", time.monotonic(), pids)
        self._replay_after(spent, "PostgreSQL restarted and stopped")

    def redis_fault(self) -> None:
        journeys = self.run.journeys
        spent = self._spend_before()
        target = self.run.enrolled_user()
        decision, _ = journeys.login(0, target)
        assert decision is not None
        wrong = {"factor": "otp", "otp": "000000"}
        refused = 0
        for attempt in range(10):
            sent = journeys.send(attempt % 2, "/v1/mfa/verify", wrong, decision["mfa_token"])
            refused += sent.response is not None and sent.response.status_code == 403
        pids = [w.pid for w in self.run.workers]
        self.run.tally.enter("redis-down")
        self.run.redis.stop()
        time.sleep(self.run.schedule.outage)
        self.run.redis.start()
        self.run.tally.enter("redis-back")
        self.measure_recovery("redis-down", time.monotonic(), pids)
        self._replay_after(spent, "Redis emptied")
        code = pyotp.TOTP(target.secret or "").now()
        eleventh = journeys.login(1, target)[0]
        sent = journeys.send(
            1,
            "/v1/mfa/verify",
            {"factor": "otp", "otp": code},
            eleventh["mfa_token"] if eleventh else "",
        )
        status = sent.response.status_code if sent.response is not None else 0
        self.run.tally.checked(
            "limits_survive_redis",
            refused == 10 and status == 429,
            f"10 wrong codes ({refused} refused), Redis emptied, the 11th answered {status}",
        )

    def skews(self) -> None:
        """Slot 1 served by a worker 90 s ahead, then by one 90 s behind, then by its own again.
        Both skewed workers start together, beside the normal one, so none is ever missing."""
        skews = (self.run.schedule.skew, -self.run.schedule.skew)
        skewed = [
            Worker(self.run.config, {**self.run.env, "CONTEXTMFA_CLOCK_SKEW_SECONDS": str(seconds)})
            for seconds in skews
        ]
        for worker in skewed:
            worker.wait_ready()
        normal = self.run.cluster.url(1)
        try:
            for seconds, worker in zip(skews, skewed, strict=True):
                self.run.cluster.set(1, worker.url)
                self.run.tally.enter(f"skew{seconds:+.0f}")
                ends = time.monotonic() + self.run.schedule.skew_for
                while time.monotonic() < ends:
                    self._skew_probe()
                    time.sleep(SKEW_PROBE_EVERY)
        finally:
            self.run.cluster.set(1, normal)
            self.run.tally.enter("steady")
            for worker in skewed:
                stopping = threading.Thread(target=worker.stop)
                stopping.start()
                self.run.kills.threads.append(stopping)

    def _skew_probe(self) -> None:
        """A real-time code refused by the skewed worker, then accepted by the other with the
        same token (the skewed worker's refusal burns neither), which then refuses it again."""
        user = self.run.enrolled_user()
        decision, _ = self.run.journeys.login(1, user)
        if decision is None:
            return
        step = user.free_step()
        assert step is not None
        body = {"factor": "otp", "otp": user.code(step)}
        skewed = self.run.journeys.send(1, "/v1/mfa/verify", body, decision["mfa_token"]).response
        if skewed is None or skewed.status_code == 503:
            return
        user.failures += 1
        self.run.tally.checked(
            "fail_closed",
            skewed.status_code == 403,
            f"a worker 90 s off accepted a code of the real time: {skewed.status_code}",
        )
        normal = self.run.journeys.send(0, "/v1/mfa/verify", body, decision["mfa_token"]).response
        ok = normal is not None and normal.status_code == 200
        self.run.tally.checked(
            "nothing_lost",
            ok,
            f"token from the skewed worker refused by the other: "
            f"{normal.text[:120] if normal is not None else ''}",
        )
        if ok:
            user.used_steps.add(step)
            self.run.journeys.check_assertion(normal.json(), decision["login_id"], 0)  # type: ignore[union-attr]

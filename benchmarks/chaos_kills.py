"""Fault 1: SIGKILL a worker every few seconds, mid-request, mid-challenge and mid-enroll.

Before each kill the victim is given work: a token parked mid-challenge (logged in, not yet
verified), one parked mid-enroll (enrollment started, not confirmed), verifications in flight
(sent a few milliseconds before the kill), and an SMS enrollment whose delivery the gateway
holds, so the kill lands while the worker holds that token's step. Every one of them must then
complete on the other worker (``nothing_lost``); the last may have to wait for the step's lease.
"""

from __future__ import annotations

import contextlib
import random
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any

import httpx
import pyotp
from chaos_journeys import STEP_LEASE_WAIT, User

if TYPE_CHECKING:
    from chaos_run import ChaosRun

__all__ = ["Kills"]


class Kills:
    def __init__(self, run: ChaosRun) -> None:
        self.run = run
        self.tally, self.journeys = run.tally, run.journeys
        self.threads: list[threading.Thread] = []
        self._rng = random.Random(7)
        self._replacing: threading.Thread | None = None

    def __call__(self) -> None:
        run, journeys = self.run, self.journeys
        self.tally.enter("kill")
        victim = 0
        for _ in range(run.schedule.kills):
            survivor = 1 - victim
            user = run.enrolled_user()
            parked, _ = journeys.login(victim, user)
            newcomer = journeys.pick(lambda: True)
            enrolling, _ = journeys.login(victim, newcomer)
            secret = None
            if enrolling is not None:
                started = journeys.send(
                    victim, "/v1/mfa/enroll", {"factor": "otp"}, enrolling["mfa_token"]
                )
                if started.response is not None and started.response.status_code == 200:
                    secret = started.response.json()["secret"]
            delivering = self._start_held_delivery(victim)
            self._in_flight(victim)
            self._kill(victim)
            self._handover(survivor, user, parked, "/v1/mfa/verify", user.secret)
            if secret is not None:
                self._handover(survivor, newcomer, enrolling, "/v1/mfa/enroll/confirm", secret)
            journeys.release(newcomer)
            if delivering is not None:
                thread = threading.Thread(
                    target=self._resume_enrollment, args=(survivor, *delivering)
                )
                thread.start()
                self.threads.append(thread)
            time.sleep(run.schedule.kill_every)
            self.settle()
            victim = survivor

    def settle(self) -> None:
        if self._replacing is not None:
            self._replacing.join()

    def _kill(self, slot: int) -> None:
        self.run.workers[slot].kill()
        self.tally.count("worker_killed")
        self._replacing = threading.Thread(target=self._restart, args=(slot,))
        self._replacing.start()

    def _restart(self, slot: int) -> None:
        """The supervisor's part: a new worker on the port; the slowest start is reported."""
        began = time.monotonic()
        self.run.replace(slot)
        took = round(time.monotonic() - began, 2)
        name = "kill (new worker answering)"
        self.tally.recovery[name] = max(self.tally.recovery.get(name, 0.0), took)

    # -- what the victim was doing -----------------------------------------------------------

    def _in_flight(self, victim: int) -> None:
        """Verifications sent a few milliseconds before the kill, so some are cut mid-request;
        each goes on on the other worker (:meth:`Journeys.finish_step`)."""
        threads = []
        for _ in range(4):
            user = self.run.enrolled_user()
            threads.append(threading.Thread(target=self._verify_on, args=(victim, user)))
        for thread in threads:
            thread.start()
            time.sleep(self._rng.uniform(0.0, 0.01))
        self.threads.extend(threads)
        time.sleep(self._rng.uniform(0.0, 0.02))

    def _verify_on(self, victim: int, user: User) -> None:
        decision, _ = self.journeys.login(victim, user)
        step = user.free_step()
        if decision is None or step is None:
            return
        body = {"factor": "otp", "otp": user.code(step)}
        response = self.journeys.finish_step(
            victim, "/v1/mfa/verify", body, decision["mfa_token"], user
        )
        if response is not None and response.status_code == 200:
            user.used_steps.add(step)
            self.tally.count("in_flight_completed")

    def _start_held_delivery(self, victim: int) -> tuple[User, dict[str, Any], str] | None:
        """An SMS enrollment on ``victim`` whose text the gateway holds: when this returns the
        worker is inside the token's step, waiting on the gateway."""
        user = User(f"auth0|k-{secrets.token_hex(5)}", busy=True)
        decision, _ = self.journeys.login(victim, user)
        if decision is None:
            return None
        phone = f"+316{self._rng.randrange(10**7, 10**8)}"
        arrived = self.run.gateway.hold(phone, 5.0)
        body = {"factor": "sms", "phone_number": phone}
        url = self.run.cluster.url(victim) + "/v1/mfa/enroll"

        def enroll() -> None:
            # the worker is killed under this request: that is the point
            with contextlib.suppress(httpx.HTTPError):
                self.journeys.raw_post(url, body, decision["mfa_token"])

        threading.Thread(target=enroll, daemon=True).start()
        if not arrived.wait(10):
            return None
        return user, decision, phone

    def _resume_enrollment(
        self, slot: int, user: User, decision: dict[str, Any], phone: str
    ) -> None:
        """The user whose worker died while sending their code asks again on the other worker:
        the token must work, at the latest once the dead worker's hold on the step lapses."""
        token, body = decision["mfa_token"], {"factor": "sms", "phone_number": phone}
        deadline = time.monotonic() + STEP_LEASE_WAIT
        while True:
            sent = self.journeys.send(slot, "/v1/mfa/enroll", body, token)
            response = sent.response
            if response is not None and response.status_code == 200:
                break
            if time.monotonic() > deadline or response is None or "under way" not in response.text:
                self.tally.checked(
                    "nothing_lost",
                    False,
                    f"mid-delivery kill: token refused on the other worker: "
                    f"{response.text[:120] if response is not None else 'no answer'}",
                )
                return
            time.sleep(1)
        waited = STEP_LEASE_WAIT - (deadline - time.monotonic())
        self.tally.recovery["kill-mid-step (token usable again)"] = max(
            self.tally.recovery.get("kill-mid-step (token usable again)", 0.0), round(waited, 1)
        )
        oob = response.json().get("oob_code")
        code = self.run.gateway.code(phone)
        confirm = {"factor": "sms", "oob_code": oob, "binding_code": code}
        done = self.journeys.finish_step(slot, "/v1/mfa/enroll/confirm", confirm, token, user)
        ok = done is not None and done.status_code == 200
        self.tally.checked(
            "nothing_lost",
            ok,
            f"mid-delivery kill: enrollment not confirmed on the other worker: "
            f"{done.text[:120] if done is not None else 'no answer'}",
        )
        if ok:
            answer = done.json()  # type: ignore[union-attr]
            self.journeys.confirmed[answer.get("authenticator_id") or ""] = user.user_id
            self.journeys.check_assertion(answer, decision["login_id"], slot)

    def _handover(
        self, slot: int, user: User, decision: dict[str, Any] | None, path: str, secret: str | None
    ) -> None:
        """A token parked on the killed worker completes on the other."""
        if decision is None or secret is None:
            return
        step = user.free_step() if user.secret else int(time.time() // 30)
        assert step is not None
        body = {"factor": "otp", "otp": pyotp.TOTP(secret).at(step * 30)}
        sent = self.journeys.send(slot, path, body, decision["mfa_token"])
        ok = sent.response is not None and sent.response.status_code == 200
        self.tally.checked(
            "nothing_lost",
            ok,
            f"{path}: token issued before its worker died refused on the other: "
            f"{sent.response.text[:120] if sent.response is not None else 'no answer'}",
        )
        if ok:
            answer = sent.response.json()  # type: ignore[union-attr]
            user.used_steps.add(step)
            if path.endswith("confirm"):
                user.secret, user.authenticator_id = secret, answer.get("authenticator_id")
                user.recovery_code = answer.get("recovery_code")
                self.journeys.confirmed[user.authenticator_id or ""] = user.user_id
            self.journeys.check_assertion(answer, decision["login_id"], slot)

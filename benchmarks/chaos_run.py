"""One chaos run: two workers on the run's own PostgreSQL and Redis, load, and the faults.

The load is ``threads`` driver threads starting journeys at ``rate`` per second in all. The fault
schedule runs beside it, each fault in its own window (answers are counted per window):

``kill``       SIGKILL a worker every ``kill_every`` s, alternating, and start a new one; before
               each kill a token is parked on the victim mid-challenge and another mid-enroll,
               and both must complete on the other worker;
``pg-restart`` PostgreSQL restarted (fast shutdown: sessions cut mid-call);
``pg-down``    PostgreSQL stopped for ``outage`` s, then started;
``redis-down`` Redis killed for ``outage`` s, then started empty; a user's 10 wrong codes from
               before must still refuse the 11th after;
``skew+90`` / ``skew-90``  one worker replaced by one whose clock is off by that much.

After each dependency fault the time until both workers answer a login normally again is
measured (``recovery``), and their process ids must not have changed.
"""

from __future__ import annotations

import math
import random
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
from chaos_deps import OwnPostgres, OwnRedis, Worker
from chaos_gateway import Gateway
from chaos_journeys import Cluster, Journeys, User, patiently
from chaos_kills import Kills
from chaos_push import PushJourneys
from chaos_rules import RECOVERY_BOUND_SECONDS, Tally

from contextmfa.store import Store, keygen

__all__ = ["ChaosRun", "Schedule", "write_tenant"]

SKEW_PROBE_EVERY = 0.5
"""Seconds between two probes of a skewed worker (each uses a reserved user)."""


@dataclass
class Schedule:
    steady: float = 5.0
    kills: int = 6
    kill_every: float = 4.0
    outage: float = 10.0
    skew: float = 90.0
    skew_for: float = 12.0
    rate: float = 4.0
    threads: int = 4


def write_tenant(
    directory: Path, store: str, redis: str = "", sms_webhook: str = ""
) -> tuple[Path, dict[str, str]]:
    """A tenant with MFA on every login (OTP, recovery codes, and SMS through ``sms_webhook``
    when given) and its environment."""
    factors = '["otp", "sms", "push-notification", "recovery-code"]'
    if not sms_webhook:
        factors = '["otp", "push-notification", "recovery-code"]'
    delivery = f'\n[delivery]\nsms = "webhook"\n\n[delivery.webhook]\nurl = "{sms_webhook}"\n'
    delivery = delivery if sms_webhook else ""
    api_key = f"api-{secrets.token_hex(16)}"
    path = directory / "chaos.toml"
    path.write_text(
        f"""[tenant]
id = "chaos"

[policy]
mfa = "always"
factors = {factors}

[sandbox]
isolation = "inline"

[service]
api_key = "env:CHAOS_API_KEY"
store = "{store}"
redis = "{redis}"
issuer = "http://chaos.test"
{delivery}"""
    )
    env = {"CHAOS_API_KEY": api_key, "CONTEXTMFA_SECRET_KEY": keygen()}
    return path, env


class ChaosRun:
    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.tally = Tally()
        self.directory = Path(tempfile.mkdtemp(prefix="chaos-run-"))
        self.pg = OwnPostgres()
        self.pg.start()
        self.redis = OwnRedis()
        self.redis.start()
        self.gateway = Gateway()
        self.config, self.env = write_tenant(
            self.directory, self.pg.url, self.redis.url, self.gateway.url
        )
        self.env["CONTEXTMFA_TEST_CLOCK"] = "1"
        self.workers = [Worker(self.config, self.env), Worker(self.config, self.env)]
        for worker in self.workers:
            worker.wait_ready()
        self.store = Store.open(self.pg.url, secret_key=self.env["CONTEXTMFA_SECRET_KEY"])
        self.cluster = Cluster([w.url for w in self.workers])
        self.journeys = Journeys(
            self.cluster,
            self.tally,
            self.env["CHAOS_API_KEY"],
            "http://chaos.test",
            self.store,
            "chaos",
        )
        self._stop = threading.Event()
        self.kills = Kills(self)
        self.push = PushJourneys(self.journeys)
        self._reserve: list[User] = []

    # -- load --------------------------------------------------------------------------------

    def _drive(self, seed: int) -> None:
        rng = random.Random(seed)
        interval = self.schedule.threads / self.schedule.rate
        next_at = time.monotonic() + rng.random() * interval
        while not self._stop.is_set():
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            user = self.journeys.pick(lambda: rng.random() < 0.25)
            slot = rng.randrange(2)
            self.tally.journey("attempted")
            replay = rng.random() < 0.3
            try:
                if not user.enrolled and rng.random() < 0.2:
                    done = self.push.enroll(user, slot)
                elif not user.enrolled:
                    done = self.journeys.enroll(user, slot)
                elif user.phone is not None:
                    done = self.push.challenge(user, slot, replay)
                else:
                    done = self.journeys.challenge(
                        user, slot, replay=replay, recovery=rng.random() < 0.1
                    )
            except Exception as exc:  # a driver bug must show, not stop the load
                self.tally.note(f"driver error: {type(exc).__name__}: {exc}")
                done = False
            finally:
                self.journeys.release(user)
            self.tally.journey("completed" if done else "not_completed")

    # -- helpers -----------------------------------------------------------------------------

    def _enroll_reserve(self, count: int) -> None:
        """Users enrolled before the load starts, kept from it, for the faults' own probes."""
        for _ in range(count):
            user = User(f"auth0|r-{secrets.token_hex(5)}", busy=True)
            if self.journeys.enroll(user, len(self._reserve) % 2):
                self._reserve.append(user)

    def enrolled_user(self) -> User:
        """A reserved user with an unused TOTP step (the load never touches one)."""
        for user in self._reserve:
            if user.free_step() is not None and user.failures < 8:
                self._reserve.remove(user)
                return user
        raise RuntimeError("the reserve of enrolled users ran out")

    def replace(self, slot: int) -> None:
        """A new worker on the killed one's port, as a supervisor would start it."""
        old = self.workers[slot]
        old.kill()
        new = Worker(self.config, self.env, port=old.port)
        new.wait_ready()
        self.workers[slot] = new

    def _login_status(self, client: httpx.Client, slot: int) -> int:
        from chaos_journeys import login_event

        try:
            return client.post(
                self.cluster.url(slot) + "/v1/logins",
                json=login_event("auth0|probe"),
                headers={"Authorization": f"Bearer {self.env['CHAOS_API_KEY']}"},
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
        self.tally.recovery[fault] = round(took, 2)
        self.tally.checked(
            "recovery",
            not pending and took <= RECOVERY_BOUND_SECONDS,
            f"{fault}: not answering normally after {took:.1f} s",
        )
        self.tally.checked(
            "recovery",
            [w.pid for w in self.workers] == pids and all(w.alive() for w in self.workers),
            f"{fault}: a worker restarted or died",
        )

    # -- faults ------------------------------------------------------------------------------

    def postgres_faults(self) -> None:
        pids = [w.pid for w in self.workers]
        self.tally.enter("pg-restart")
        self.pg.restart()
        self.measure_recovery("pg-restart", time.monotonic(), pids)
        time.sleep(self.schedule.steady)
        self.tally.enter("pg-down")
        self.pg.stop("fast")
        time.sleep(self.schedule.outage)
        self.pg.start()
        self.tally.enter("pg-back")
        self.measure_recovery("pg-down", time.monotonic(), pids)

    def redis_fault(self) -> None:
        journeys = self.journeys
        target = self.enrolled_user()
        decision, _ = journeys.login(0, target)
        assert decision is not None
        wrong = {"factor": "otp", "otp": "000000"}
        refused = 0
        for attempt in range(10):
            sent = journeys.send(attempt % 2, "/v1/mfa/verify", wrong, decision["mfa_token"])
            refused += sent.response is not None and sent.response.status_code == 403
        pids = [w.pid for w in self.workers]
        self.tally.enter("redis-down")
        self.redis.stop()
        time.sleep(self.schedule.outage)
        self.redis.start()
        self.tally.enter("redis-back")
        self.measure_recovery("redis-down", time.monotonic(), pids)
        code = pyotp.TOTP(target.secret or "").now()
        eleventh = journeys.login(1, target)[0]
        sent = journeys.send(
            1,
            "/v1/mfa/verify",
            {"factor": "otp", "otp": code},
            eleventh["mfa_token"] if eleventh else "",
        )
        status = sent.response.status_code if sent.response is not None else 0
        self.tally.checked(
            "limits_survive_redis",
            refused == 10 and status == 429,
            f"10 wrong codes ({refused} refused), Redis emptied, the 11th answered {status}",
        )

    def skews(self) -> None:
        """Slot 1 served by a worker 90 s ahead, then by one 90 s behind, then by its own again.
        Both skewed workers start together, beside the normal one, so none is ever missing."""
        skews = (self.schedule.skew, -self.schedule.skew)
        skewed = [
            Worker(self.config, {**self.env, "CONTEXTMFA_CLOCK_SKEW_SECONDS": str(seconds)})
            for seconds in skews
        ]
        for worker in skewed:
            worker.wait_ready()
        normal = self.cluster.url(1)
        try:
            for seconds, worker in zip(skews, skewed, strict=True):
                self.cluster.set(1, worker.url)
                self.tally.enter(f"skew{seconds:+.0f}")
                ends = time.monotonic() + self.schedule.skew_for
                while time.monotonic() < ends:
                    self._skew_probe()
                    time.sleep(SKEW_PROBE_EVERY)
        finally:
            self.cluster.set(1, normal)
            self.tally.enter("steady")
            for worker in skewed:
                stopping = threading.Thread(target=worker.stop)
                stopping.start()
                self.kills.threads.append(stopping)

    def _skew_probe(self) -> None:
        """A real-time code refused by the skewed worker, then accepted by the other with the
        same token (the skewed worker's refusal burns neither), which then refuses it again."""
        user = self.enrolled_user()
        decision, _ = self.journeys.login(1, user)
        if decision is None:
            return
        step = user.free_step()
        assert step is not None
        body = {"factor": "otp", "otp": user.code(step)}
        skewed = self.journeys.send(1, "/v1/mfa/verify", body, decision["mfa_token"]).response
        if skewed is None or skewed.status_code == 503:
            return
        user.failures += 1
        self.tally.checked(
            "fail_closed",
            skewed.status_code == 403,
            f"a worker 90 s off accepted a code of the real time: {skewed.status_code}",
        )
        normal = self.journeys.send(0, "/v1/mfa/verify", body, decision["mfa_token"]).response
        ok = normal is not None and normal.status_code == 200
        self.tally.checked(
            "nothing_lost",
            ok,
            f"token from the skewed worker refused by the other: "
            f"{normal.text[:120] if normal is not None else ''}",
        )
        if ok:
            user.used_steps.add(step)
            self.journeys.check_assertion(normal.json(), decision["login_id"], 0)  # type: ignore[union-attr]

    # -- the run -----------------------------------------------------------------------------

    def check_store(self) -> None:
        """Nothing lost: every confirmed enrollment and every acknowledged login is stored."""
        for authenticator_id, user_id in list(self.journeys.confirmed.items()):
            found = patiently(lambda a=authenticator_id: self.store.authenticators.get("chaos", a))
            self.tally.checked(
                "nothing_lost",
                found is not None and found.confirmed and found.user_id == user_id,
                f"confirmed authenticator of {user_id} missing",
            )
        stored = patiently(lambda: {r.login_id for r in self.store.logins.export("chaos")})
        for login_id in sorted(self.journeys.acked_logins):
            self.tally.checked("nothing_lost", login_id in stored, f"login {login_id} not recorded")

    def run(self, faults: tuple[str, ...] = ("kill", "postgres", "redis", "skew")) -> Tally:
        drivers = [
            threading.Thread(target=self._drive, args=(seed,), daemon=True)
            for seed in range(self.schedule.threads)
        ]
        kills = 5 * self.schedule.kills + 2 if "kill" in faults else 0
        probes = math.ceil(self.schedule.skew_for / SKEW_PROBE_EVERY) + 1
        skews = 2 * probes if "skew" in faults else 0
        began = time.monotonic()
        self._enroll_reserve(kills + skews + (1 if "redis" in faults else 0))
        self.tally.note(f"{len(self._reserve)} users reserved in {time.monotonic() - began:.1f} s")
        started = time.monotonic()
        for thread in drivers:
            thread.start()
        steps = {
            "kill": self.kills,
            "postgres": self.postgres_faults,
            "redis": self.redis_fault,
            "skew": self.skews,
        }
        try:
            time.sleep(self.schedule.steady)
            for name in faults:
                began = time.monotonic()
                steps[name]()
                self.tally.note(f"{name} faults took {time.monotonic() - began:.1f} s")
                self.tally.enter("steady")
                time.sleep(self.schedule.steady)
        finally:
            self._stop.set()
            for thread in drivers + self.kills.threads:
                thread.join(timeout=90)
        self.tally.recovery["run_seconds"] = round(time.monotonic() - started, 1)
        self.check_store()
        return self.tally

    def close(self) -> None:
        self.kills.settle()
        self.gateway.close()
        for worker in self.workers:
            worker.stop()
        self.store.close()
        self.redis.close()
        self.pg.close()

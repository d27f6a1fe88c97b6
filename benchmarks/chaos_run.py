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

import random
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from chaos_deps import OwnPostgres, OwnRedis, Worker
from chaos_gateway import Gateway
from chaos_journeys import Cluster, Journeys, User, patiently
from chaos_kills import Kills
from chaos_outages import Outages, skew_probes
from chaos_push import PushJourneys
from chaos_rules import Tally

from contextmfa.store import Store, keygen

__all__ = ["ChaosRun", "Schedule", "write_tenant"]


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
        self.outages = Outages(self)
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
        skews = skew_probes(self.schedule.skew_for) if "skew" in faults else 0
        began = time.monotonic()
        spends = 2 * (("postgres" in faults) + ("redis" in faults))
        self._enroll_reserve(kills + skews + spends + (1 if "redis" in faults else 0))
        self.tally.note(f"{len(self._reserve)} users reserved in {time.monotonic() - began:.1f} s")
        started = time.monotonic()
        for thread in drivers:
            thread.start()
        steps = {
            "kill": self.kills,
            "postgres": self.outages.postgres_faults,
            "redis": self.outages.redis_fault,
            "skew": self.outages.skews,
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

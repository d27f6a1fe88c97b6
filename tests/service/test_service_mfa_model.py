"""A model-based test of the MFA transaction: an owner and an attacker who knows only passwords.

Hypothesis drives random sequences of logins, enrollments, confirmations, challenges, guesses,
token reuse, factor removal and the clock against the real service (the FastAPI app over a real
store). The attacker can get an mfa_token for any user (the IdP hands one out for a password) and
call every MFA endpoint with any token they ever got, but holds no factor secret of the owner's:
it reads only the messages sent to its own phone and the seeds and recovery codes it was given.
After every step the machine checks, against the store:

* the attacker never held an assertion, nor added an authenticator, for a user who at that
  moment had a factor that is not the attacker's (an authenticator, or a verified email);
* wrong guesses compared per user and factor never exceed the bucket (10, plus one per 6 min);
* the owner can always sign in with a factor it holds (the fixes lock nobody out).

A user with no factor at all can be enrolled by whoever has the password first: that is not a
bypass, and the model lets the attacker "capture" such a user; the owner is then locked out of
that user, as anyone would be.

``CONTEXTMFA_MODEL_EXAMPLES`` sets the number of examples (CI: a small bound; the README quotes
a long run). The racing variant sends each attacker call as concurrent copies, on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from conftest import open_service
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from service_helpers import START, Clock, bearer, login_event
from service_process import postgres_database

from contextmfa.factors.codes import RECOVERY_ALPHABET
from contextmfa.service import create_app

EXAMPLES = int(os.environ.get("CONTEXTMFA_MODEL_EXAMPLES", "25"))
STEPS = int(os.environ.get("CONTEXTMFA_MODEL_STEPS", "30"))
ACTIONS = Path(__file__).resolve().parents[2] / "actions"
GUESSED = ("otp", "recovery-code", "email", "sms")
BUCKET, REFILL = 10, 360.0
"""OTP and recovery-code failures: 10, one back every 6 minutes (factors-and-service.md)."""

USERS = {
    # has an authenticator app (enrolled by the owner at the start) and a verified email
    "alice": {"email_verified": True, "start": "otp"},
    # nothing at all: whoever has the password enrolls first
    "bob": {"email_verified": False, "start": None},
    # only a verified email; force_enrollment asks for a factor of her own
    "carol": {"email_verified": True, "start": None},
}


@dataclass
class App:
    """One service for a whole run; each example uses users of its own."""

    client: TestClient
    clock: Clock
    tenant: Any
    api: dict[str, str]
    admin: dict[str, str]
    race: int = 1
    pool: ThreadPoolExecutor | None = None

    def post(self, path: str, token: str, body: dict) -> list[Any]:
        """POST ``body``; with ``race`` > 1, that many identical requests at once."""
        if self.race == 1 or self.pool is None:
            return [self.client.post(path, json=body, headers=bearer(token))]
        barrier = threading.Barrier(self.race)

        def send(_: int) -> Any:
            barrier.wait()
            return self.client.post(path, json=body, headers=bearer(token))

        return list(self.pool.map(send, range(self.race)))


@dataclass
class Knowledge:
    """What one party knows of one user."""

    seeds: dict[str, str] = field(default_factory=dict)  # authenticator id -> otp seed
    recovery: str | None = None


class MfaModel(RuleBasedStateMachine):
    app: App
    checks = 0
    steps = 0
    examples = 0

    def __init__(self) -> None:
        super().__init__()
        MfaModel.examples += 1
        self.run = secrets.token_hex(4)
        self.app.clock.now = START  # each example starts at the same moment, with users of its own
        self.phone = f"+3168{secrets.randbelow(10**7):07d}"
        """The attacker's own phone: it reads what is sent there, and nothing else."""
        self.owner: dict[str, Knowledge] = defaultdict(Knowledge)
        self.attacker: dict[str, Knowledge] = defaultdict(Knowledge)
        self.attackers_ids: dict[str, set[str]] = defaultdict(set)
        self.tokens: list[tuple[str, str]] = []  # (user, token) the attacker ever held
        self.pending_otp: dict[str, str] = {}  # attacker token -> seed of an enrollment begun
        self.failures: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.violations: list[str] = []
        self.owner_limited = False
        """The attacker may exhaust a bucket the owner needs: a lockout, never a bypass."""

    # Helpers -------------------------------------------------------------------------------

    def uid(self, user: str) -> str:
        return f"auth0|{user}-{self.run}"

    def event(self, user: str) -> dict:
        event = login_event(self.uid(user))
        event["user"]["email"] = f"{user}-{self.run}@acme.test"
        event["user"]["email_verified"] = USERS[user]["email_verified"]
        return event

    def login(self, user: str) -> dict:
        answer = self.app.client.post("/v1/logins", json=self.event(user), headers=self.app.api)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def confirmed(self, user: str) -> dict[str, Any]:
        rows = self.app.tenant.store.authenticators.for_user("acme", self.uid(user))
        return {a.id: a for a in rows}

    def foreign(self, user: str) -> bool:
        """Does the user have a factor that is not the attacker's (so the attacker must fail)?"""
        mine = self.attackers_ids[user]
        others = [i for i in self.confirmed(user) if i not in mine]
        return bool(others) or bool(USERS[user]["email_verified"])

    def captured(self, user: str) -> bool:
        ids = set(self.confirmed(user))
        return bool(ids) and ids <= self.attackers_ids[user]

    def message_to(self, channel: str, address: str) -> str | None:
        for message in self.app.tenant.store.outbox.list("acme", channel=channel, limit=200):
            if message.to == address:
                found = re.search(r"\b(\d{6})\b", message.body)
                return found.group(1) if found else None
        return None

    def otp(self, seed: str) -> str:
        return pyotp.TOTP(seed).at(self.app.clock.now)

    def tick(self) -> None:
        """A fresh TOTP time step, so a code the owner uses was not used before."""
        self.app.clock.advance(seconds=30)

    def attacker_call(self, user: str, path: str, token: str, body: dict) -> list[Any]:
        """An attacker request; checks what it got against the store before and after."""
        before = set(self.confirmed(user))
        foreign = self.foreign(user)
        answers = self.app.post(f"/v1/mfa/{path}", token, body)
        added = set(self.confirmed(user)) - before
        passed = [
            a.json()
            for a in answers
            if a.status_code == 200 and a.json().get("status") in ("passed", "next_step")
        ]
        if foreign and added:
            self.violations.append(f"attacker added {added} to {user} via {path}")
        if foreign and any("assertion" in p for p in passed):
            self.violations.append(f"attacker got an assertion for {user} via {path}")
        if len(passed) > 1:
            self.violations.append(f"{len(passed)} concurrent copies passed one step ({path})")
        self.attackers_ids[user] |= added
        for answer in passed:
            if answer.get("recovery_code"):
                self.attacker[user].recovery = answer["recovery_code"]
            if answer.get("mfa_token"):
                self.tokens.append((user, answer["mfa_token"]))
        for answer in answers:
            error = answer.json().get("error_description", "") if answer.status_code != 200 else ""
            if re.match(r"invalid (otp|recovery) code", error):
                factor = "otp" if "otp" in error else "recovery-code"
                self.failures[(user, factor)].append(self.app.clock.now.timestamp())
        return answers

    # Setup ---------------------------------------------------------------------------------

    @initialize()
    def owners_enroll_their_first_factors(self) -> None:
        for user, shape in USERS.items():
            if shape["start"] == "otp":
                assert self.owner_signs_in(user), f"{user}'s owner could not enroll"

    # The owner -----------------------------------------------------------------------------

    def owner_signs_in(self, user: str) -> bool:
        """The owner walks every step with what it holds; True when it got an assertion."""
        decision = self.login(user)
        if decision["outcome"] == "allow":
            return True
        if decision["outcome"] == "deny":
            return False
        token, step = decision["mfa_token"], decision["steps"][0]
        for _ in range(6):
            answer = self.owner_step(user, token, step)
            if answer is None or answer.get("status") not in ("passed", "next_step"):
                return False
            if answer.get("recovery_code"):
                self.owner[user].recovery = answer["recovery_code"]
            if answer["status"] == "passed":
                return True
            token, step = answer["mfa_token"], answer["step"]
        return False

    def owner_step(self, user: str, token: str, step: dict) -> dict | None:
        """Pass one step with the first method the owner holds that works."""
        client = self.app.client
        if step["kind"] == "enroll":
            started = client.post("/v1/mfa/enroll", json={"factor": "otp"}, headers=bearer(token))
            if started.status_code != 200:
                return None
            seed = started.json()["secret"]
            body = {"factor": "otp", "otp": self.otp(seed)}
            done = client.post("/v1/mfa/enroll/confirm", json=body, headers=bearer(token))
            if done.status_code == 200:
                self.owner[user].seeds[done.json()["authenticator_id"]] = seed
            return done.json()
        answer: dict | None = None
        for body in self.owner_answers(user, token, step["factors"]):
            answer = client.post("/v1/mfa/verify", json=body, headers=bearer(token)).json()
            if answer.get("error") == "too_many_attempts":
                self.owner_limited = True
            if answer.get("status"):
                return answer
        return answer

    def owner_answers(self, user: str, token: str, factors: list[str]) -> Any:
        """The owner's answers to a challenge step, one per method it holds, lazily."""
        me, live = self.owner[user], self.confirmed(user)
        self.tick()
        if "otp" in factors:
            for authenticator_id, seed in me.seeds.items():
                if authenticator_id in live:
                    yield {"factor": "otp", "otp": self.otp(seed)}
                    break
        if "email" in factors and USERS[user]["email_verified"]:
            sent = self.app.client.post(
                "/v1/mfa/challenge", json={"factor": "email"}, headers=bearer(token)
            )
            if sent.status_code == 429:
                self.owner_limited = True
            if sent.status_code == 200:
                code = self.message_to("email", f"{user}-{self.run}@acme.test")
                oob = sent.json()["oob_code"]
                yield {"factor": "email", "oob_code": oob, "binding_code": code}
        if "recovery-code" in factors and me.recovery:
            yield {"factor": "recovery-code", "recovery_code": me.recovery}

    @rule(user=st.sampled_from(sorted(USERS)))
    def owner_signs_in_when_not_captured(self, user: str) -> None:
        if self.captured(user):
            return
        self.owner_limited = False
        if not self.owner_signs_in(user) and not self.captured(user) and not self.owner_limited:
            self.violations.append(f"the owner of {user} could not sign in")

    @rule(user=st.sampled_from(sorted(USERS)), data=st.data())
    def admin_removes_one_of_the_owners_factors(self, user: str, data: st.DataObject) -> None:
        rows = self.confirmed(user).values()
        mine = self.attackers_ids[user]
        # in the order they were added, never by their random ids: examples must replay
        owned = [
            a.id for a in sorted(rows, key=lambda a: (a.created_at, a.type)) if a.id not in mine
        ]
        if not owned:
            return
        chosen = data.draw(st.sampled_from(owned))
        path = f"/v1/users/{self.uid(user)}/authenticators/{chosen}"
        assert self.app.client.delete(path, headers=self.app.admin).status_code == 204
        self.owner[user].seeds.pop(chosen, None)

    # The attacker --------------------------------------------------------------------------

    @rule(user=st.sampled_from(sorted(USERS)))
    def attacker_logs_in(self, user: str) -> None:
        decision = self.login(user)
        if decision.get("mfa_token"):
            self.tokens.append((user, decision["mfa_token"]))
        if self.foreign(user) and decision["outcome"] == "enroll":
            self.violations.append(f"{user} has a factor but got an enroll-only decision")

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def attacker_starts_an_otp_enrollment(self, data: st.DataObject) -> None:
        user, token = data.draw(st.sampled_from(self.tokens))
        answers = self.attacker_call(user, "enroll", token, {"factor": "otp"})
        for answer in answers:
            if answer.status_code == 200:
                self.pending_otp[token] = answer.json()["secret"]

    @precondition(lambda self: self.pending_otp)
    @rule(data=st.data())
    def attacker_confirms_its_otp(self, data: st.DataObject) -> None:
        token = data.draw(st.sampled_from(list(self.pending_otp)))
        user = next(u for u, t in self.tokens if t == token)
        seed = self.pending_otp[token]
        self.tick()
        body = {"factor": "otp", "otp": self.otp(seed)}
        for answer in self.attacker_call(user, "enroll/confirm", token, body):
            if answer.status_code == 200:
                self.attacker[user].seeds[answer.json()["authenticator_id"]] = seed

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def attacker_enrolls_its_phone(self, data: st.DataObject) -> None:
        user, token = data.draw(st.sampled_from(self.tokens))
        self.tick()  # its own moment, so the newest message to the phone is this one's
        phone = {"factor": "sms", "phone_number": self.phone}
        started = [a for a in self.attacker_call(user, "enroll", token, phone) if a.is_success]
        if not started:
            return
        code = self.message_to("sms", self.phone)
        body = {"factor": "sms", "oob_code": started[0].json()["oob_code"], "binding_code": code}
        self.attacker_call(user, "enroll/confirm", token, body)

    @precondition(lambda self: self.tokens)
    @rule(data=st.data(), factor=st.sampled_from(GUESSED))
    def attacker_challenges_and_guesses(self, data: st.DataObject, factor: str) -> None:
        user, token = data.draw(st.sampled_from(self.tokens))
        oob = None
        if factor in ("email", "sms"):
            sent = self.attacker_call(user, "challenge", token, {"factor": factor})
            oks = [a for a in sent if a.is_success]
            if not oks:
                return
            oob = oks[0].json().get("oob_code")
        body: dict[str, Any] = {"factor": factor}
        if factor == "otp":
            body["otp"] = self.wrong_otp(user, data)
        elif factor == "recovery-code":
            body["recovery_code"] = data.draw(st.text(RECOVERY_ALPHABET, min_size=24, max_size=24))
        else:
            body.update(oob_code=oob, binding_code=self.wrong_oob(factor, data))
        if body.get("recovery_code") == self.owner[user].recovery:
            return
        self.attacker_call(user, "verify", token, body)

    def wrong_otp(self, user: str, data: st.DataObject) -> str:
        """A code that is surely wrong: not the owner's current or previous one."""
        now, before = self.app.clock.now, self.app.clock.now - timedelta(seconds=30)
        seeds = self.owner[user].seeds.values()
        rights = {pyotp.TOTP(s).at(t) for s in seeds for t in (now, before)}
        guess = f"{data.draw(st.integers(0, 999_999)):06d}"
        while guess in rights:
            guess = f"{(int(guess) + 1) % 1_000_000:06d}"
        return guess

    def wrong_oob(self, factor: str, data: st.DataObject) -> str:
        sent = {m.body for m in self.app.tenant.store.outbox.list("acme", channel=factor, limit=50)}
        guess = f"{data.draw(st.integers(0, 999_999)):06d}"
        while any(guess in body for body in sent):
            guess = f"{(int(guess) + 1) % 1_000_000:06d}"
        return guess

    @precondition(lambda self: self.tokens)
    @rule(data=st.data())
    def attacker_uses_what_it_holds(self, data: st.DataObject) -> None:
        """Its own app or recovery code, on any token it ever held (replays included)."""
        user, token = data.draw(st.sampled_from(self.tokens))
        mine = self.attacker[user]
        self.tick()
        if mine.seeds:
            seed = next(iter(mine.seeds.values()))
            self.attacker_call(user, "verify", token, {"factor": "otp", "otp": self.otp(seed)})
        if mine.recovery:
            body = {"factor": "recovery-code", "recovery_code": mine.recovery}
            self.attacker_call(user, "verify", token, body)

    @rule(seconds=st.sampled_from([30, 300, 700, 3600]))
    def time_passes(self, seconds: int) -> None:
        self.app.clock.advance(seconds=seconds)

    # Invariants ----------------------------------------------------------------------------

    @invariant()
    def no_violation(self) -> None:
        MfaModel.checks += 1
        assert not self.violations, self.violations

    @invariant()
    def guesses_compared_within_the_bucket(self) -> None:
        MfaModel.checks += 1
        for key, times in self.failures.items():
            for i, start in enumerate(times):
                window = [t for t in times[i:] if t - start < 3600]
                allowed = BUCKET + int((window[-1] - start) // REFILL)
                assert len(window) <= allowed, (key, len(window), allowed)


def _app(store: str, tmp_path: Path) -> Any:
    tenants, files = open_service(tmp_path, store=store)
    clock = Clock()
    client = TestClient(create_app(tenants, clock=clock, owns_tenants=True))
    admin = bearer(files["acme"].admin_key)
    source = (ACTIONS / "force_enrollment.py").read_text()
    return client, clock, tenants.get("acme"), bearer(files["acme"].api_key), admin, source


def _run(store: str, tmp_path: Path, *, race: int = 1, examples: int = EXAMPLES) -> None:
    client, clock, tenant, api, admin, source = _app(store, tmp_path)
    with client, ThreadPoolExecutor(max(race, 1)) as pool:
        deployed = client.put(
            "/v1/actions/force_enrollment", json={"source": source}, headers=admin
        )
        assert deployed.status_code in (200, 201), deployed.text
        MfaModel.app = App(client, clock, tenant, api, admin, race, pool)
        MfaModel.checks = MfaModel.examples = 0
        run_state_machine_as_test(
            MfaModel,
            settings=settings(
                max_examples=examples,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=False,
            ),
        )
    print(f"mfa model: {MfaModel.examples} runs, {MfaModel.checks} invariant checks, 0 violations")


def test_the_attacker_never_passes_nor_adds_a_factor_on_sqlite(tmp_path):
    _run("sqlite://", tmp_path)


def test_racing_copies_pass_nothing_twice_on_postgresql(tmp_path):
    with postgres_database() as url:
        if url is None:
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
        _run(url, tmp_path, race=4, examples=max(5, EXAMPLES // 3))

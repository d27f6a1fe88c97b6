"""Complete MFA journeys against two workers, as an identity provider and its users walk them.

A journey is a login (``POST /v1/logins``), then either a TOTP enrollment (enroll on the other
worker, confirm on the first) or a challenge (the code verified on the other worker), then the
assertion checked with the JWKS, as an IdP checks it. Every call alternates workers, so an
``mfa_token`` issued by one is always used on the other. A call whose worker is gone (killed) is
sent to the other one, as a load balancer would; a 503 is retried after its ``Retry-After``.

After a journey passes, the driver replays what it used on the other worker: the same code with a
new login, the completed token again, an old recovery code; each must be refused.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import jwt
import pyotp
from chaos_rules import Tally

from contextmfa.store import StoreUnavailable

T = TypeVar("T")

__all__ = ["AUDIENCE", "Cluster", "Journeys", "User", "login_event", "patiently"]

AUDIENCE = "portal-web"
RETRY_FOR_SECONDS = 25.0
"""How long a call keeps retrying 503s and dead workers before the journey gives up."""
STEP_LEASE_WAIT = 45.0
"""How long a token whose worker died mid-call may stay refused as "under way"."""
GIVE_UP_SECONDS = 120.0
"""How long a step's call is retried in all while the store keeps refusing (503)."""


def patiently(read: Callable[[], T], tries: int = 20) -> T:
    """A read of the driver's own view of the store, retried while the store is away (its
    pool, like the service's, fails once per stale connection after a restart)."""
    for _ in range(tries - 1):
        try:
            return read()
        except StoreUnavailable:
            time.sleep(0.5)
    return read()


def login_event(user_id: str, login_id: str | None = None) -> dict[str, Any]:
    return {
        "id": login_id or f"l-{secrets.token_hex(8)}",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "user": {"user_id": user_id, "email": f"{user_id[6:]}@acme.test", "name": "Chaos"},
        "request": {"ip": "81.2.69.142", "user_agent": "Mozilla/5.0 (X11; Linux) Firefox/128.0"},
        "device": {"id": f"d-{user_id[6:]}"},
        "client": {"client_id": AUDIENCE, "name": "Acme Portal", "metadata": {}},
    }


@dataclass
class User:
    user_id: str
    secret: str | None = None
    authenticator_id: str | None = None
    recovery_code: str | None = None
    used_steps: set[int] = field(default_factory=set)
    failures: int = 0
    busy: bool = False
    phone: Any = None
    """A push user's software phone (:class:`chaos_push.Phone`); None for an app user."""
    next_push_at: float = 0.0
    """Pushes are limited to 5 a minute per user (one every 12 s refills): the driver keeps
    within the limit, so a refusal is the service's doing."""

    @property
    def enrolled(self) -> bool:
        return self.secret is not None or self.phone is not None

    def free_step(self) -> int | None:
        """A TOTP step the service would accept now that this user has not used: the current
        one, else the one before (the window's other step); None when both are spent."""
        now = int(time.time() // 30)
        for step in (now, now - 1):
            if step not in self.used_steps:
                return step
        return None

    def code(self, step: int) -> str:
        return pyotp.TOTP(self.secret or "").at(step * 30)


class Cluster:
    """Two worker slots; :meth:`url` is where slot ``i`` answers now."""

    def __init__(self, urls: list[str]) -> None:
        self._urls = list(urls)
        self._lock = threading.Lock()

    def url(self, slot: int) -> str:
        with self._lock:
            return self._urls[slot]

    def set(self, slot: int, url: str) -> None:
        with self._lock:
            self._urls[slot] = url


@dataclass
class Sent:
    response: httpx.Response | None
    slot: int
    failed_over: bool


class Journeys:
    """The driver's calls and checks; one instance shared by every driver thread."""

    def __init__(
        self, cluster: Cluster, tally: Tally, api_key: str, issuer: str, store: Any, tenant: str
    ) -> None:
        self.cluster, self.tally, self.api_key, self.issuer = cluster, tally, api_key, issuer
        self.store, self.tenant = store, tenant
        self.users: list[User] = []
        self.acked_logins: set[str] = set()
        self.confirmed: dict[str, str] = {}  # authenticator id -> user id
        self.assertions: dict[str, str] = {}  # login id -> jti
        self._lock = threading.Lock()
        self._local = threading.local()
        self._jwks: dict[str, Any] | None = None
        self.retry_for = RETRY_FOR_SECONDS

    # -- transport --------------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = httpx.Client(timeout=15)
        return client

    def send(self, slot: int, path: str, body: dict[str, Any], bearer: str) -> Sent:
        """POST to ``slot``, or to the other worker when it is gone; 503s retried for a while."""
        deadline = time.monotonic() + self.retry_for
        failed_over = False
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        while True:
            for target in (slot, 1 - slot):
                try:
                    response = self._client().post(
                        self.cluster.url(target) + path, json=body, headers=headers
                    )
                except httpx.TransportError:
                    self.tally.count("transport_error")
                    failed_over = True
                    continue
                self.tally.answer(response, path)
                if response.status_code == 503 and time.monotonic() < deadline:
                    time.sleep(min(float(response.headers.get("retry-after", "1")), 1.0))
                    break
                return Sent(response, target, failed_over)
            else:
                if time.monotonic() >= deadline:
                    return Sent(None, slot, failed_over)
                time.sleep(0.2)

    def record_confirmed(self, authenticator_id: str, user_id: str) -> None:
        with self._lock:
            self.confirmed[authenticator_id] = user_id

    def raw_post(self, url: str, body: dict[str, Any], bearer: str) -> httpx.Response:
        """One POST, as it goes: no failover, no retry, nothing counted."""
        return self._client().post(url, json=body, headers={"Authorization": f"Bearer {bearer}"})

    def login(self, slot: int, user: User) -> tuple[dict[str, Any] | None, int]:
        event = login_event(user.user_id)
        sent = self.send(slot, "/v1/logins", event, self.api_key)
        if sent.response is None or sent.response.status_code != 200:
            return None, sent.slot
        answer = sent.response.json()
        with self._lock:
            self.acked_logins.add(event["id"])
        self.tally.checked(
            "fail_closed",
            answer.get("outcome") in ("enroll", "challenge") and bool(answer.get("mfa_token")),
            f"login of {user.user_id} answered {answer.get('outcome')} without MFA",
        )
        answer["login_id"] = event["id"]
        return answer, sent.slot

    # -- checks ------------------------------------------------------------------------------

    def check_assertion(self, answer: dict[str, Any], login_id: str, slot: int) -> bool:
        token = answer.get("assertion", "")
        try:
            claims = jwt.decode(
                token,
                self._key_for(token, slot),
                algorithms=["ES256"],
                audience=AUDIENCE,
                issuer=self.issuer,
                leeway=5,
            )
        except (jwt.PyJWTError, KeyError, StopIteration) as exc:
            self.tally.note(f"assertion for {login_id} not verified: {type(exc).__name__}")
            return False
        with self._lock:
            earlier = self.assertions.setdefault(claims["login_id"], claims["jti"])
        self.tally.checked(
            "nothing_twice",
            earlier == claims["jti"],
            f"login {login_id} got two assertions",
        )
        return claims.get("login_id") == login_id

    def _key_for(self, token: str, slot: int) -> Any:
        kid = jwt.get_unverified_header(token)["kid"]
        if self._jwks is None or all(k["kid"] != kid for k in self._jwks["keys"]):
            self._jwks = (
                self._client().get(self.cluster.url(slot) + "/.well-known/jwks.json").json()
            )
        return jwt.PyJWK(next(k for k in self._jwks["keys"] if k["kid"] == kid)).key

    def passed_in_store(self, user: User, since: datetime) -> bool:
        """Did the store record an MFA pass or enrollment for ``user`` since ``since``?"""
        entries = patiently(
            lambda: self.store.audit.list(self.tenant, user_id=user.user_id, limit=20)
        )
        return any(
            e.kind in ("mfa.passed", "mfa.step_passed", "factor.enrolled") and e.created_at >= since
            for e in entries
        )

    # -- journeys ----------------------------------------------------------------------------

    def finish_step(
        self, slot: int, path: str, body: dict[str, Any], token: str, user: User
    ) -> httpx.Response | None:
        """Send the call that completes a step. The driver sends only right answers, so a
        refusal "under way" means an earlier try of this call was cut off (its worker killed, or
        the store gone mid-call, so the step could not be given back): retry until the step's
        lease is over, counted from the last 503 (the store must be back for the lease to end
        and be released). A refusal that stays is a violation unless the cut-off try had passed
        it; after :data:`GIVE_UP_SECONDS` of a store still refusing, the call is not judged."""
        started = datetime.now(UTC) - timedelta(seconds=2)
        sent = self.send(slot, path, body, token)
        if sent.response is None or sent.response.status_code not in (401, 403):
            return sent.response
        if sent.failed_over:
            self.tally.count(f"failed_over_{sent.response.status_code}")
        give_up = time.monotonic() + GIVE_UP_SECONDS
        deadline = time.monotonic() + STEP_LEASE_WAIT
        response = sent.response
        while response is not None and response.status_code in (401, 403, 503):
            if response.status_code == 503:
                deadline = time.monotonic() + STEP_LEASE_WAIT
            elif "under way" not in response.text and "already completed" not in response.text:
                return response
            if time.monotonic() > min(deadline, give_up):
                break
            time.sleep(1)
            response = self.send(sent.slot, path, body, token).response
            if response is not None and response.status_code == 200:
                return response
        if response is not None and response.status_code in (401, 403):
            self.tally.checked(
                "nothing_lost",
                self.passed_in_store(user, started),
                f"{path} for {user.user_id}: token still refused {STEP_LEASE_WAIT:.0f} s "
                f"after its call was cut off: {response.text[:120]}",
            )
        return response

    def enroll(self, user: User, slot: int) -> bool:
        decision, slot = self.login(slot, user)
        if decision is None:
            return False
        token = decision["mfa_token"]
        started = self.send(1 - slot, "/v1/mfa/enroll", {"factor": "otp"}, token)
        if started.response is None or started.response.status_code != 200:
            return False
        secret = started.response.json()["secret"]
        step = int(time.time() // 30)
        code = pyotp.TOTP(secret).at(step * 30)
        body = {"factor": "otp", "otp": code}
        response = self.finish_step(slot, "/v1/mfa/enroll/confirm", body, token, user)
        if response is None or response.status_code != 200:
            return False
        answer = response.json()
        user.secret, user.authenticator_id = secret, answer.get("authenticator_id")
        user.recovery_code = answer.get("recovery_code")
        user.used_steps.add(step)
        with self._lock:
            if user.authenticator_id:
                self.confirmed[user.authenticator_id] = user.user_id
        return self.check_assertion(answer, decision["login_id"], slot)

    def challenge(self, user: User, slot: int, replay: bool, recovery: bool) -> bool:
        decision, slot = self.login(slot, user)
        if decision is None:
            return False
        token = decision["mfa_token"]
        self.tally.checked(
            "fail_closed",
            decision["outcome"] == "challenge",
            f"enrolled {user.user_id} got {decision['outcome']}",
        )
        assert user.secret is not None
        step = user.free_step()
        if recovery and user.recovery_code:
            body = {"factor": "recovery-code", "recovery_code": user.recovery_code}
        else:
            if step is None:
                return False
            body = {"factor": "otp", "otp": user.code(step)}
        response = self.finish_step(1 - slot, "/v1/mfa/verify", body, token, user)
        if response is None or response.status_code != 200:
            if response is not None and response.status_code in (403, 429):
                user.failures += 1
            return False
        answer = response.json()
        if body["factor"] == "otp" and step is not None:
            user.used_steps.add(step)
        else:
            user.recovery_code = answer.get("recovery_code")
        ok = self.check_assertion(answer, decision["login_id"], 1 - slot)
        # the completed token again, on the worker that did not pass it: refused
        again = self.send(slot, "/v1/mfa/verify", body, token).response
        if again is not None and again.status_code != 503:
            self.tally.checked(
                "nothing_twice",
                again.status_code != 200,
                f"completed mfa_token of {user.user_id} passed again",
            )
        if replay and user.failures < 6:
            self.replay(user, body, slot)
        return ok

    def replay(self, user: User, body: dict[str, Any], slot: int) -> None:
        """A used code (or recovery code) with a fresh login, on the other worker: refused."""
        decision, slot = self.login(slot, user)
        if decision is None:
            return
        response = self.send(slot, "/v1/mfa/verify", body, decision["mfa_token"]).response
        if response is None or response.status_code == 503:
            return
        user.failures += 1
        self.tally.checked(
            "nothing_twice",
            response.status_code != 200,
            f"used {body['factor']} of {user.user_id} accepted again",
        )

    # -- users -------------------------------------------------------------------------------

    def pick(self, fresh: Callable[[], bool]) -> User:
        """An enrolled user free for a challenge (no code used this step), or a new user."""
        with self._lock:
            if not fresh():
                for user in self.users:
                    usable = (user.phone is not None and time.time() >= user.next_push_at) or (
                        user.secret is not None and user.free_step() is not None
                    )
                    if not user.busy and usable and user.failures < 8:
                        user.busy = True
                        return user
            user = User(f"auth0|c-{secrets.token_hex(5)}", busy=True)
            self.users.append(user)
            return user

    def release(self, user: User) -> None:
        with self._lock:
            user.busy = False

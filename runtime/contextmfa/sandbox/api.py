"""The ``api`` object of an Action (spec/actions-api.md) and what its calls record.

Every call is checked and recorded at once, in call order. Misuse (an unknown factor or
provider, a value that is not plain JSON, a fifth challenge/enroll step) ends the Action with an
error that is *sticky* like a budget error: catching it does not let the Action continue as if
the call had worked, so a typo cannot fail open. ``api.cache`` is the exception: a cache must
never decide a login, so what it cannot store is a result the Action reads (see CacheApi).

Choices where the spec is silent (documented for tenant developers too):

- ``api.access.deny`` does not stop the running Action (as in Auth0); later Actions do not run.
- ``"phone"`` alone, as a name or ``{"type": "phone"}``, means sms or voice (``both``).
  Selectors may carry extra keys (so ``event.user.enrolled_factors[0]`` can be passed as is);
  ``options`` is read only for phone.
- Metadata values, claim values and transaction metadata must be plain JSON (None, bool, int,
  finite float, str, lists/tuples, dicts with str keys) of at most 16 KB as JSON; keys and claim
  names are non-empty strings of at most 256 characters; registered JWT/OIDC claims (``sub``,
  ``iss``, ``aud``, ``exp``, ...) cannot be set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from contextmfa.directives import Deny, Directive, Require, Skip, Step, StepKind
from contextmfa.sandbox.api_checks import (
    CACHE_DEFAULT_TTL,
    CACHE_MAX_KEY_BYTES,
    CACHE_MAX_TTL,
    CACHE_MAX_VALUE_BYTES,
    MAX_REASON_CHARS,
    MAX_STEPS_PER_LOGIN,
    PROVIDERS,
    RESERVED_CLAIMS,
    ApiRun,
    resolve_selector,
    selector_list,
)
from contextmfa.sandbox.cache import ActionCache
from contextmfa.sandbox.limits import Meter


class Recorder:
    """What the Action's api calls produced, in call order."""

    __slots__ = (
        "access_token_claims",
        "app_metadata",
        "denied",
        "directives",
        "id_token_claims",
        "source",
        "steps",
        "transaction_metadata",
        "user_metadata",
    )

    def __init__(self, action: str, steps_so_far: int, source: str = "") -> None:
        self.source = source or f"action:{action}"
        self.steps = steps_so_far
        self.directives: list[Directive] = []
        self.denied = False
        self.app_metadata: dict[str, Any] = {}
        self.user_metadata: dict[str, Any] = {}
        self.id_token_claims: dict[str, Any] = {}
        self.access_token_claims: dict[str, Any] = {}
        self.transaction_metadata: dict[str, Any] = {}


# -- the api objects --------------------------------------------------------------------------


class _Part:
    __slots__ = ("_run",)

    def __init__(self, run: ApiRun) -> None:
        self._run = run


class AccessApi(_Part):
    __slots__ = ()

    def deny(self, reason: str) -> None:
        run = self._run
        text = run.text(reason, "api.access.deny: reason", MAX_REASON_CHARS)
        run.spend(len(text), "api.access.deny: reason")
        run.record(Deny(text, run.rec.source))
        run.rec.denied = True


class MultifactorApi(_Part):
    __slots__ = ()

    def enable(self, provider: str, allow_remember_browser: bool = False) -> None:
        run = self._run
        if not isinstance(allow_remember_browser, bool):
            run.fail("TypeError: api.multifactor.enable: allow_remember_browser must be a bool")
        if provider == "none":
            run.record(Skip(run.rec.source))
            return
        if not isinstance(provider, str) or provider not in PROVIDERS:
            run.fail(
                f"ValueError: api.multifactor.enable: unknown provider {provider!r} "
                "(any, none, duo, guardian, google-authenticator)"
            )
        factors = PROVIDERS[provider]
        run.record(Require(factors, allow_remember_browser, run.rec.source))


class AuthenticationApi(_Part):
    __slots__ = ()

    def challenge_with(self, factor: Any, additional_factors: Any = None) -> None:
        self._step("challenge", "api.authentication.challenge_with", factor, additional_factors)

    def challenge_with_any(self, factors: Any) -> None:
        self._step_any("challenge", "api.authentication.challenge_with_any", factors)

    def enroll_with(self, factor: Any, additional_factors: Any = None) -> None:
        self._step("enroll", "api.authentication.enroll_with", factor, additional_factors)

    def enroll_with_any(self, factors: Any) -> None:
        self._step_any("enroll", "api.authentication.enroll_with_any", factors)

    def _step(self, kind: StepKind, where: str, factor: Any, more: Any) -> None:
        selectors = [factor] + ([] if more is None else selector_list(self._run, more, where))
        self._record(kind, where, selectors)

    def _step_any(self, kind: StepKind, where: str, factors: Any) -> None:
        selectors = selector_list(self._run, factors, where)
        if not selectors:
            self._run.fail(f"ValueError: {where}: needs at least one factor")
        self._record(kind, where, selectors)

    def _record(self, kind: StepKind, where: str, selectors: list[Any]) -> None:
        run = self._run
        chosen: frozenset[str] = frozenset()
        for selector in selectors:
            chosen |= resolve_selector(run, selector, where)
        if run.rec.steps >= MAX_STEPS_PER_LOGIN:
            run.over(f"{where}: at most {MAX_STEPS_PER_LOGIN} challenge/enroll steps per login")
        run.rec.steps += 1
        run.record(Step(kind, chosen, run.rec.source))


def _setter(
    target: Callable[[Recorder], dict[str, Any]], where: str, reserved: frozenset[str] = frozenset()
) -> Callable[[_Part, str, Any], None]:
    def setter(self: _Part, key: str, value: Any) -> None:
        run = self._run
        name = run.text(key, f"{where}: key")
        if name in reserved:
            run.fail(f"ValueError: {where}: {name!r} is a reserved claim")
        run.spend(len(name), f"{where}: key")
        target(run.rec)[name] = run.plain(value, f"{where}: value")

    setter.__name__ = where.rsplit(".", 1)[-1]
    return setter


class UserApi(_Part):
    __slots__ = ()
    set_app_metadata = _setter(lambda r: r.app_metadata, "api.user.set_app_metadata")
    set_user_metadata = _setter(lambda r: r.user_metadata, "api.user.set_user_metadata")


class IdTokenApi(_Part):
    __slots__ = ()
    set_custom_claim = _setter(
        lambda r: r.id_token_claims, "api.id_token.set_custom_claim", RESERVED_CLAIMS
    )


class AccessTokenApi(_Part):
    __slots__ = ()
    set_custom_claim = _setter(
        lambda r: r.access_token_claims, "api.access_token.set_custom_claim", RESERVED_CLAIMS
    )


class TransactionApi(_Part):
    __slots__ = ()
    set_metadata = _setter(lambda r: r.transaction_metadata, "api.transaction.set_metadata")


CacheResult = dict[str, str]
"""What ``api.cache.set``/``delete`` return: ``{"type": "success"}``, or ``{"type": "error",
"code": ...}`` with one of :data:`CACHE_ERROR_CODES` (as Auth0's ``CacheWriteResult``)."""

CACHE_ERROR_CODES = ("key_empty", "key_too_long", "value_too_long", "ttl_out_of_range")


def _cache_error(code: str) -> CacheResult:
    return {"type": "error", "code": code}


class CacheApi(_Part):
    """``api.cache``: a cache never decides a login. A key, value or TTL that cannot be stored
    is a result the Action can read (a key that can never be stored is never found), and a full
    cache forgets its oldest entries (cache.py). Wrong types remain errors, since they are bugs
    that fail on every run; so does a store that cannot be reached."""

    __slots__ = ()

    def get(self, key: str) -> str | None:
        run = self._run
        name = self._key(key, "api.cache.get")
        if _key_problem(name):
            return None
        return self._call(lambda: run.cache.get(run.tenant_id, run.action, name, run.now))

    def set(self, key: str, value: str, ttl_seconds: int = CACHE_DEFAULT_TTL) -> CacheResult:
        run = self._run
        name = self._key(key, "api.cache.set")
        if not isinstance(value, str):
            run.fail(
                f"TypeError: api.cache.set: value must be a string, not {type(value).__name__}"
            )
        if type(ttl_seconds) is not int:
            run.fail("TypeError: api.cache.set: ttl_seconds must be an int")
        value = str(value)  # the plain string: a subclass's encode() could lie about its size
        problem = _key_problem(name)
        if problem:
            return _cache_error(problem)
        if len(value.encode("utf-8", "surrogatepass")) > CACHE_MAX_VALUE_BYTES:
            return _cache_error("value_too_long")
        if not 1 <= ttl_seconds <= CACHE_MAX_TTL:
            return _cache_error("ttl_out_of_range")
        cache, tenant, action, now = run.cache, run.tenant_id, run.action, run.now
        self._call(lambda: cache.set(tenant, action, name, value, ttl_seconds, now))
        return {"type": "success"}

    def delete(self, key: str) -> CacheResult:
        run = self._run
        name = self._key(key, "api.cache.delete")
        problem = _key_problem(name)
        if problem:
            return _cache_error(problem)
        self._call(lambda: run.cache.delete(run.tenant_id, run.action, name))
        return {"type": "success"}

    def _key(self, key: Any, where: str) -> str:
        if not isinstance(key, str):
            self._run.fail(f"TypeError: {where}: key must be a string, not {type(key).__name__}")
        return str(key)  # the plain string: a subclass's encode() could lie about its size

    def _call(self, operation: Callable[[], Any]) -> Any:
        try:
            return operation()
        except Exception:
            self._run.fail("CacheError: the Action cache is unavailable")


def _key_problem(key: str) -> str | None:
    """Why ``key`` can never be stored, as a result code; None when it can."""
    if not key:
        return "key_empty"
    if len(key.encode("utf-8", "surrogatepass")) > CACHE_MAX_KEY_BYTES:
        return "key_too_long"
    return None


class Api:
    """The ``api`` argument of ``on_execute_post_login``."""

    __slots__ = ("_run",)

    def __init__(
        self,
        rec: Recorder,
        meter: Meter,
        cache: ActionCache,
        tenant_id: str,
        action: str,
        now: datetime,
    ) -> None:
        self._run = ApiRun(rec, meter, cache, tenant_id, action, now)

    @property
    def access(self) -> AccessApi:
        return AccessApi(self._run)

    @property
    def multifactor(self) -> MultifactorApi:
        return MultifactorApi(self._run)

    @property
    def authentication(self) -> AuthenticationApi:
        return AuthenticationApi(self._run)

    @property
    def user(self) -> UserApi:
        return UserApi(self._run)

    @property
    def id_token(self) -> IdTokenApi:
        return IdTokenApi(self._run)

    @property
    def access_token(self) -> AccessTokenApi:
        return AccessTokenApi(self._run)

    @property
    def transaction(self) -> TransactionApi:
        return TransactionApi(self._run)

    @property
    def cache(self) -> CacheApi:
        return CacheApi(self._run)

    def __repr__(self) -> str:
        return "<api>"

"""``/v1/mfa/*``: the user's side of the MFA steps, authorised by the ``mfa_token``.

``authenticators`` lists what can meet the current challenge step; ``enroll`` and
``enroll/confirm`` walk an enroll step; ``challenge`` and ``verify`` a challenge step. The factor
module does the checking (:mod:`contextmfa.factors`); this module checks that the factor fits the
current step, holds the step for the whole call and checks enrollments against the store
(:mod:`service.steps`, where the invariants are written down), binds ``oob_code``s to the token,
counts results in the metrics and turns a passed step into the next token or the assertion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors import (
    Answer,
    DuoFactor,
    EnrollRequest,
    FactorError,
    InvalidRequest,
    PushFactor,
)
from contextmfa.service.auth import MfaCall, MfaSession
from contextmfa.service.routes import errors
from contextmfa.service.schemas import (
    AuthenticatorOut,
    ChallengeBody,
    ChallengeOut,
    ConfirmBody,
    EnrollBody,
    EnrollStarted,
    StepResult,
    VerifyBody,
)
from contextmfa.service.steps import (
    bind_oob,
    check_may_enroll,
    check_oob,
    check_step,
    complete_step,
    enrollment_lock,
    holding_step,
)
from contextmfa.service.views import authenticator_out, result_out
from contextmfa.store.ports import Authenticator

__all__ = ["router"]

router = APIRouter(prefix="/v1/mfa", tags=["mfa"])

T = TypeVar("T")
_STEP_ERRORS = errors(400, 401, 403, 429, 503)


def _counted(session: MfaSession, kind: str, factor: str, call: Callable[[], T]) -> T:
    """Run a factor step, counting its result (``ok`` or the error code) in the metrics."""
    metrics = session.state.metrics
    try:
        result = call()
    except (FactorError, DeliveryError) as exc:
        metrics.factor_result(kind, factor, exc.code)
        raise
    metrics.factor_result(kind, factor, "ok")
    return result


def _answer(body: ConfirmBody | VerifyBody) -> Answer:
    return Answer(
        oob_code=body.oob_code,
        otp=body.otp,
        binding_code=body.binding_code,
        recovery_code=getattr(body, "recovery_code", None),
        credential=body.credential,
        authenticator_id=body.authenticator_id,
    )


@router.get(
    "/authenticators",
    summary="The user's authenticators for the current step",
    response_model=list[AuthenticatorOut],
    responses=errors(401, 503),
)
def list_authenticators(session: MfaCall) -> list[dict[str, Any]]:
    """Empty during an enroll step: there is nothing to challenge yet."""
    txn = session.txn
    if txn.step.kind != "challenge":
        return []
    offered = set(txn.step.factors)
    found = session.tenant.store.authenticators.for_user(session.tenant.id, txn.user_id)
    return [authenticator_out(a, masked=True) for a in found if a.type in offered]


@router.post(
    "/enroll",
    summary="Start enrolling a factor",
    response_model=None,
    responses={200: {"model": EnrollStarted | StepResult}, **_STEP_ERRORS},
)
def enroll(body: EnrollBody, session: MfaCall) -> dict[str, Any]:
    """otp: secret, otpauth_uri, qr_svg; sms, voice, email: a code is sent (oob_code); push: an
    enrollment ticket; WebAuthn: registration options; Duo: the Universal Prompt's URL (Duo
    enrolls its users there). A user who already has an authenticator is refused
    (`access_denied`) unless this login passed a step first."""
    check_step(session.txn, "enroll", body.factor)
    factor = session.tenant.factors.factor(body.factor)
    subject = session.txn.subject
    with holding_step(session, passes=False):
        check_may_enroll(session)
        if isinstance(factor, DuoFactor):
            return _duo_enrollment(session, factor)
        request = EnrollRequest(phone_number=body.phone_number, email=body.email, name=body.name)
        result = _counted(
            session,
            "challenge",
            body.factor,
            lambda: factor.enroll(subject, request, now=session.now),
        )
        bind_oob(session, result.oob_code)
    return result_out(result, status="pending")


def _duo_enrollment(session: MfaSession, factor: DuoFactor) -> dict[str, Any]:
    """Duo enrolls its users in its own Universal Prompt: enrolling is going there (a Duo
    challenge), confirming is Duo's answer (``oob_code`` = state, ``binding_code`` = duo_code)."""
    subject, now = session.txn.subject, session.now
    issued = _counted(session, "challenge", "duo", lambda: factor.challenge(subject, now=now))
    bind_oob(session, issued.oob_code)
    out = result_out(issued, status="pending")
    out.pop("challenge_type", None)
    return out


@router.post(
    "/enroll/confirm",
    summary="Finish enrolling a factor",
    response_model=StepResult,
    response_model_exclude_none=True,
    responses=_STEP_ERRORS,
)
def confirm(body: ConfirmBody, session: MfaCall) -> dict[str, Any]:
    """The first enrollment of a user also returns its `recovery_code`, shown once."""
    check_step(session.txn, "enroll", body.factor)
    factor = session.tenant.factors.factor(body.factor)
    subject, answer = session.txn.subject, _answer(body)
    if isinstance(factor, DuoFactor):

        def step() -> Any:
            factor.verify(subject, answer, now=session.now)
            return factor.record_enrollment(subject, now=session.now)
    else:

        def step() -> Any:
            return factor.confirm_enrollment(subject, answer, now=session.now)

    with holding_step(session, passes=True), enrollment_lock(session):
        check_oob(session, body.oob_code)
        check_may_enroll(session)
        result = _counted(session, "verify", body.factor, step)
        return complete_step(
            session,
            result.factor,
            remember_requested=body.remember_browser,
            recovery_code=result.recovery_code,
            authenticator_id=result.authenticator_id,
        )


def _chosen(session: MfaSession, body: ChallengeBody) -> tuple[str, Authenticator | None]:
    if body.authenticator_id is None:
        if body.factor is None:
            raise InvalidRequest("factor or authenticator_id is required")
        return body.factor, None
    found = session.tenant.store.authenticators.get(session.tenant.id, body.authenticator_id)
    if found is None or found.user_id != session.txn.user_id or not found.confirmed:
        raise InvalidRequest("unknown authenticator_id")
    if body.factor is not None and body.factor != found.type:
        raise InvalidRequest(f"authenticator_id is not a {body.factor} authenticator")
    return found.type, found


@router.post(
    "/challenge",
    summary="Challenge the user with a factor",
    response_model=ChallengeOut,
    response_model_exclude_none=True,
    responses=_STEP_ERRORS,
)
def challenge(body: ChallengeBody, session: MfaCall) -> dict[str, Any]:
    """sms, voice, email: a code is sent; push: a transaction (`oob_code`) and the number to show
    (`binding_code`); WebAuthn: request options; Duo: the redirect URL; otp: type a code."""
    name, authenticator = _chosen(session, body)
    check_step(session.txn, "challenge", name)
    factor = session.tenant.factors.factor(name)
    subject, now = session.txn.subject, session.now
    if isinstance(factor, PushFactor):
        context = session.txn.context

        def call() -> Any:
            return factor.challenge(subject, authenticator, now=now, context=context)
    else:

        def call() -> Any:
            return factor.challenge(subject, authenticator, now=now)

    with holding_step(session, passes=False):
        issued = _counted(session, "challenge", name, call)
        bind_oob(session, issued.oob_code)
    return result_out(issued)


@router.post(
    "/verify",
    summary="Answer the current challenge",
    response_model=StepResult,
    response_model_exclude_none=True,
    responses=_STEP_ERRORS,
)
def verify(body: VerifyBody, session: MfaCall) -> dict[str, Any]:
    """otp: `otp`; sms, voice, email: `oob_code` and `binding_code` (the code received); push:
    `oob_code` (poll: `authorization_pending`, `slow_down`); recovery-code: `recovery_code`
    (answers a fresh one); WebAuthn: `oob_code` and `credential`; Duo: `oob_code` (state) and
    `binding_code` (duo_code)."""
    check_step(session.txn, "challenge", body.factor)
    factor = session.tenant.factors.factor(body.factor)
    subject, answer = session.txn.subject, _answer(body)
    with holding_step(session, passes=True):
        check_oob(session, body.oob_code)
        result = _counted(
            session,
            "verify",
            body.factor,
            lambda: factor.verify(subject, answer, now=session.now),
        )
        return complete_step(
            session,
            result.factor,
            remember_requested=body.remember_browser,
            recovery_code=result.recovery_code,
        )

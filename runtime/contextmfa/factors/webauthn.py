"""``webauthn-roaming`` and ``webauthn-platform``: security keys and platform passkeys.

Both run py_webauthn's ceremonies with the RP ID and origins from the config; they differ only in
the authenticator attachment asked for (``cross-platform`` / ``platform``) and the resident-key
preference. Registration stores the credential id, COSE public key, sign count and transports;
authentication checks the signature over a fresh single-use challenge and refuses a sign count
that did not increase (when either side is non-zero: a cloned authenticator), then moves the
stored count with the store's compare-and-set so two concurrent assertions cannot both pass.

Failed assertions count in a bucket of 15 per minute per user; over it nothing is checked.
py_webauthn's refusal reasons (origin, RP ID, challenge, counter) are passed on: they describe the
ceremony, never a key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorAttachment,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from contextmfa.factors.base import Factor
from contextmfa.factors.context import Answer, EnrollRequest, Subject
from contextmfa.factors.errors import InvalidGrant, InvalidRequest
from contextmfa.factors.push_protocol import unb64url
from contextmfa.factors.results import ChallengeIssued, Enrolled, EnrollmentStarted, Verified
from contextmfa.factors.settings import CODE_TTL
from contextmfa.store.limits import WEBAUTHN_FAILURES
from contextmfa.store.ports import Authenticator, Challenge

__all__ = ["PlatformWebAuthnFactor", "RoamingWebAuthnFactor", "WebAuthnFactor"]

WEBAUTHN_TYPES = ("webauthn-roaming", "webauthn-platform")
CEREMONY_TRIES = 3


class WebAuthnFactor(Factor):
    """The shared ceremonies; subclasses set the attachment and resident-key preference."""

    ATTACHMENT: ClassVar[AuthenticatorAttachment]
    RESIDENT_KEY: ClassVar[ResidentKeyRequirement]

    def enroll(
        self, subject: Subject, request: EnrollRequest, *, now: datetime
    ) -> EnrollmentStarted:
        cfg = self.services.settings.webauthn
        challenge_bytes = self.services.entropy.token_bytes(32)
        options = webauthn.generate_registration_options(
            rp_id=cfg.rp_id,
            rp_name=cfg.rp_name,
            user_id=_user_handle(subject),
            user_name=subject.label,
            user_display_name=subject.name or subject.label,
            challenge=challenge_bytes,
            timeout=cfg.timeout_ms,
            authenticator_selection=AuthenticatorSelectionCriteria(
                authenticator_attachment=self.ATTACHMENT,
                resident_key=self.RESIDENT_KEY,
                user_verification=self._user_verification(),
            ),
            exclude_credentials=[_descriptor(a) for a in self._all_credentials(subject)],
        )
        record = self._ceremony(subject, "enroll", challenge_bytes, request.name, now=now)
        return EnrollmentStarted(
            self.TYPE,
            oob_code=record.id,
            expires_at=record.expires_at,
            options=json.loads(webauthn.options_to_json(options)),
        )

    def confirm_enrollment(self, subject: Subject, answer: Answer, *, now: datetime) -> Enrolled:
        record = self.load_challenge(subject, answer.oob_code, "enroll", now=now)
        self.take_attempt(record, now=now)
        cfg = self.services.settings.webauthn
        try:
            verified = webauthn.verify_registration_response(
                credential=_credential(answer.credential),
                expected_challenge=unb64url(str(record.data["challenge"])),
                expected_rp_id=cfg.rp_id,
                expected_origin=list(cfg.origins),
                require_user_verification=cfg.require_user_verification,
            )
        except WebAuthnException as exc:
            raise InvalidGrant(f"registration refused: {exc}") from None
        except (ValueError, TypeError, KeyError):
            raise InvalidGrant("registration refused: the credential is malformed") from None
        credential_id = bytes_to_base64url(verified.credential_id)
        known = self._all_credentials(subject)
        if any(a.public.get("credential_id") == credential_id for a in known):
            raise InvalidRequest("this authenticator is already registered")
        self.spend(record, now=now)
        created = self.services.authenticators.add(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            name=str(record.data.get("name") or _default_name(self.TYPE)),
            public={
                "credential_id": credential_id,
                "public_key": bytes_to_base64url(verified.credential_public_key),
                "transports": _transports(answer.credential),
                "aaguid": verified.aaguid,
                "fmt": str(getattr(verified.fmt, "value", verified.fmt)),
                "backed_up": verified.credential_backed_up,
            },
            secret=None,
            confirmed=False,
            now=now,
        )
        if verified.sign_count and not self.services.authenticators.compare_and_set_sign_count(
            subject.tenant_id, created.id, 0, verified.sign_count
        ):
            raise InvalidGrant("the authenticator changed during registration")
        return self.finish_enrollment(subject, created.id, now=now)

    def challenge(
        self, subject: Subject, authenticator: Authenticator | None = None, *, now: datetime
    ) -> ChallengeIssued:
        if authenticator is not None:
            chosen = [self.pick(subject, authenticator)]
        else:
            chosen = self.enrolled(subject) or [self.pick(subject, None)]
        cfg = self.services.settings.webauthn
        challenge_bytes = self.services.entropy.token_bytes(32)
        options = webauthn.generate_authentication_options(
            rp_id=cfg.rp_id,
            challenge=challenge_bytes,
            timeout=cfg.timeout_ms,
            allow_credentials=[_descriptor(a) for a in chosen],
            user_verification=self._user_verification(),
        )
        record = self._ceremony(subject, "verify", challenge_bytes, None, now=now)
        return ChallengeIssued(
            self.TYPE,
            "webauthn",
            authenticator_id=chosen[0].id if len(chosen) == 1 else None,
            oob_code=record.id,
            expires_at=record.expires_at,
            options=json.loads(webauthn.options_to_json(options)),
        )

    def verify(self, subject: Subject, answer: Answer, *, now: datetime) -> Verified:
        self.count_attempt(subject, WEBAUTHN_FAILURES, now=now)
        record = self.load_challenge(subject, answer.oob_code, "verify", now=now)
        self.take_attempt(record, now=now)
        credential = _credential(answer.credential)
        stored = self._find(subject, credential)
        if stored is None:
            raise self.fail(subject, "unknown credential", now=now)
        cfg = self.services.settings.webauthn
        try:
            verified = webauthn.verify_authentication_response(
                credential=credential,
                expected_challenge=unb64url(str(record.data["challenge"])),
                expected_rp_id=cfg.rp_id,
                expected_origin=list(cfg.origins),
                credential_public_key=unb64url(str(stored.public["public_key"])),
                credential_current_sign_count=stored.sign_count,
                require_user_verification=cfg.require_user_verification,
            )
        except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
            reason = str(exc) if isinstance(exc, WebAuthnException) else "malformed credential"
            raise self.fail(
                subject,
                f"authentication refused: {reason}",
                now=now,
                authenticator_id=stored.id,
            ) from None
        self.spend(record, now=now)
        if (verified.new_sign_count or stored.sign_count) and not (
            self.services.authenticators.compare_and_set_sign_count(
                subject.tenant_id, stored.id, stored.sign_count, verified.new_sign_count
            )
        ):
            raise self.fail(subject, "sign count changed concurrently", now=now)
        self.attempt_succeeded(subject, WEBAUTHN_FAILURES, now=now)
        self.services.authenticators.touch(subject.tenant_id, stored.id, now=now)
        self.audit(subject, "factor.verified", now, authenticator_id=stored.id)
        return Verified(self.TYPE, stored.id, user_verified=verified.user_verified)

    # Helpers -------------------------------------------------------------------------------

    def _user_verification(self) -> UserVerificationRequirement:
        if self.services.settings.webauthn.require_user_verification:
            return UserVerificationRequirement.REQUIRED
        return UserVerificationRequirement.PREFERRED

    def _ceremony(
        self, subject: Subject, purpose: str, challenge: bytes, name: str | None, *, now: datetime
    ) -> Challenge:
        return self.services.challenges.create(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            authenticator_id=None,
            data={"purpose": purpose, "challenge": bytes_to_base64url(challenge), "name": name},
            code_hash=None,
            now=now,
            expires_at=now + CODE_TTL,
            max_attempts=CEREMONY_TRIES,
        )

    def _all_credentials(self, subject: Subject) -> list[Authenticator]:
        """Both WebAuthn factors' credentials: one authenticator is registered once."""
        rows = self.services.authenticators.for_user(subject.tenant_id, subject.user_id)
        return [a for a in rows if a.type in WEBAUTHN_TYPES]

    def _find(self, subject: Subject, credential: Mapping[str, Any]) -> Authenticator | None:
        raw = credential.get("rawId") or credential.get("id")
        for authenticator in self.enrolled(subject):
            if authenticator.public.get("credential_id") == raw:
                return authenticator
        return None


class RoamingWebAuthnFactor(WebAuthnFactor):
    TYPE = "webauthn-roaming"
    ATTACHMENT = AuthenticatorAttachment.CROSS_PLATFORM
    RESIDENT_KEY = ResidentKeyRequirement.DISCOURAGED


class PlatformWebAuthnFactor(WebAuthnFactor):
    TYPE = "webauthn-platform"
    ATTACHMENT = AuthenticatorAttachment.PLATFORM
    RESIDENT_KEY = ResidentKeyRequirement.PREFERRED


def _user_handle(subject: Subject) -> bytes:
    """A stable, opaque user handle: no email or user id leaks to the authenticator."""
    return hashlib.sha256(f"{subject.tenant_id}\x00{subject.user_id}".encode()).digest()


def _credential(value: Mapping[str, Any] | None) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidRequest("credential is required (the PublicKeyCredential as JSON)")
    return dict(value)


def _descriptor(authenticator: Authenticator) -> PublicKeyCredentialDescriptor:
    transports = []
    for name in authenticator.public.get("transports") or ():
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(
        id=unb64url(str(authenticator.public["credential_id"])), transports=transports or None
    )


def _transports(credential: Mapping[str, Any] | None) -> list[str]:
    response = (credential or {}).get("response")
    found = response.get("transports") if isinstance(response, Mapping) else None
    known = {t.value for t in AuthenticatorTransport}
    return [t for t in found if t in known] if isinstance(found, list) else []


def _default_name(factor: str) -> str:
    return "Security key" if factor == "webauthn-roaming" else "Passkey"

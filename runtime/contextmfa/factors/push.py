"""``push-notification``: approve a sign-in on an enrolled device, with number matching.

Enrollment: ``enroll`` issues a ticket (5 minutes, shown as a QR code); the device makes an EC
P-256 key pair, and :meth:`PushFactor.register_device` takes its public key and push target with
a signature over both and the ticket; the login side polls ``confirm_enrollment`` meanwhile.

Sign-in: ``challenge`` creates a transaction with a random 2-digit number, which the login screen
shows (``binding_code``), and pushes the transaction id and a nonce - not the number - to the
device. The device answers with :meth:`PushFactor.respond`: the number the user picked, approve
or deny, the nonce, all signed (:mod:`push_protocol`). The login side polls ``verify``:
``authorization_pending`` until answered, ``slow_down`` if polled within 5 s of the last poll,
then the approval, ``access_denied`` (denied, or a wrong number) or ``expired_token``.

What cannot pass: an unsigned or wrongly signed answer (a stolen push target), an answer to
another transaction or tenant, a replayed answer (the nonce is claimed once and the transaction
leaves ``pending`` once), a wrong number (it rejects the transaction).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from contextmfa.delivery.base import PushMessage
from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors import push_protocol as protocol
from contextmfa.factors.base import Factor
from contextmfa.factors.context import Answer, EnrollRequest, Subject
from contextmfa.factors.errors import (
    AccessDenied,
    AuthorizationPending,
    ExpiredToken,
    InvalidGrant,
    InvalidRequest,
    SlowDown,
)
from contextmfa.factors.messages import push_title
from contextmfa.factors.qr import qr_svg
from contextmfa.factors.results import (
    ChallengeIssued,
    DeviceRegistered,
    Enrolled,
    EnrollmentStarted,
    PushAnswered,
    Verified,
)
from contextmfa.factors.settings import CODE_TTL, POLL_INTERVAL_SECONDS
from contextmfa.store.clock import posix
from contextmfa.store.limits import PUSH_SENDS
from contextmfa.store.ports import Authenticator, Challenge

__all__ = ["PushFactor"]

_MAX_FIELD = 4096


class PushFactor(Factor):
    TYPE = "push-notification"

    # Enrollment ----------------------------------------------------------------------------

    def enroll(
        self, subject: Subject, request: EnrollRequest, *, now: datetime
    ) -> EnrollmentStarted:
        ticket = self.services.challenges.create(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            authenticator_id=None,
            data={"purpose": "enroll", "name": request.name or "Phone"},
            code_hash=None,
            now=now,
            expires_at=now + CODE_TTL,
            max_attempts=1,
        )
        query = urlencode(
            {"tenant": subject.tenant_id, "ticket": ticket.id, "url": self._service_url()}
        )
        uri = f"contextmfa://push/enroll?{query}"
        return EnrollmentStarted(
            self.TYPE,
            oob_code=ticket.id,
            expires_at=ticket.expires_at,
            ticket_uri=uri,
            qr_svg=qr_svg(uri),
        )

    def register_device(
        self,
        tenant_id: str,
        ticket: str,
        *,
        public_key: str,
        push_target: str,
        signature: str,
        now: datetime,
    ) -> DeviceRegistered:
        """The device's half of enrollment: its key and push target, signed with that key."""
        for name, value in (("public_key", public_key), ("push_target", push_target)):
            if not isinstance(value, str) or not value or len(value) > _MAX_FIELD:
                raise InvalidRequest(f"{name} is required")
        found = self.services.challenges.get(tenant_id, ticket) if ticket else None
        if found is None or found.factor != self.TYPE or found.data.get("purpose") != "enroll":
            raise InvalidGrant("unknown enrollment ticket")
        if found.expired(now):
            raise ExpiredToken("the enrollment ticket has expired")
        if found.finished or found.state != "pending":
            raise InvalidGrant("the enrollment ticket was already used")
        key = protocol.load_public_key(public_key)
        message = protocol.enrollment_message(tenant_id, ticket, public_key, push_target)
        if not protocol.verify_signature(key, message, signature):
            raise InvalidGrant("the enrollment signature does not verify")
        created = self.services.authenticators.add(
            tenant_id,
            found.user_id,
            self.TYPE,
            name=str(found.data.get("name", "Phone")),
            public={"public_key": protocol.public_key_text(key), "push_target": push_target},
            secret=None,
            confirmed=False,
            now=now,
        )
        data = {**found.data, "authenticator_id": created.id}
        if not self.services.challenges.set_state(
            tenant_id, ticket, "registered", data=data, expected="pending"
        ):
            self.services.authenticators.remove(tenant_id, created.id)
            raise InvalidGrant("the enrollment ticket was already used")
        return DeviceRegistered(created.id)

    def confirm_enrollment(self, subject: Subject, answer: Answer, *, now: datetime) -> Enrolled:
        ticket = self._poll(self.load_challenge(subject, answer.oob_code, "enroll", now=now), now)
        if ticket.state != "registered":
            raise AuthorizationPending("the device has not scanned the enrollment code yet")
        self.spend(ticket, now=now)
        return self.finish_enrollment(subject, str(ticket.data["authenticator_id"]), now=now)

    # Sign-in -------------------------------------------------------------------------------

    def challenge(
        self,
        subject: Subject,
        authenticator: Authenticator | None = None,
        *,
        now: datetime,
        context: Mapping[str, Any] | None = None,
    ) -> ChallengeIssued:
        """``context`` (app name, IP, place) is shown on the device; it must hold no secret."""
        chosen = self.pick(subject, authenticator)
        self.take_limit(subject, PUSH_SENDS, now=now)
        entropy = self.services.entropy
        number = str(10 + entropy.randbelow(90))
        nonce = protocol.b64url(entropy.token_bytes(16))
        transaction = self.services.challenges.create(
            subject.tenant_id,
            subject.user_id,
            self.TYPE,
            authenticator_id=chosen.id,
            data={"purpose": "verify", "number": number, "nonce": nonce},
            code_hash=None,
            now=now,
            expires_at=now + CODE_TTL,
            max_attempts=1,
        )
        payload = {
            "type": protocol.VERSION,
            "tenant": subject.tenant_id,
            "transaction": transaction.id,
            "nonce": nonce,
            "expires_at": transaction.expires_at.isoformat(),
            "service_url": self._service_url(),
            "context": dict(context or {}),
        }
        message = PushMessage(
            subject.tenant_id,
            str(chosen.public["push_target"]),
            push_title(self.services.settings.issuer),
            payload,
        )
        try:
            self.services.delivery.send_push(message, now=now)
        except DeliveryError:
            self.services.challenges.finish(subject.tenant_id, transaction.id, now=now)
            raise
        self.audit(subject, "factor.push_sent", now, authenticator_id=chosen.id)
        return ChallengeIssued(
            self.TYPE,
            "oob",
            authenticator_id=chosen.id,
            oob_code=transaction.id,
            expires_at=transaction.expires_at,
            binding_code=number,
        )

    def respond(
        self,
        tenant_id: str,
        transaction_id: str,
        *,
        decision: str,
        number: str,
        nonce: str,
        signature: str,
        now: datetime,
    ) -> PushAnswered:
        """The device's signed answer. A wrong number rejects the sign-in and raises."""
        if decision not in ("approve", "deny"):
            raise InvalidRequest("decision must be approve or deny")
        if not all(isinstance(v, str) and len(v) < _MAX_FIELD for v in (number, nonce, signature)):
            raise InvalidRequest("number, nonce and signature are required")
        transaction = self._transaction(tenant_id, transaction_id, now)
        device = self.services.authenticators.get(tenant_id, transaction.authenticator_id or "")
        if device is None or not device.confirmed:
            raise InvalidGrant("the device is no longer enrolled")
        key = protocol.load_public_key(str(device.public["public_key"]))
        message = protocol.answer_message(tenant_id, transaction_id, number, decision, nonce)
        if not protocol.verify_signature(key, message, signature):
            raise InvalidGrant("the answer signature does not verify")
        if not hmac.compare_digest(str(transaction.data["nonce"]).encode(), nonce.encode()):
            raise InvalidGrant("the answer is for another push")
        spent = hashlib.sha256(nonce.encode()).hexdigest()
        if not self.services.single_use.claim(
            tenant_id, "push-nonce", spent, now=now, expires_at=transaction.expires_at
        ):
            raise InvalidGrant("this answer was already used")
        matches = hmac.compare_digest(str(transaction.data["number"]).encode(), number.encode())
        approved = decision == "approve" and matches
        state = "approved" if approved else "rejected"
        reason = "approved" if approved else ("denied" if decision == "deny" else "wrong_number")
        data = {**transaction.data, "answer": reason}
        if not self.services.challenges.set_state(
            tenant_id, transaction_id, state, data=data, expected="pending"
        ):
            raise InvalidGrant("this push was already answered")
        if reason == "wrong_number":
            raise InvalidGrant("the number does not match the sign-in screen; sign-in rejected")
        return PushAnswered(transaction_id, state)

    def verify(self, subject: Subject, answer: Answer, *, now: datetime) -> Verified:
        transaction = self._poll(
            self.load_challenge(subject, answer.oob_code, "verify", now=now), now
        )
        if transaction.state == "rejected":
            raise AccessDenied("the sign-in was rejected on the device")
        if transaction.state != "approved":
            raise AuthorizationPending("waiting for the device to answer")
        self.spend(transaction, now=now)
        device_id = transaction.authenticator_id or ""
        device = self.services.authenticators.get(subject.tenant_id, device_id)
        if device is None or not device.confirmed:
            raise InvalidGrant("the device is no longer enrolled")
        self.services.authenticators.touch(subject.tenant_id, device_id, now=now)
        self.audit(subject, "factor.verified", now, authenticator_id=device_id)
        return Verified(self.TYPE, device_id)

    # Helpers -------------------------------------------------------------------------------

    def _transaction(self, tenant_id: str, transaction_id: str, now: datetime) -> Challenge:
        found = self.services.challenges.get(tenant_id, transaction_id) if transaction_id else None
        if found is None or found.factor != self.TYPE or found.data.get("purpose") != "verify":
            raise InvalidGrant("unknown push transaction")
        if found.expired(now):
            raise ExpiredToken("this push has expired")
        if found.finished or found.state != "pending":
            raise InvalidGrant("this push was already answered")
        return found

    def _poll(self, challenge: Challenge, now: datetime) -> Challenge:
        """Record this poll; ``slow_down`` if the previous one was under 5 s ago and unanswered."""
        last = challenge.data.get("last_poll")
        data = {**challenge.data, "last_poll": posix(now)}
        store = self.services.challenges
        if not store.set_state(
            challenge.tenant_id, challenge.id, challenge.state, data=data, expected=challenge.state
        ):
            fresh = store.get(challenge.tenant_id, challenge.id)
            if fresh is None or fresh.finished:
                raise InvalidGrant(f"this {self.TYPE} challenge was already used")
            return fresh
        pending = challenge.state == "pending"
        if pending and last is not None and posix(now) - float(last) < POLL_INTERVAL_SECONDS:
            raise SlowDown(
                f"poll at most once every {POLL_INTERVAL_SECONDS} seconds", POLL_INTERVAL_SECONDS
            )
        return challenge

    def _service_url(self) -> str:
        return self.services.settings.service_url.rstrip("/")

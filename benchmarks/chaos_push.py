"""Push journeys for the chaos run: a software phone that signs like the app, across workers.

A push user enrolls a device as their first factor (ticket on one worker, the device registers
on the other, the confirmation on the first), then signs in by approving each push with the
number shown. After a pass the driver replays the approval (same transaction and nonce) and the
transaction's ``oob_code`` with a fresh login, each on the other worker: both must be refused.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import ec

from contextmfa.factors import push_protocol as protocol
from contextmfa.service.routes.push import pending_message

if TYPE_CHECKING:
    from chaos_journeys import Journeys, User

__all__ = ["Phone", "PushJourneys"]

FACTOR = "push-notification"


class Phone:
    """A push authenticator app: its own P-256 key and push target."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.public_key = protocol.public_key_text(self.key.public_key())
        self.push_target = f"fcm:{secrets.token_hex(8)}"
        self.device_id = ""

    def registration(self, ticket: str) -> dict[str, str]:
        message = protocol.enrollment_message(
            self.tenant, ticket, self.public_key, self.push_target
        )
        return {
            "tenant": self.tenant,
            "ticket": ticket,
            "public_key": self.public_key,
            "push_target": self.push_target,
            "signature": protocol.sign(self.key, message),
        }

    def pending_query(self) -> dict[str, Any]:
        stamp = int(time.time())
        message = pending_message(self.tenant, self.device_id, stamp)
        return {
            "tenant": self.tenant,
            "device_id": self.device_id,
            "timestamp": stamp,
            "signature": protocol.sign(self.key, message),
        }

    def approval(self, transaction: str, nonce: str, number: str) -> dict[str, str]:
        message = protocol.answer_message(self.tenant, transaction, number, "approve", nonce)
        return {
            "tenant": self.tenant,
            "decision": "approve",
            "number": number,
            "nonce": nonce,
            "signature": protocol.sign(self.key, message),
        }


class PushJourneys:
    def __init__(self, journeys: Journeys) -> None:
        self.journeys = journeys

    def _post(self, slot: int, path: str, body: dict[str, Any]) -> Any:
        """A device call (signed, no bearer): the answer, or None when no worker answered."""
        return self.journeys.send(slot, path, body, "").response

    def _failed(self, step: str, response: Any) -> bool:
        """A push journey that stopped at ``step``: counted by step and status."""
        status = response.status_code if response is not None else "no answer"
        self.journeys.tally.count(f"push_{step}_{status}")
        if response is not None and status != 503:
            self.journeys.tally.note(f"push {step} refused: {status} {response.text[:160]}")
        return False

    def enroll(self, user: User, slot: int) -> bool:
        journeys = self.journeys
        decision, slot = journeys.login(slot, user)
        if decision is None:
            return False
        token = decision["mfa_token"]
        started = journeys.send(1 - slot, "/v1/mfa/enroll", {"factor": FACTOR}, token).response
        if started is None or started.status_code != 200:
            return self._failed("enroll", started)
        ticket = started.json()["oob_code"]
        phone = Phone(journeys.tenant)
        registered = self._post(slot, "/v1/push/devices", phone.registration(ticket))
        if registered is None or registered.status_code != 200:
            return self._failed("register", registered)
        phone.device_id = registered.json()["authenticator_id"]
        body = {"factor": FACTOR, "oob_code": ticket}
        done = journeys.finish_step(1 - slot, "/v1/mfa/enroll/confirm", body, token, user)
        if done is None or done.status_code != 200:
            return self._failed("confirm", done)
        answer = done.json()
        user.phone, user.authenticator_id = phone, phone.device_id
        user.recovery_code = answer.get("recovery_code")
        journeys.record_confirmed(phone.device_id, user.user_id)
        journeys.tally.journey("push_enrollments_passed")
        return journeys.check_assertion(answer, decision["login_id"], 1 - slot)

    def challenge(self, user: User, slot: int, replay: bool) -> bool:
        journeys, phone = self.journeys, user.phone
        decision, slot = journeys.login(slot, user)
        if decision is None or phone is None:
            return False
        token = decision["mfa_token"]
        user.next_push_at = time.time() + 13
        sent = journeys.send(1 - slot, "/v1/mfa/challenge", {"factor": FACTOR}, token).response
        if sent is None or sent.status_code != 200:
            return self._failed("challenge", sent)
        oob, number = sent.json()["oob_code"], sent.json()["binding_code"]
        listed = self._post(slot, "/v1/push/pending", phone.pending_query())
        if listed is None or listed.status_code != 200:
            return self._failed("pending", listed)
        mine = [t for t in listed.json()["transactions"] if t["transaction"] == oob]
        if not mine:
            journeys.tally.note(f"push for {user.user_id} not in the device's pending list")
            return False
        approval = phone.approval(oob, mine[0]["nonce"], number)
        approved = self._post(1 - slot, f"/v1/push/transactions/{oob}", approval)
        if approved is None or approved.status_code != 200:
            return self._failed("approve", approved)
        body = {"factor": FACTOR, "oob_code": oob}
        done = journeys.finish_step(slot, "/v1/mfa/verify", body, token, user)
        if done is None or done.status_code != 200:
            return self._failed("verify", done)
        ok = journeys.check_assertion(done.json(), decision["login_id"], slot)
        journeys.tally.journey("push_challenges_passed")
        if replay:
            self._replay(user, slot, oob, approval, body)
        return ok

    def _replay(
        self, user: User, slot: int, oob: str, approval: dict[str, str], body: dict[str, Any]
    ) -> None:
        """The approval again, and the approved transaction with a fresh login: both refused."""
        journeys = self.journeys
        again = self._post(1 - slot, f"/v1/push/transactions/{oob}", approval)
        if again is not None and again.status_code != 503:
            journeys.tally.checked(
                "nothing_twice",
                again.status_code != 200,
                f"push approval of {user.user_id} accepted twice",
            )
        decision, slot = journeys.login(slot, user)
        if decision is None:
            return
        reused = journeys.send(1 - slot, "/v1/mfa/verify", body, decision["mfa_token"]).response
        if reused is not None and reused.status_code != 503:
            journeys.tally.checked(
                "nothing_twice",
                reused.status_code != 200,
                f"an approved push of {user.user_id} passed a second login",
            )

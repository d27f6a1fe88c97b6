"""Helpers for the factor tests: a settable clock, scripted randomness, outbox readers, and
software stand-ins for a push device and a WebAuthn authenticator that hold real keys and
produce real signatures (no mocks: the factors verify them with the real libraries).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from contextmfa.factors import (
    SystemEntropy,
)
from contextmfa.factors import push_protocol as protocol
from contextmfa.store import InMemoryStore
from contextmfa.store.ports import OutboxMessage

TENANT = "acme"
RP_ID = "acme.test"
ORIGIN = "https://acme.test"
START = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)


class Clock:
    """The injected ``now``: starts at a fixed instant, moves only when told."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class ScriptedEntropy(SystemEntropy):
    """Hands out queued bytes first (to replay a recorded WebAuthn challenge), then real ones."""

    def __init__(self) -> None:
        self.queued: deque[bytes] = deque()

    def token_bytes(self, n: int) -> bytes:
        return self.queued.popleft() if self.queued else super().token_bytes(n)


def outbox(store: InMemoryStore, channel: str) -> list[OutboxMessage]:
    """Messages kept for ``channel``, newest first."""
    return store.outbox.list(TENANT, channel=channel)


def code_in(body: str) -> str:
    """The 6-digit code of a message body."""
    found = re.search(r"\b(\d{6})\b", body)
    assert found, "no code in the message"
    return found.group(1)


def wrong(code: str) -> str:
    return str((int(code) + 1) % 10**6).zfill(6)


# A software push device --------------------------------------------------------------------


class PushDevice:
    """A phone app: its own P-256 key, a push token, and the signed-answer protocol."""

    def __init__(self, push_target: str = "fcm:device-token-1") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.push_target = push_target
        self.public_key = protocol.public_key_text(self.key.public_key())

    def enrollment(self, tenant: str, ticket: str) -> dict[str, str]:
        message = protocol.enrollment_message(tenant, ticket, self.public_key, self.push_target)
        return {
            "public_key": self.public_key,
            "push_target": self.push_target,
            "signature": protocol.sign(self.key, message),
        }

    def answer(
        self, push: Mapping[str, Any], number: str, decision: str = "approve"
    ) -> dict[str, str]:
        """The signed answer to a received push (its data payload)."""
        message = protocol.answer_message(
            push["tenant"],
            push["transaction"],
            number,
            decision,
            push["nonce"],  # type: ignore[arg-type]
        )
        return {
            "decision": decision,
            "number": number,
            "nonce": push["nonce"],
            "signature": protocol.sign(self.key, message),
        }


def received_push(store: InMemoryStore) -> dict[str, Any]:
    """The data of the newest push in the outbox, as the device receives it."""
    message = outbox(store, "push")[0]
    return json.loads(message.body)["data"]


# A software WebAuthn authenticator ---------------------------------------------------------

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64u(data: bytes) -> str:
    return protocol.b64url(data)


@dataclass
class SoftAuthenticator:
    """A FIDO2 authenticator in software: P-256 key, counter, packed or none attestation.

    ``platform=True`` behaves like a synced passkey: user verification, backup flags, and a
    counter that stays 0 (as Apple and Google passkeys report).
    """

    platform: bool = False
    fmt: str = "packed"
    transports: Iterable[str] = ("usb", "nfc")
    counter: int = 0
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: SystemEntropy().token_bytes(32))

    def _flags(self, extra: int = 0) -> int:
        return UP | UV | extra | ((BE | BS) if self.platform else 0)

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _count(self) -> int:
        if not self.platform:
            self.counter += 1
        return self.counter

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        document = {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        return json.dumps(document, separators=(",", ":")).encode()

    def _sign(self, data: bytes) -> bytes:
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def register(
        self, options: Mapping[str, Any], *, origin: str = ORIGIN, rp_id: str | None = None
    ) -> dict[str, Any]:
        """navigator.credentials.create(): the PublicKeyCredential as JSON."""
        rp = rp_id or options["rp"]["id"]
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attested = (
            bytes(16)
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_key()
        )
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([self._flags(AT)])
            + self._count().to_bytes(4, "big")
            + attested
        )
        statement: dict[str, Any] = {}
        if self.fmt == "packed":
            digest = hashlib.sha256(client_data).digest()
            statement = {"alg": -7, "sig": self._sign(auth_data + digest)}
        attestation = cbor2.dumps({"fmt": self.fmt, "attStmt": statement, "authData": auth_data})
        return {
            "id": b64u(self.credential_id),
            "rawId": b64u(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform" if self.platform else "cross-platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64u(client_data),
                "attestationObject": b64u(attestation),
                "transports": list(self.transports),
            },
        }

    def assertion(
        self,
        options: Mapping[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        challenge: str | None = None,
        counter: int | None = None,
    ) -> dict[str, Any]:
        """navigator.credentials.get(); the keyword arguments forge what a phisher would."""
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        count = self._count() if counter is None else counter
        auth_data = (
            hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
            + bytes([self._flags()])
            + count.to_bytes(4, "big")
        )
        signature = self._sign(auth_data + hashlib.sha256(client_data).digest())
        return {
            "id": b64u(self.credential_id),
            "rawId": b64u(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform" if self.platform else "cross-platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64u(client_data),
                "authenticatorData": b64u(auth_data),
                "signature": b64u(signature),
            },
        }

"""The signed-approval protocol between a push device and the service (pure functions).

A device holds an EC P-256 key pair made on the device; the service stores only the public key
(SubjectPublicKeyInfo DER, base64url without padding). Every statement the device makes is a
canonical JSON document signed with ECDSA P-256 / SHA-256 (DER signature, base64url)::

    enrollment: {"v": "contextmfa-push-1", "purpose": "enroll", "tenant": ..., "ticket": ...,
                 "public_key": ..., "push_target": ...}
    answer:     {"v": "contextmfa-push-1", "purpose": "answer", "tenant": ..., "transaction": ...,
                 "number": "42", "decision": "approve" | "deny", "nonce": ...}

Canonical JSON = keys sorted, no whitespace, ASCII only (``json.dumps(doc, sort_keys=True,
separators=(",", ":"))``), encoded UTF-8. The tenant and transaction id bind an answer to one
sign-in; the number proves the user read the login screen; the nonce (sent with the push) is
spent once. A stolen push target receives pushes but cannot produce a signature.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from contextmfa.factors.errors import InvalidRequest

__all__ = [
    "VERSION",
    "answer_message",
    "b64url",
    "enrollment_message",
    "load_public_key",
    "public_key_text",
    "sign",
    "unb64url",
    "verify_signature",
]

VERSION = "contextmfa-push-1"
Decision = Literal["approve", "deny"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64url(text: str) -> bytes:
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _canonical(document: dict[str, str]) -> bytes:
    return json.dumps(
        {"v": VERSION, **document}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    ).encode("utf-8")


def enrollment_message(tenant: str, ticket: str, public_key: str, push_target: str) -> bytes:
    return _canonical(
        {
            "purpose": "enroll",
            "tenant": tenant,
            "ticket": ticket,
            "public_key": public_key,
            "push_target": push_target,
        }
    )


def answer_message(
    tenant: str, transaction: str, number: str, decision: Decision, nonce: str
) -> bytes:
    return _canonical(
        {
            "purpose": "answer",
            "tenant": tenant,
            "transaction": transaction,
            "number": number,
            "decision": decision,
            "nonce": nonce,
        }
    )


def load_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """A device key from its base64url SPKI DER; InvalidRequest unless it is EC P-256."""
    try:
        key = serialization.load_der_public_key(unb64url(text))
    except (ValueError, TypeError, binascii.Error):
        raise InvalidRequest("public_key is not a base64url SubjectPublicKeyInfo") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise InvalidRequest("public_key must be an EC P-256 key")
    return key


def public_key_text(key: ec.EllipticCurvePublicKey) -> str:
    """The stored and transmitted form of a device key."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b64url(der)


def verify_signature(key: ec.EllipticCurvePublicKey, message: bytes, signature: str) -> bool:
    """True if ``signature`` (base64url DER ECDSA) signs ``message`` under ``key``."""
    try:
        key.verify(unb64url(signature), message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def sign(private_key: ec.EllipticCurvePrivateKey, message: bytes) -> str:
    """What a device does (and what tests' software device does)."""
    return b64url(private_key.sign(message, ec.ECDSA(hashes.SHA256())))

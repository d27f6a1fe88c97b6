"""``/v1/push/*``: the push device's side - register, list pending sign-ins, approve or deny.

No bearer key here: every request is signed with the device's P-256 key
(:mod:`contextmfa.factors.push_protocol`). Registration carries the enrollment ticket the login
side showed as a QR code; an answer carries the transaction id, the nonce it was pushed with and
the number the user picked. Listing pending sign-ins is signed over :func:`pending_message`, whose
timestamp must be within :data:`PENDING_WINDOW_SECONDS` of the server's clock; a device sees only
the transactions created for it (its user, its authenticator id), whatever push target it gave.

Pending sign-ins are read from the outbox: with ``[delivery] push = "outbox"`` (the default) the
outbox *is* the device's inbox. With a webhook provider each push reaches the device directly and
the list is refused as ``invalid_request``.

An unknown tenant is answered like an unknown ticket or device, so probing tenant ids learns
nothing.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Path

from contextmfa.factors import InvalidGrant, InvalidRequest, PushFactor
from contextmfa.factors import push_protocol as protocol
from contextmfa.service.auth import ServiceState, State
from contextmfa.service.routes import errors
from contextmfa.service.schemas import (
    DeviceRegistration,
    PendingOut,
    PendingQuery,
    PushAnswer,
    PushAnswered,
    RegisteredOut,
)
from contextmfa.service.tenants import Tenant
from contextmfa.service.views import iso
from contextmfa.store import Authenticator

__all__ = ["PENDING_WINDOW_SECONDS", "pending_message", "router"]

router = APIRouter(prefix="/v1/push", tags=["push devices"])

PENDING_WINDOW_SECONDS = 60
_TYPE = "push-notification"


def pending_message(tenant: str, device_id: str, timestamp: int) -> bytes:
    """What a device signs to list its pending sign-ins (canonical JSON, as push_protocol)."""
    document = {
        "v": protocol.VERSION,
        "purpose": "pending",
        "tenant": tenant,
        "device": device_id,
        "timestamp": str(timestamp),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _push(state: ServiceState, tenant_id: str, unknown: str) -> tuple[Tenant, PushFactor]:
    tenant = state.tenants.get(tenant_id)
    factor = tenant.factors.get(_TYPE) if tenant is not None else None
    if tenant is None or not isinstance(factor, PushFactor):
        raise InvalidGrant(unknown)
    return tenant, factor


@router.post(
    "/devices",
    summary="Register a device (scan of the enrollment ticket)",
    response_model=RegisteredOut,
    responses=errors(400, 403, 503),
)
def register_device(body: DeviceRegistration, state: State) -> dict[str, Any]:
    _, factor = _push(state, body.tenant, "unknown enrollment ticket")
    registered = factor.register_device(
        body.tenant,
        body.ticket,
        public_key=body.public_key,
        push_target=body.push_target,
        signature=body.signature,
        now=state.clock(),
    )
    return {"authenticator_id": registered.authenticator_id}


@router.post(
    "/pending",
    summary="The device's pending sign-ins",
    response_model=PendingOut,
    responses=errors(400, 403, 503),
)
def pending(body: PendingQuery, state: State) -> dict[str, Any]:
    tenant, _ = _push(state, body.tenant, "unknown device")
    now = state.clock()
    if abs(now.timestamp() - body.timestamp) > PENDING_WINDOW_SECONDS:
        raise InvalidRequest(f"timestamp must be within {PENDING_WINDOW_SECONDS} s of now")
    device = tenant.store.authenticators.get(tenant.id, body.device_id)
    if device is None or device.type != _TYPE or not device.confirmed:
        raise InvalidGrant("unknown device")
    key = protocol.load_public_key(str(device.public["public_key"]))
    message = pending_message(tenant.id, device.id, body.timestamp)
    if not protocol.verify_signature(key, message, body.signature):
        raise InvalidGrant("the request signature does not verify")
    if tenant.config.delivery.push != "outbox":
        raise InvalidRequest("pushes reach this device directly; there is no pending list")
    return {"transactions": _pending(tenant, device, now)}


def _pending(tenant: Tenant, device: Authenticator, now: Any) -> list[dict[str, Any]]:
    """The live push transactions created for ``device``: its user's, on this authenticator.

    The push target only narrows the outbox; it is not the device's identity (another device
    may register the same target), so each transaction must name this device and its user."""
    target = str(device.public["push_target"])
    found = []
    for message in tenant.store.outbox.list(tenant.id, channel="push", limit=100):
        if message.to != target:
            continue
        try:
            data = json.loads(message.body).get("data", {})
        except (ValueError, AttributeError):
            continue
        transaction = tenant.store.challenges.get(tenant.id, str(data.get("transaction", "")))
        if (
            transaction is None
            or transaction.factor != _TYPE
            or transaction.user_id != device.user_id
            or transaction.authenticator_id != device.id
            or transaction.finished
            or transaction.state != "pending"
            or transaction.expired(now)
        ):
            continue
        found.append(
            {
                "transaction": transaction.id,
                "nonce": data.get("nonce"),
                "expires_at": iso(transaction.expires_at),
                "context": data.get("context", {}),
            }
        )
    return found


@router.post(
    "/transactions/{transaction_id}",
    summary="Approve or deny a sign-in (signed, with the number shown on the login screen)",
    response_model=PushAnswered,
    responses=errors(400, 403, 503),
)
def answer(
    body: PushAnswer,
    state: State,
    transaction_id: str = Path(max_length=255),
) -> dict[str, Any]:
    """A wrong number rejects the sign-in (403 invalid_grant); the login side then gets
    `access_denied`."""
    _, factor = _push(state, body.tenant, "unknown push transaction")
    answered = factor.respond(
        body.tenant,
        transaction_id,
        decision=body.decision,
        number=body.number,
        nonce=body.nonce,
        signature=body.signature,
        now=state.clock(),
    )
    return {"state": answered.state}

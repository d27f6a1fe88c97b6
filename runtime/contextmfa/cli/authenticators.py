"""``contextmfa authenticators``: list, add and remove a user's authenticators (B2E admin).

An administrator may add only what needs no device or ceremony of the user's: an OTP seed
(handed to the user once), a phone number or an email address. Each is stored confirmed, in
exactly the shape the factor module enrolls it (``factors/otp.py``, ``factors/oob.py``), so the
factors verify it as if the user had enrolled it. No recovery code is issued: that comes with
the user's own first enrollment.

Every change is recorded in the audit log (kinds below) with ids only, never a secret or a
number. Listing never shows a secret or key material; the table masks phone numbers and
addresses, the JSON (for admin tooling) carries them in full.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import pyotp
import typer
from rich.table import Table
from rich.text import Text

from contextmfa.cli.console import error, reporting_errors, stdout
from contextmfa.cli.options import ConfigOption
from contextmfa.cli.store_options import (
    MAX_IDENT,
    FormatOption,
    ListFormat,
    StoreOption,
    TenantStore,
    check_user_id,
    iso_time,
    open_store,
    open_tenant_store,
)
from contextmfa.config import TenantConfig, load_config
from contextmfa.delivery import mask_recipient
from contextmfa.errors import InputError
from contextmfa.factors import InvalidRequest, Subject, SystemEntropy
from contextmfa.factors.contacts import normalize_email, normalize_phone
from contextmfa.factors.otp import DIGITS, SEED_BYTES, STEP_SECONDS
from contextmfa.store import Authenticator
from contextmfa.store.removal import remove_authenticator

AUDIT_ADDED = "admin.authenticator_added"
AUDIT_REMOVED = "admin.authenticator_removed"
AUDIT_REMOVED_ALL = "admin.authenticators_removed"

SHOWN_PUBLIC = ("phone_number", "email", "transports", "aaguid", "backed_up")
"""The ``public`` fields a listing shows; anything else (keys, push targets) stays hidden."""
CONTACTS = ("phone_number", "email")

USER_ENROLLED = {
    "webauthn-roaming": "a security key is registered by the user's browser (WebAuthn)",
    "webauthn-platform": "a passkey is registered by the user's browser (WebAuthn)",
    "push-notification": "the user's device registers its own key from an enrollment ticket",
    "duo": "Duo enrolls its users itself",
    "recovery-code": "it is issued to the user with their first enrollment",
}
"""Factors an administrator cannot vouch for, and why."""

UserIdArgument = Annotated[str, typer.Argument(metavar="USER_ID", help="The user's id.")]

group = typer.Typer(
    help=(
        "List, add and remove a user's authenticators in the tenant's store.\n\n"
        "The store is the config's `[service] store` (a relative `sqlite:///` path is relative "
        "to the config file) or `--store`; the key comes from `CONTEXTMFA_SECRET_KEY` "
        "(see `contextmfa keygen`), or set `CONTEXTMFA_DEVELOPMENT=1` for a development store."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="authenticators")


# list ----------------------------------------------------------------------------------------


@group.command(name="list")
def list_authenticators(
    user_id: UserIdArgument,
    output_format: FormatOption = ListFormat.table,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Show the user's authenticators, oldest first, pending enrollments included.

    Columns: id, type, name, contact (phone or email, masked), confirmed, created and last used
    (UTC). No secret, seed or key is ever shown; `--format json` gives the full phone number or
    address for admin tooling. Exit 0, or 2 on bad input or config.
    """
    with reporting_errors():
        check_user_id(user_id)
        with open_tenant_store(config, store) as opened:
            found = opened.store.authenticators.for_user(
                opened.tenant_id, user_id, confirmed_only=False
            )
        if output_format is ListFormat.json:
            stdout.out(json.dumps([_as_json(a) for a in found], indent=2, ensure_ascii=False))
        elif not found:
            error(f"user {user_id} has no authenticators")
        else:
            stdout.print(_table(found))


def _as_json(authenticator: Authenticator) -> dict[str, Any]:
    return {
        "id": authenticator.id,
        "type": authenticator.type,
        "name": authenticator.name,
        "confirmed": authenticator.confirmed,
        "created_at": iso_time(authenticator.created_at),
        "last_used_at": iso_time(authenticator.last_used_at),
        "details": {k: authenticator.public[k] for k in SHOWN_PUBLIC if k in authenticator.public},
    }


def _contact(authenticator: Authenticator) -> str:
    for key in CONTACTS:
        value = authenticator.public.get(key)
        if isinstance(value, str) and value:
            return mask_recipient(value)
    return "-"


def _table(found: list[Authenticator]) -> Table:
    table = Table(header_style="bold")
    for column in ("id", "type", "name", "contact", "confirmed", "created", "last used"):
        table.add_column(column, no_wrap=column != "name")
    for a in found:
        cells = (
            a.id,
            a.type,
            a.name,
            _contact(a),
            "yes" if a.confirmed else "pending",
            iso_time(a.created_at),
            iso_time(a.last_used_at) or "never",
        )
        table.add_row(*(Text(str(cell)) for cell in cells))
    return table


# add -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddRequest:
    tenant: TenantConfig
    user_id: str
    phone: str | None
    email: str | None
    name: str | None


@dataclass(frozen=True)
class NewAuthenticator:
    """What to store, plus what the administrator sees once (the OTP seed and its URI)."""

    name: str
    public: Mapping[str, Any]
    secret: bytes | None = field(default=None, repr=False)
    shown_once: Mapping[str, str] = field(default_factory=dict, repr=False)


def _otp(request: AddRequest) -> NewAuthenticator:
    """A seed made as ``OtpFactor.enroll`` makes it: 160 random bits, base32 without padding."""
    seed = SystemEntropy().token_bytes(SEED_BYTES)
    secret = base64.b32encode(seed).decode("ascii").rstrip("=")
    label = Subject(request.tenant.tenant_id, request.user_id).label
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=label, issuer_name=_issuer(request.tenant)
    )
    return NewAuthenticator(
        name=request.name or "Authenticator app",
        public={},
        secret=secret.encode("ascii"),
        shown_once={"otpauth_uri": uri, "secret": secret},
    )


def _issuer(tenant: TenantConfig) -> str:
    """The name authenticator apps show, as ``FactorSettings.from_config`` derives it."""
    return urlsplit(tenant.service.issuer).hostname or tenant.tenant_id


def _phone(request: AddRequest) -> NewAuthenticator:
    if request.phone is None:
        raise InputError("--phone is required for sms and voice (E.164, e.g. +14155550123)")
    try:
        number = normalize_phone(request.phone)
    except InvalidRequest as exc:
        raise InputError(f"--phone: {exc.description}") from None
    return NewAuthenticator(request.name or mask_recipient(number), {"phone_number": number})


def _email(request: AddRequest) -> NewAuthenticator:
    if request.email is None:
        raise InputError("--email is required for email")
    try:
        address = normalize_email(request.email)
    except InvalidRequest as exc:
        raise InputError(f"--email: {exc.description}") from None
    return NewAuthenticator(request.name or mask_recipient(address), {"email": address})


ADDERS: dict[str, tuple[str | None, Callable[[AddRequest], NewAuthenticator]]] = {
    "otp": (None, _otp),
    "sms": ("--phone", _phone),
    "voice": ("--phone", _phone),
    "email": ("--email", _email),
}
"""Factor -> (the contact option it takes, how to build it). Nothing else can be added."""


@group.command(name="add")
def add(
    user_id: UserIdArgument,
    factor: Annotated[
        str,
        typer.Option(
            "--factor", metavar="otp|sms|voice|email", help="The factor to add.", show_default=False
        ),
    ],
    phone: Annotated[
        str | None,
        typer.Option("--phone", metavar="E164", help="sms, voice: the number, e.g. +14155550123."),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", metavar="ADDR", help="email: the address.")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="A name the user recognises, e.g. 'Work phone'."),
    ] = None,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Add a confirmed authenticator for a user: the administrator vouches for it (B2E).

    - **otp**: a new seed is generated and stored encrypted; its `otpauth://` URI and base32
      secret are printed **once** on stdout, to hand to the user (they cannot be shown again).
    - **sms**, **voice**: `--phone` in E.164 (`+` and country code), validated as in enrollment.
    - **email**: `--email`.

    WebAuthn, push and Duo cannot be added here: the user enrolls them (browser, device, Duo).
    The addition is audit-logged. Prints `key: value` lines (id, type, user, and for otp
    otpauth_uri and secret). Exit 0, or 2 on bad input or config.
    """
    with reporting_errors():
        check_user_id(user_id)
        option, build = _adder(factor)
        for flag, value in (("--phone", phone), ("--email", email)):
            if value is not None and flag != option:
                raise InputError(f"{flag} does not apply to --factor {factor}")
        if name is not None and not 0 < len(name) <= MAX_IDENT:
            raise InputError(f"--name must be 1 to {MAX_IDENT} characters")
        tenant = load_config(config)
        new = build(AddRequest(tenant, user_id, phone, email, name))
        with open_store(tenant, store, create=True) as opened:
            created = _add(opened, user_id, factor, new)
        if factor not in tenant.policy.factors:
            error(f"warning: {factor} is not enabled in [policy] factors of {tenant.path}")
        shown = {"id": created.id, "type": created.type, "user": user_id, **new.shown_once}
        for key, value in shown.items():
            stdout.out(f"{key}: {value}")
        if new.shown_once:
            error(
                "warning: the secret above is shown only this once and cannot be shown again; "
                "hand it to the user over a trusted channel and keep no copy"
            )


def _adder(factor: str) -> tuple[str | None, Callable[[AddRequest], NewAuthenticator]]:
    if factor in ADDERS:
        return ADDERS[factor]
    if factor in USER_ENROLLED:
        raise InputError(
            f"--factor {factor}: an administrator cannot add it, the user must enroll it: "
            f"{USER_ENROLLED[factor]}"
        )
    raise InputError(f"--factor: unknown factor {factor!r} (one of {', '.join(ADDERS)})")


def _add(opened: TenantStore, user_id: str, factor: str, new: NewAuthenticator) -> Authenticator:
    """Store it confirmed (refusing a contact the user already has for it) and audit-log it."""
    authenticators, tenant_id = opened.store.authenticators, opened.tenant_id
    existing = [a for a in authenticators.for_user(tenant_id, user_id) if a.type == factor]
    for key in CONTACTS:
        value = str(new.public.get(key, "")).casefold()
        if value and any(str(a.public.get(key, "")).casefold() == value for a in existing):
            raise InputError(
                f"user {user_id} already has this {key.replace('_', ' ')} for {factor}"
            )
    now = datetime.now(UTC)
    created = authenticators.add(
        tenant_id,
        user_id,
        factor,
        name=new.name,
        public=new.public,
        secret=new.secret,
        confirmed=True,
        now=now,
    )
    opened.store.audit.record(
        tenant_id,
        AUDIT_ADDED,
        user_id=user_id,
        detail={"authenticator_id": created.id, "factor": factor, "via": "cli"},
        now=now,
    )
    return created


# remove --------------------------------------------------------------------------------------


@group.command(name="remove")
def remove(
    user_id: UserIdArgument,
    authenticator_id: Annotated[
        str | None,
        typer.Argument(
            metavar="AUTHENTICATOR_ID",
            help="The id `authenticators list` shows.",
            show_default=False,
        ),
    ] = None,
    remove_all: Annotated[
        bool, typer.Option("--all", help="Remove every authenticator of the user (MFA reset).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --all.")] = False,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Remove one authenticator of a user, or with `--all` every one (recovery code included).

    The user will have to enroll again for what was removed; remembered browsers are not
    affected (see `contextmfa remember-browser invalidate`). The removal is audit-logged.

    Exit 0 when removed, 1 when the id is not one of this user's authenticators (or `--all`
    was not confirmed), 2 on bad input or config.
    """
    with reporting_errors():
        check_user_id(user_id)
        if (authenticator_id is None) == (not remove_all):
            raise InputError("give either an AUTHENTICATOR_ID or --all (not both)")
        with open_tenant_store(config, store) as opened:
            if remove_all:
                _remove_all(opened, user_id, yes)
            else:
                _remove_one(opened, user_id, str(authenticator_id))


def _remove_one(opened: TenantStore, user_id: str, authenticator_id: str) -> None:
    authenticators, tenant_id = opened.store.authenticators, opened.tenant_id
    found = authenticators.get(tenant_id, authenticator_id)
    if (
        found is None
        or found.user_id != user_id
        or not remove_authenticator(opened.store, tenant_id, found)
    ):
        error(f"user {user_id} has no authenticator {authenticator_id}")
        raise typer.Exit(1)
    opened.store.audit.record(
        tenant_id,
        AUDIT_REMOVED,
        user_id=user_id,
        detail={"authenticator_id": found.id, "factor": found.type, "via": "cli"},
        now=datetime.now(UTC),
    )
    stdout.out(f"removed {found.type} authenticator {found.id} of user {user_id}")


def _remove_all(opened: TenantStore, user_id: str, yes: bool) -> None:
    authenticators, tenant_id = opened.store.authenticators, opened.tenant_id
    count = len(authenticators.for_user(tenant_id, user_id, confirmed_only=False))
    if count and not yes and not _confirmed(f"Remove all {count} authenticators of {user_id}?"):
        error("nothing removed")
        raise typer.Exit(1)
    removed = authenticators.remove_for_user(tenant_id, user_id) if count else 0
    forgotten = opened.store.remember.invalidate_user(tenant_id, user_id)
    opened.store.audit.record(
        tenant_id,
        AUDIT_REMOVED_ALL,
        user_id=user_id,
        detail={"count": removed, "remembered_browsers": forgotten, "via": "cli"},
        now=datetime.now(UTC),
    )
    stdout.out(
        f"removed {removed} authenticator{'' if removed == 1 else 's'} of user {user_id}; "
        "remembered browsers forgotten"
    )


def _confirmed(question: str) -> bool:
    """Ask on stderr (stdout stays the command's output); no answer at all means no."""
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        error("")
        return False

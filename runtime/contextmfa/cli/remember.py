"""``contextmfa remember-browser``: revoke the browsers a user asked to be remembered on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from contextmfa.cli.console import reporting_errors, stdout
from contextmfa.cli.options import ConfigOption
from contextmfa.cli.store_options import StoreOption, check_user_id, open_tenant_store

AUDIT_INVALIDATED = "admin.remember_browser_invalidated"

group = typer.Typer(
    help=(
        "Manage remember-browser tokens: after MFA a user may skip it on that browser for "
        "`[policy] remember_browser_days`."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="remember-browser")


@group.command(name="invalidate")
def invalidate(
    user_id: Annotated[str, typer.Argument(metavar="USER_ID", help="The user's id.")],
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Forget every browser remembered for the user: their next login asks for MFA again.

    Use it when a device is lost or an account may be compromised. Prints how many were
    invalidated; the action is audit-logged.

    The store is the config's `[service] store` (a relative `sqlite:///` path is relative to the
    config file) or `--store`; the key comes from `CONTEXTMFA_SECRET_KEY`
    (see `contextmfa keygen`), or set `CONTEXTMFA_DEVELOPMENT=1` for a development store.
    Exit 0, or 2 on bad input or config.
    """
    with reporting_errors():
        check_user_id(user_id)
        with open_tenant_store(config, store) as opened:
            count = opened.store.remember.invalidate_user(opened.tenant_id, user_id)
            opened.store.audit.record(
                opened.tenant_id,
                AUDIT_INVALIDATED,
                user_id=user_id,
                detail={"count": count, "via": "cli"},
                now=datetime.now(UTC),
            )
        plural = "" if count == 1 else "s"
        stdout.out(f"invalidated {count} remembered browser{plural} of user {user_id}")

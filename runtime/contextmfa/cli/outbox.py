"""``contextmfa outbox``: the messages the ``outbox`` delivery provider kept instead of sending.

The bodies hold one-time codes: showing them to a developer is this command's whole purpose, so
it prints them, to stdout only. It logs nothing, and recipients are masked.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from contextmfa.cli.console import error, reporting_errors, stdout
from contextmfa.cli.options import ConfigOption
from contextmfa.cli.store_options import (
    FormatOption,
    ListFormat,
    StoreOption,
    iso_time,
    open_tenant_store,
)
from contextmfa.delivery import mask_recipient
from contextmfa.store import OutboxMessage


class Channel(StrEnum):
    sms = "sms"
    voice = "voice"
    email = "email"
    push = "push"


def register(app: typer.Typer) -> None:
    app.command(name="outbox")(outbox)


def outbox(
    channel: Annotated[
        Channel | None,
        typer.Option("--channel", help="Only this channel's messages.", show_default=False),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=1000, help="At most this many messages.")
    ] = 20,
    output_format: FormatOption = ListFormat.table,
    config: ConfigOption = None,
    store: StoreOption = None,
) -> None:
    """Show the messages waiting in the tenant's outbox, newest first, codes included.

    With the default `[delivery]` providers nothing is sent: SMS, voice, email and push messages
    are kept (encrypted) in the store, and this command shows them, so a developer can finish a
    login without a phone or a mailbox. Each message shows its time (UTC), channel, masked
    recipient and body. Treat the output like the codes in it.

    The store is the config's `[service] store` (a relative `sqlite:///` path is relative to the
    config file) or `--store`; the key comes from `CONTEXTMFA_SECRET_KEY`
    (see `contextmfa keygen`), or set `CONTEXTMFA_DEVELOPMENT=1` for a development store.

    Exit 0, or 2 on bad input or config.
    """
    with reporting_errors():
        with open_tenant_store(config, store) as opened:
            messages = opened.store.outbox.list(
                opened.tenant_id, channel=channel.value if channel else None, limit=limit
            )
        if output_format is ListFormat.json:
            stdout.out(json.dumps([_as_json(m) for m in messages], indent=2, ensure_ascii=False))
            return
        if not messages:
            which = f"{channel.value} " if channel else ""
            error(f"no {which}messages in the outbox")
            return
        stdout.print(_table(messages))


def _as_json(message: OutboxMessage) -> dict[str, str | None]:
    return {
        "id": message.id,
        "time": iso_time(message.created_at),
        "channel": message.channel,
        "to": mask_recipient(message.to),
        "body": message.body,
    }


def _table(messages: list[OutboxMessage]) -> Table:
    table = Table(header_style="bold")
    for column in ("time", "channel", "to", "body"):
        table.add_column(column, no_wrap=column != "body")
    for message in messages:
        cells = (iso_time(message.created_at), message.channel, mask_recipient(message.to))
        table.add_row(*(Text(str(cell)) for cell in cells), Text(message.body))
    return table

"""Options shared by several commands, spelled once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Tenant config (tenant.toml). Defaults to ./tenant.toml.",
        show_default=False,
        dir_okay=False,
    ),
]


class HttpChoice(StrEnum):
    """Who answers the Actions' ``fetch`` calls (sandbox/http_modes.py)."""

    auto = "auto"
    recorded = "recorded"
    live = "live"
    off = "off"


HttpOption = Annotated[
    HttpChoice,
    typer.Option(
        "--http",
        help="Who answers the Actions' fetch() calls: recorded (the exchanges recorded with each "
        "login; a call not recorded is an error for that login), live (call out under the "
        "tenant's egress policy), off (every call fails as a network error). auto: recorded "
        "for a login with a recorded decision (an export), live for one without.",
    ),
]
RecordHttpOption = Annotated[
    bool,
    typer.Option(
        "--record-http",
        help="Keep each decision's http exchanges (method, URL, status, body; no secrets) in "
        "the decisions written, so they can be replayed from later.",
    ),
]

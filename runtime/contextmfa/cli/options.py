"""Options shared by several commands, spelled once."""

from __future__ import annotations

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

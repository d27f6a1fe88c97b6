"""Where the CLI writes: results to stdout, diagnostics to stderr, never a traceback.

Every command body runs inside ``reporting_errors`` so that contextmfa's own errors print as one
located line with the documented exit code, and anything unexpected prints its type only (its
message could hold a secret) unless ``CONTEXTMFA_DEBUG=1`` asks for the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from contextmfa.errors import ContextMFAError

PIPE_WIDTH = 160
"""Width of tables written to a pipe or file, where no terminal says how wide to be."""

stdout = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else PIPE_WIDTH)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

INTERNAL_ERROR = 3


def error(message: str) -> None:
    stderr.print(message, markup=False)


@contextmanager
def reporting_errors() -> Iterator[None]:
    try:
        yield
    except ContextMFAError as exc:
        error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        error("interrupted")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if os.environ.get("CONTEXTMFA_DEBUG") == "1":
            raise
        error(f"internal error: {type(exc).__name__} (set CONTEXTMFA_DEBUG=1 for details)")
        raise typer.Exit(INTERNAL_ERROR) from None


def is_terminal() -> bool:
    return sys.stderr.isatty()

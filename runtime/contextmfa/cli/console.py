"""Where the CLI writes: results to stdout, diagnostics to stderr, never a traceback.

Every command body runs inside ``reporting_errors`` so that contextmfa's own errors print as one
located line with the documented exit code, and anything unexpected prints its type only (its
message could hold a secret) unless ``CONTEXTMFA_DEBUG=1`` asks for the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TextIO

import typer
from rich.console import Console

from contextmfa.errors import ContextMFAError

PIPE_WIDTH = 160
"""Width of tables written to a pipe or file, where no terminal says how wide to be."""

INTERNAL_ERROR = 3
BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for any Unix tool whose reader went away (``| head``)."""


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Rich would exit 1 (an expectation mismatch, for replay); let ``reporting_errors``
        end the command the one way it ends every command whose reader went away."""
        raise BrokenPipeError


def console_for(sink: TextIO, width: int = PIPE_WIDTH) -> Console:
    """A console writing to a file of the command's (``--output``), ending the same way when
    its reader goes away."""
    return _Console(file=sink, width=width)


stdout = _Console(
    highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else PIPE_WIDTH
)
stderr = _Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    stderr.print(message, markup=False)


@contextmanager
def reporting_errors() -> Iterator[None]:
    try:
        yield
    except ContextMFAError as exc:
        error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except BrokenPipeError:
        _silence_output()
        raise typer.Exit(BROKEN_PIPE) from None
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


def _silence_output() -> None:
    """The reader of stdout (or stderr) is gone, as with ``| head``: say nothing more, like other
    Unix tools, and point both at /dev/null so the interpreter's final flush cannot complain."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError, AttributeError):  # not a real file: a test's capture
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def is_terminal() -> bool:
    return sys.stderr.isatty()

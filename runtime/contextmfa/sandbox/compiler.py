"""``compile_action``: an Action file checked and compiled once per config, with located errors."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType

from contextmfa.errors import CompileError, Problem
from contextmfa.sandbox.kit import KitPool
from contextmfa.sandbox.policy import transform
from contextmfa.sandbox.runtime_names import PER_RUN_NAMES, needed_names
from contextmfa.sandbox.source_warnings import action_warnings


@dataclass(frozen=True)
class CompiledAction:
    """A checked, instrumented Action ready for any number of runs."""

    name: str
    """The file stem: the Action's name in sources (``action:<name>``), logs and errors."""
    path: str
    code: CodeType = field(repr=False)
    needs: tuple[str, ...] = field(repr=False, default=())
    """Per-run globals the code reads; only these are bound for each run."""
    warnings: tuple[Problem, ...] = field(repr=False, default=())
    """Code that runs, but likely not as meant (source_warnings.py); ``check`` prints them."""
    kits: KitPool = field(init=False, repr=False, compare=False)
    """What its runs reuse (kit.py)."""
    fetches: bool = field(init=False, repr=False, compare=False)
    """Whether the code reads ``fetch``: the runner binds it per run only then (fetch.py)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kits", KitPool(self.name, self.path, self.needs, self.code))
        object.__setattr__(self, "fetches", "fetch" in self.needs)


def compile_action(source: str, path: str) -> CompiledAction:
    """Check and compile ``source`` (read from ``path``); raise ``CompileError`` with every problem.

    Refused: syntax errors, every construct RestrictedPython forbids, imports outside the
    allowlist, ``_`` names and attributes, builtins an Action cannot have, undefined names,
    unknown names along ``event``/``api`` chains, and a missing or misshapen
    ``on_execute_post_login(event, api)``. What compiles may still carry ``warnings``.
    """
    tree, problems = transform(source, path)
    if problems or tree is None:
        raise CompileError([Problem(path, line, col, message) for line, col, message in problems])
    warnings = tuple(
        Problem(path, line, col, message, "warning", "action_warning")
        for line, col, message in action_warnings(source, path)
    )
    try:
        code = compile(ast.fix_missing_locations(tree), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise CompileError([Problem(path, 0, 0, f"cannot compile: {exc}")]) from None
    needs = needed_names(tree, PER_RUN_NAMES)
    return CompiledAction(Path(path).stem, path, code, needs, warnings)
